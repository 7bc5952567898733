#!/usr/bin/env bash
# Builds every target of the release matrix with the release flags
# (CGO_ENABLED=0, -trimpath, version ldflags), naming binaries as the release
# does, and publishes nothing. The matrix is read from .goreleaser.yml so it
# is defined in one place; the reader below understands the plain lists that
# file uses (goos, goarch, ignore pairs), which keeps this script free of a
# YAML dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${VERSION:-0.0.0-check}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

list() { # list KEY: the "- value" items under "    KEY:" in the builds section
  awk -v key="$1" '
    $0 ~ "^    "key":" {inside=1; next}
    inside && /^      - / {gsub(/[-" ]/, ""); print; next}
    inside {inside=0}
  ' .goreleaser.yml
}
ignored=$(awk '/^    ignore:/ {inside=1; next}
  inside && /goos:/ {gsub(/[-" ]|goos:/, ""); os=$0; next}
  inside && /goarch:/ {gsub(/[" ]|goarch:/, ""); print os "/" $0; next}
  inside && !/^      / {inside=0}' .goreleaser.yml)
ldflags=$(awk '/^    ldflags:/ {getline; sub(/^ *- */, ""); print}' .goreleaser.yml)
ldflags=${ldflags//\{\{ .Version \}\}/$version}

targets=()
for os in $(list goos); do
  for arch in $(list goarch); do
    grep -qx "$os/$arch" <<<"$ignored" || targets+=("$os/$arch")
  done
done
((${#targets[@]} > 0)) || { echo "no targets read from .goreleaser.yml" >&2; exit 1; }

printf '%-16s %10s  %s\n' TARGET SIZE BINARY
failed=0
for target in "${targets[@]}"; do
  os=${target%/*} arch=${target#*/}
  ext=""; [[ $os == windows ]] && ext=.exe
  bin="$out/${os}_${arch}/terraform-provider-atlasmig_v${version}${ext}"
  if CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$bin" . 2>"$out/err"; then
    printf '%-16s %10s  %s\n' "$target" "$(du -h "$bin" | cut -f1)" "$(basename "$bin")"
  else
    echo "FAILED: $target" >&2; cat "$out/err" >&2; failed=1
  fi
done
((failed == 0)) || exit 1
echo "${#targets[@]} release targets built with: CGO_ENABLED=0 -trimpath -ldflags '$ldflags'"
