#!/usr/bin/env bash
# Every example must be formatted and valid. terraform validate needs the
# provider's schema: a dev_overrides CLI configuration points terraform at a
# freshly built provider, so nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CHECKPOINT_DISABLE=1

terraform fmt -check -recursive -diff examples/ || {
  echo "examples are not formatted: run make fmt" >&2
  exit 1
}

go build -o "$tmp/bin/terraform-provider-atlasmig" .
cat >"$tmp/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "atlasmig/atlasmig" = "$tmp/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE=$tmp/terraformrc

count=0
while IFS= read -r dir; do
  work=$tmp/validate/$count
  mkdir -p "$work"
  cp "$root/$dir"/*.tf "$work/"
  # Documentation snippets omit the terraform block; give them the
  # provider's real source address, as a user's configuration would.
  if ! grep -q required_providers "$work"/*.tf; then
    printf 'terraform {\n  required_providers {\n    atlasmig = {\n      source = "atlasmig/atlasmig"\n    }\n  }\n}\n' >"$work/zz_required_providers.tf"
  fi
  # Every provider here is overridden or built in, so init is not needed.
  if ! out=$(cd "$work" && TF_DATA_DIR="$work/.terraform" terraform validate -no-color 2>&1); then
    echo "terraform validate failed for $dir:" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "valid: $dir"
  count=$((count + 1))
done < <(find examples -name '*.tf' -exec dirname {} \; | sort -u)
echo "$count example directories are formatted and valid"
