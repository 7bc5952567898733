#!/usr/bin/env bash
# Sourced by docs.sh and check-docs.sh, after terraform.sh (docs_schema also
# needs provider-dir.sh).
# The docs are generated from the schema a Terraform 1.14 or later reports:
# older ones leave out the atlasmig_cutover action (1.14) and the resource
# identities (1.12). That is TERRAFORM when it qualifies, else the binary
# ATLASMIG_TERRAFORM_NEXT names (the tests' choice too; it has no default).
# After sourcing: DOCS_TERRAFORM (empty when none
# qualifies, with the reason in DOCS_TERRAFORM_WHY) and docs_schema FILE,
# which writes the provider's schema as JSON.
DOCS_MIN_VERSION=1.14.0
DOCS_TERRAFORM="" DOCS_TERRAFORM_WHY=""

docs_qualifies() {
  local product version
  read -r product version < <(CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null | tf_parse_version) || return 1
  [[ $product == Terraform ]] && [[ $(printf '%s\n%s\n' "$DOCS_MIN_VERSION" "$version" | sort -V | head -1) == "$DOCS_MIN_VERSION" ]]
}

docs_next=${ATLASMIG_TERRAFORM_NEXT:-}
if docs_qualifies "$TERRAFORM"; then
  DOCS_TERRAFORM=$TERRAFORM
elif [[ -n $docs_next && -x $docs_next ]] && docs_qualifies "$docs_next"; then
  DOCS_TERRAFORM=$docs_next
else
  docs_next_why="ATLASMIG_TERRAFORM_NEXT is not set"
  [[ -z $docs_next ]] || docs_next_why="ATLASMIG_TERRAFORM_NEXT ($docs_next) is not such a binary"
  DOCS_TERRAFORM_WHY="the docs are generated from the schema of Terraform $DOCS_MIN_VERSION or later (it holds the atlasmig_cutover action and the resource identities); $TERRAFORM is $TF_PRODUCT $TF_VERSION and $docs_next_why: set it to a Terraform $DOCS_MIN_VERSION or later"
fi

# docs_schema FILE: the schema, read from the provider already built.
# tfplugindocs looks it up under the provider's short name, which a
# configuration without required_providers implies as hashicorp/atlasmig.
docs_schema() {
  local out=$1 dir
  dir=$(mktemp -d)
  echo 'provider "atlasmig" {}' >"$dir/main.tf"
  write_cli_config "$dir/terraformrc" hashicorp/atlasmig
  (cd "$dir" && TF_CLI_CONFIG_FILE=$dir/terraformrc TF_DATA_DIR=$dir/.terraform \
    "$DOCS_TERRAFORM" providers schema -json >"$out")
  rm -rf "$dir"
}
