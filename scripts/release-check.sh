#!/usr/bin/env bash
# Checks the release configuration and builds every target of its matrix
# with the release flags, exactly as a release would, publishing nothing:
# the pinned goreleaser of tools/goreleaser/go.mod runs `check`, then
# `build --snapshot` into dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
goreleaser() { go tool -modfile=tools/goreleaser/go.mod goreleaser "$@"; }

goreleaser check
goreleaser build --snapshot --clean
count=0
printf '%-24s %10s  %s\n' TARGET SIZE BINARY
for bin in dist/provider_*/terraform-provider-atlasmig_v*; do
  target=${bin#dist/provider_}
  target=${target%%/*}
  printf '%-24s %10s  %s\n' "$target" "$(du -h "$bin" | cut -f1)" "$(basename "$bin")"
  count=$((count + 1))
done
((count > 0)) || { echo "goreleaser built no binary" >&2; exit 1; }
echo "$count release targets built by goreleaser (snapshot, nothing published)"
