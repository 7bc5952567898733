#!/usr/bin/env bash
# make docs: formats the examples and regenerates docs/ with tfplugindocs from
# the schema of Terraform 1.14 or later (see docs-schema.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=terraform.sh
source scripts/terraform.sh
# shellcheck source=docs-schema.sh
source scripts/docs-schema.sh
if [[ -z $DOCS_TERRAFORM ]]; then
  echo "cannot generate the docs: $DOCS_TERRAFORM_WHY" >&2
  exit 1
fi
# shellcheck source=provider-dir.sh
source scripts/provider-dir.sh
echo "schema from $DOCS_TERRAFORM"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TERRAFORM" fmt -recursive examples/
docs_schema "$tmp/schema.json"
tfplugindocs() { go tool -modfile="$root/tools/go.mod" tfplugindocs "$@"; }
tfplugindocs generate --provider-name atlasmig --providers-schema "$tmp/schema.json"
tfplugindocs validate --provider-name atlasmig
