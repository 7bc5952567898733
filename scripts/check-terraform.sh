#!/usr/bin/env bash
# Tells clearly when terraform is missing, and which binary the tests run:
# they and the demo drive the real binary, and nothing here downloads one.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=terraform.sh
source scripts/terraform.sh
echo "using $TF_PRODUCT $TF_VERSION at $TERRAFORM"
if ! tf_at_least 1.6.0; then
  echo "$TF_PRODUCT $TF_VERSION is older than 1.6, the oldest version this provider supports" >&2
  exit 1
fi
