#!/usr/bin/env bash
# The demo: start the simulator on a free loopback port, point terraform at
# the freshly built provider through a temporary CLI configuration with
# dev_overrides, then apply, plan (expecting no changes) and destroy
# examples/complete. Nothing is downloaded and nothing is written outside
# ./.demo; the simulator is stopped however the demo ends.
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
bin/atlasmig-sim -addr 127.0.0.1:0 -ready-file "$work/ready" -state examples/complete/simulator-state.json \
  >"$work/simulator.env" 2>"$work/simulator.log" &
sim_pid=$!
for _ in $(seq 1 100); do
  [[ -s $work/ready ]] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$work/simulator.log" >&2; exit 1; }
  sleep 0.1
done
[[ -s $work/ready ]] || { echo "the simulator did not start within 10s" >&2; exit 1; }
# The simulator prints `export NAME=value` lines: the same variables MongoDB's
# own tools read, so the provider block in the example stays empty.
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

step "terraform apply: create the Atlas link token and link the source organization"
"$TERRAFORM" apply -auto-approve -input=false -no-color

step "terraform plan: expecting no changes"
set +e
"$TERRAFORM" plan -detailed-exitcode -input=false -no-color
plan_status=$?
set -e
if ((plan_status != 0)); then
  echo "expected an empty plan (exit 0), got exit $plan_status" >&2
  exit 1
fi

step "terraform destroy: unlink and remove the token"
"$TERRAFORM" destroy -auto-approve -input=false -no-color

step "Simulator state after destroy"
curl -fsS "$(cat "$work/ready")/_sim/state" 2>/dev/null || true
echo
step "Demo finished: apply, empty plan and destroy all succeeded"
