#!/usr/bin/env bash
# Sourced by the scripts that run terraform against the provider: sets
# PROVIDER_DIR to a directory holding terraform-provider-atlasmig (the one
# `make test` built once, named by ATLASMIG_PROVIDER_DIR, or a fresh build)
# and write_cli_config FILE [ADDRESS...] writes a CLI configuration whose
# dev_overrides point terraform at it for each source address (default
# atlasmig/atlasmig), so nothing is downloaded.
if [[ -n ${ATLASMIG_PROVIDER_DIR:-} && -x $ATLASMIG_PROVIDER_DIR/terraform-provider-atlasmig ]]; then
  PROVIDER_DIR=$ATLASMIG_PROVIDER_DIR
else
  PROVIDER_DIR=$(mktemp -d)
  go build -o "$PROVIDER_DIR/terraform-provider-atlasmig" .
fi

write_cli_config() {
  local file=$1 address
  shift
  (($#)) || set -- atlasmig/atlasmig
  {
    printf 'provider_installation {\n  dev_overrides {\n'
    for address; do
      printf '    "%s" = "%s"\n' "$address" "$PROVIDER_DIR"
    done
    printf '  }\n  direct {}\n}\n'
  } >"$file"
}
