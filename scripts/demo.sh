#!/usr/bin/env bash
# The demo: start the simulator on a free loopback port, point terraform at
# the freshly built provider through a temporary CLI configuration with
# dev_overrides, then run the whole journey of examples/complete: token, link,
# available projects, a validated migration, the wait for readiness, the
# cutover, COMPLETE, an empty plan and destroy. On Terraform 1.14 or later the
# cutover is the atlasmig_cutover action, with its progress; before, it is
# the resource's cutover = true. Nothing is downloaded and
# nothing is written outside ./.demo; the simulator is stopped however the
# demo ends.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/.demo
rm -rf "$work"
mkdir -p "$work/tf"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

sim_pid=""
cleanup() {
  status=$?
  if [[ -n $sim_pid ]] && kill -0 "$sim_pid" 2>/dev/null; then
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
    echo "simulator stopped"
  fi
  if ((status != 0)); then
    echo "demo FAILED (exit $status); simulator log: $work/simulator.log" >&2
  fi
  exit $status
}
trap cleanup EXIT INT TERM

step "Starting the simulator (bin/atlasmig-sim) on a free loopback port"
# Migration durations are short so the journey fits in well under a minute;
# the provider polls on its real schedule (2 s, growing to 30 s).
bin/atlasmig-sim -addr 127.0.0.1:0 -ready-file "$work/ready" -state examples/complete/simulator-state.json \
  -validation-time 1s -migration-start-after 2s -migration-ready-after 12s -cutover-time 3s \
  >"$work/simulator.env" 2>"$work/simulator.log" &
sim_pid=$!
for _ in $(seq 1 100); do
  [[ -s $work/ready ]] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$work/simulator.log" >&2; exit 1; }
  sleep 0.1
done
[[ -s $work/ready ]] || { echo "the simulator did not start within 10s" >&2; exit 1; }
# The simulator prints `export NAME=value` lines: the same variables MongoDB's
# own tools read, so the provider block in the example stays empty, and
# ATLASMIG_OPS_MANAGER_KIND=cloud_manager, the part the simulator plays.
# shellcheck disable=SC1091
source "$work/simulator.env"
echo "simulator listening at $(cat "$work/ready")"

# shellcheck source=terraform.sh
source scripts/terraform.sh
ATLASMIG_PROVIDER_DIR=$root/bin
# shellcheck source=provider-dir.sh
source scripts/provider-dir.sh
write_cli_config "$work/terraformrc"
export TF_CLI_CONFIG_FILE=$work/terraformrc
export TF_DATA_DIR=$work/tf/.terraform
export TF_IN_AUTOMATION=1
cp examples/complete/*.tf examples/complete/*.tfvars "$work/tf/" 2>/dev/null || cp examples/complete/*.tf "$work/tf/"
cd "$work/tf"

sim_url=$(cat "$work/ready")
migration() { curl -fsS "$sim_url/_sim/migrations" 2>/dev/null || true; echo; }

step "terraform apply: link token, link, available projects, and the migration (validated, then started)"
"$TERRAFORM" apply -auto-approve -input=false -no-color | tee "$work/first.log"
if grep -q "Cannot Work" "$work/first.log"; then
  echo "the plan creates the link: it must not warn that the migration cannot work" >&2
  exit 1
fi
"$TERRAFORM" output -no-color deployments
"$TERRAFORM" output -no-color migration

if tf_at_least 1.14.0 && [[ $TF_PRODUCT == Terraform ]]; then
  cat >action.tf <<'HCL'
action "atlasmig_cutover" "this" {
  config {
    project_id   = atlasmig_live_migration.this.project_id
    migration_id = atlasmig_live_migration.this.migration_id
  }
}
HCL
  step "terraform apply -invoke=action.atlasmig_cutover.this: wait for readiness, cut over once, wait for COMPLETE, with progress"
  "$TERRAFORM" apply -invoke=action.atlasmig_cutover.this -auto-approve -input=false -no-color

  step "terraform plan (cutover = false in the configuration): expecting no changes"
  set +e
  "$TERRAFORM" plan -detailed-exitcode -input=false -no-color
  plan_status=$?
  set -e
  if ((plan_status != 0)); then
    echo "expected an empty plan (exit 0), got exit $plan_status" >&2
    exit 1
  fi
  "$TERRAFORM" output -no-color migration
else
  step "Waiting for the migration to be ready for cutover (refresh-only applies read what Atlas reports)"
  for _ in $(seq 1 30); do
    "$TERRAFORM" apply -refresh-only -auto-approve -input=false -no-color >/dev/null
    ready=$("$TERRAFORM" output -no-color -json migration | sed -n 's/.*"ready_for_cutover":\([a-z]*\).*/\1/p')
    echo "ready_for_cutover=$ready  $("$TERRAFORM" output -no-color -json migration)"
    [[ $ready == true ]] && break
    sleep 2
  done

  step "terraform plan -var cutover=true: the reviewed change (an in-place update)"
  "$TERRAFORM" plan -var cutover=true -input=false -no-color | tee "$work/cutover.log"
  if grep -q "migration_hosts" "$work/cutover.log"; then
    echo "the cutover plan must show one change, not migration_hosts" >&2
    exit 1
  fi

  step "terraform apply -var cutover=true: cut over once, wait for COMPLETE"
  "$TERRAFORM" apply -var cutover=true -auto-approve -input=false -no-color
  "$TERRAFORM" output -no-color migration

  step "terraform plan: expecting no changes"
  set +e
  "$TERRAFORM" plan -var cutover=true -detailed-exitcode -input=false -no-color
  plan_status=$?
  set -e
  if ((plan_status != 0)); then
    echo "expected an empty plan (exit 0), got exit $plan_status" >&2
    exit 1
  fi

  step "terraform plan -var cutover=false: a cutover cannot be undone (a warning; nothing would be sent)"
  "$TERRAFORM" plan -var cutover=false -input=false -no-color >"$work/undo.log" 2>&1
  grep -A4 "Cutover Cannot Be Undone" "$work/undo.log"
fi

step "terraform destroy (cutover at its default, false): forget the COMPLETE migration (no API call), unlink, remove the token"
"$TERRAFORM" destroy -auto-approve -input=false -no-color

step "Simulator state after destroy"
curl -fsS "$sim_url/_sim/state" 2>/dev/null || true
echo
migration
step "Demo finished: link, validated migration, cutover, COMPLETE and destroy all succeeded"
