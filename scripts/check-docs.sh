#!/usr/bin/env bash
# The committed docs/ must be exactly what `make docs` generates from the
# schema, templates/ and examples/. The schema comes from Terraform 1.14 or
# later (see docs-schema.sh): without one the check is skipped, saying why.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=terraform.sh
source scripts/terraform.sh
# shellcheck source=docs-schema.sh
source scripts/docs-schema.sh
if [[ -z $DOCS_TERRAFORM ]]; then
  echo "docs check skipped: $DOCS_TERRAFORM_WHY"
  exit 0
fi
# shellcheck source=provider-dir.sh
source scripts/provider-dir.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
docs_schema "$tmp/schema.json"

# Generate into a copy of the tree so the working copy is never touched.
mkdir -p "$tmp/tree"
git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents {} "$tmp/tree/" 2>/dev/null || true
tfplugindocs() { go tool -modfile="$root/tools/go.mod" tfplugindocs "$@"; }
(cd "$tmp/tree" && rm -rf docs &&
  tfplugindocs generate --provider-name atlasmig --providers-schema "$tmp/schema.json" >/dev/null &&
  tfplugindocs validate --provider-name atlasmig >/dev/null)
if ! diff -ru docs "$tmp/tree/docs"; then
  echo "docs/ is out of date: run make docs and commit the result" >&2
  exit 1
fi
echo "docs/ is up to date"
