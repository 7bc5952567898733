#!/usr/bin/env bash
# The committed docs/ must be exactly what `make docs` generates from the
# schema, templates/ and examples/. tfplugindocs works only with Terraform,
# and the schema shows write-only attributes only from Terraform 1.11: on
# another binary the check is skipped, saying why.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=terraform.sh
source scripts/terraform.sh
if [[ $TF_PRODUCT != Terraform ]]; then
  echo "docs check skipped: tfplugindocs runs only with Terraform, and $TERRAFORM is $TF_PRODUCT $TF_VERSION"
  exit 0
fi
if ! tf_at_least 1.11.0; then
  echo "docs check skipped: Terraform $TF_VERSION does not report write-only attributes; the docs are generated with Terraform 1.11 or later"
  exit 0
fi
# shellcheck source=provider-dir.sh
source scripts/provider-dir.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The schema, read once from the provider already built: tfplugindocs looks
# it up under the provider's short name, which a configuration without
# required_providers implies as hashicorp/atlasmig.
mkdir -p "$tmp/schema"
echo 'provider "atlasmig" {}' >"$tmp/schema/main.tf"
write_cli_config "$tmp/terraformrc" hashicorp/atlasmig
(cd "$tmp/schema" && TF_CLI_CONFIG_FILE=$tmp/terraformrc TF_DATA_DIR=$tmp/schema/.terraform \
  "$TERRAFORM" providers schema -json >"$tmp/schema.json")

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
