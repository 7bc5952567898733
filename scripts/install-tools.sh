#!/usr/bin/env bash
# Builds the pinned development tools (tools/go.mod) into ./bin, once: a tool
# is rebuilt only when tools/go.sum is newer than its binary.
# Usage: scripts/install-tools.sh [tfplugindocs] [golangci-lint]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bin
declare -A pkgs=(
  [tfplugindocs]=github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs
  [golangci-lint]=github.com/golangci/golangci-lint/v2/cmd/golangci-lint
)
tools=("$@")
((${#tools[@]})) || tools=(tfplugindocs golangci-lint)
for tool in "${tools[@]}"; do
  pkg=${pkgs[$tool]:?unknown tool $tool}
  if [[ -x bin/$tool && bin/$tool -nt tools/go.sum ]]; then
    continue
  fi
  echo "building $tool from tools/go.mod"
  (cd tools && go build -o "../bin/$tool" "$pkg")
done
