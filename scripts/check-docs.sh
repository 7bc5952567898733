#!/usr/bin/env bash
# The committed docs/ must be exactly what `make docs` generates from the
# schema, templates/ and examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh tfplugindocs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Generate into a copy of the tree so the working copy is never touched.
git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents {} "$tmp/" 2>/dev/null || true
mkdir -p "$tmp/bin" && cp bin/tfplugindocs "$tmp/bin/"
(cd "$tmp" && rm -rf docs && bin/tfplugindocs generate --provider-name atlasmig >/dev/null && bin/tfplugindocs validate --provider-name atlasmig >/dev/null)
if ! diff -ru docs "$tmp/docs"; then
  echo "docs/ is out of date: run make docs and commit the result" >&2
  exit 1
fi
echo "docs/ is up to date"
