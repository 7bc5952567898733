#!/usr/bin/env bash
# Tells clearly when terraform is missing: the tests and the demo drive the
# real terraform binary, and nothing here downloads one.
set -euo pipefail
if ! tf=$(command -v terraform); then
  cat >&2 <<'MSG'
terraform was not found on PATH.

The tests and the demo run the real terraform binary (1.6 or later; 1.11 or
later for write-only arguments). Install it from your package manager or from
https://developer.hashicorp.com/terraform/install, or build one from the Go
module proxy:

    go install github.com/hashicorp/terraform@v1.6.6

then make sure "$(go env GOPATH)/bin" is on PATH, or point TF_ACC_TERRAFORM_PATH
at the binary (an absolute path).
MSG
  exit 1
fi
version=$("$tf" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p' | head -1)
echo "using terraform ${version:-unknown} at $tf"
