#!/usr/bin/env bash
# Every example must be formatted and valid. terraform validate needs the
# provider's schema: a dev_overrides CLI configuration points terraform at
# the provider `make test` built, so nothing is downloaded. An example whose
# terraform block says `required_version = ">= X.Y"` is validated only on
# X.Y or later, and the skip is reported.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=terraform.sh
source scripts/terraform.sh
# shellcheck source=provider-dir.sh
source scripts/provider-dir.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

write_cli_config "$tmp/terraformrc"
export TF_CLI_CONFIG_FILE=$tmp/terraformrc

"$TERRAFORM" fmt -check -recursive -diff examples/ || {
  echo "examples are not formatted: run make fmt" >&2
  exit 1
}

count=0 skipped=0
while IFS= read -r dir; do
  needs=$(sed -nE 's/^[[:space:]]*required_version[[:space:]]*=[[:space:]]*">=[[:space:]]*([0-9.]+)".*/\1/p' "$dir"/*.tf | head -1)
  tf=$TERRAFORM
  if [[ -n $needs ]] && ! tf_at_least "$needs"; then
    # The newer Terraform the tests use for actions and identities.
    next=${ATLASMIG_TERRAFORM_NEXT:-}
    next_version=$([[ -n $next && -x $next ]] && CHECKPOINT_DISABLE=1 "$next" version 2>/dev/null | tf_parse_version | cut -d' ' -f2 || true)
    if [[ -n $next_version && $(printf '%s\n%s\n' "$needs" "$next_version" | sort -V | head -1) == "$needs" ]]; then
      tf=$next
    elif [[ -z $next ]]; then
      echo "skipped: $dir (needs $needs or later; this is $TF_PRODUCT $TF_VERSION, and ATLASMIG_TERRAFORM_NEXT is not set)"
      skipped=$((skipped + 1))
      continue
    else
      echo "skipped: $dir (needs $needs or later; this is $TF_PRODUCT $TF_VERSION, and ATLASMIG_TERRAFORM_NEXT ($next) is not)"
      skipped=$((skipped + 1))
      continue
    fi
  fi
  work=$tmp/validate/$count
  mkdir -p "$work"
  cp "$root/$dir"/*.tf "$work/"
  # Documentation snippets omit the terraform block; give them the
  # provider's real source address, as a user's configuration would.
  if ! grep -q required_providers "$work"/*.tf; then
    printf 'terraform {\n  required_providers {\n    atlasmig = {\n      source = "atlasmig/atlasmig"\n    }\n  }\n}\n' >"$work/zz_required_providers.tf"
  fi
  # Every provider here is overridden or built in, so init is not needed.
  if ! out=$(cd "$work" && TF_DATA_DIR="$work/.terraform" "$tf" validate -no-color 2>&1); then
    echo "$tf validate failed for $dir:" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "valid: $dir$([[ $tf != "$TERRAFORM" ]] && echo " (with $tf)" || true)"
  count=$((count + 1))
done < <(find examples -name '*.tf' -exec dirname {} \; | sort -u)
echo "$count example directories are formatted and valid ($skipped skipped)"
