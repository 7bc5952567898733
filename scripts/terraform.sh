#!/usr/bin/env bash
# Sourced by the other scripts: finds the Terraform-compatible binary the
# tests run and describes it. Set TERRAFORM to run everything on another
# binary (make test TERRAFORM=/abs/path/to/tofu); the default is the first
# `terraform` on PATH. Nothing here downloads a binary.
#
# After sourcing: TERRAFORM (an absolute path), TF_PRODUCT (Terraform or
# OpenTofu), TF_VERSION (such as 1.11.4), and the variables
# terraform-plugin-testing reads are exported. Functions: tf_at_least X.Y.Z.

tf_missing() {
  cat >&2 <<MSG
${TERRAFORM:-terraform} was not found${1:+ ($1)}.

The tests and the demo run a real Terraform (1.6 or later; 1.11 or later for
write-only arguments) or OpenTofu (1.6 or later) binary. Install Terraform
from your package manager or https://developer.hashicorp.com/terraform/install,
or build one from the Go module proxy:

    go install github.com/hashicorp/terraform@v1.6.6

then put "\$(go env GOPATH)/bin" on PATH, or name the binary explicitly:

    make test TERRAFORM=/absolute/path/to/terraform-or-tofu
MSG
  exit 1
}

tf_resolve() {
  local want=${TERRAFORM:-terraform} found
  found=$(command -v "$want" 2>/dev/null) || tf_missing "not on PATH and not an executable file"
  [[ -x $found ]] || tf_missing "not executable"
  [[ $found == /* ]] || found=$PWD/$found
  TERRAFORM=$found
}

# tf_parse_version reads the first line of `terraform version` or
# `tofu version`: "Terraform v1.11.4" or "OpenTofu v1.6.3".
tf_parse_version() {
  sed -nE '1s/^(Terraform|OpenTofu) v([0-9]+\.[0-9]+\.[0-9]+).*/\1 \2/p'
}

# tf_at_least X.Y.Z: whether TF_VERSION is X.Y.Z or later.
tf_at_least() {
  [[ $(printf '%s\n%s\n' "$1" "$TF_VERSION" | sort -V | head -1) == "$1" ]]
}

tf_resolve
read -r TF_PRODUCT TF_VERSION < <(CHECKPOINT_DISABLE=1 "$TERRAFORM" version 2>/dev/null | tf_parse_version) || true
if [[ -z ${TF_VERSION:-} ]]; then
  echo "$TERRAFORM does not report a Terraform or OpenTofu version (its first line of \`version\` must read \"Terraform vX.Y.Z\" or \"OpenTofu vX.Y.Z\")" >&2
  exit 1
fi
export TERRAFORM TF_PRODUCT TF_VERSION
export CHECKPOINT_DISABLE=1
# terraform-plugin-testing runs this binary; it must be an absolute path.
export TF_ACC_TERRAFORM_PATH=$TERRAFORM
if [[ $TF_PRODUCT == OpenTofu ]]; then
  # terraform-plugin-testing names the provider registry.terraform.io/-/atlasmig
  # by default, which OpenTofu refuses; this is the address OpenTofu implies
  # for a configuration without required_providers.
  export TF_ACC_PROVIDER_HOST=registry.opentofu.org
  export TF_ACC_PROVIDER_NAMESPACE=hashicorp
fi
