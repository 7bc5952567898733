#!/usr/bin/env bash
# Measures the wall time of `make test` and writes it into BENCHMARKS.md
# (section "Test suite wall time"), beside the benchmark's figures.
#   warm: this working copy, with the module and build caches as they are
#         (run after a first `make test`);
#   cold: a fresh clone with empty module and build caches (every module
#         downloaded from the proxy, everything compiled), when COLD=1.
# Usage: scripts/time-suite.sh [runs]   (default 3 warm runs)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-3}
command -v jq >/dev/null || { echo "time-suite.sh reads go test -json with jq: install it (apt-get install jq)" >&2; exit 1; }

seconds() { # seconds CMD...: run CMD quietly, print its wall time in seconds
  local start end
  start=$(date +%s.%N)
  "$@" >/tmp/time-suite.$$.log 2>&1 || { cat /tmp/time-suite.$$.log >&2; echo "make test failed" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

make test >/dev/null 2>&1 # warm the caches
warm=()
for _ in $(seq 1 "$runs"); do
  warm+=("$(seconds make test)")
done
cold=""
if [[ ${COLD:-0} == 1 ]]; then
  tmp=$(mktemp -d)
  git clone -q "$root" "$tmp/repo"
  cold=$(cd "$tmp/repo" && seconds env GOMODCACHE="$tmp/mod" GOCACHE="$tmp/cache" GOFLAGS=-modcacherw make test)
  chmod -R u+w "$tmp" && rm -rf "$tmp"
fi

# Where the time goes: each step of make test on its own (warm), and the
# slowest tests of the Go step, from go test -json.
steps=()
json=$(mktemp)
export ATLASMIG_PROVIDER_DIR="$root/bin"
for step in provider test-go test-soak test-examples test-docs fuzz; do
  if [[ $step == test-go ]]; then
    steps+=("$step $(seconds make test-go GOTESTFLAGS=-json)")
    cp /tmp/time-suite.$$.log "$json"
  else
    steps+=("$step $(seconds make "$step")")
  fi
done
slowest=$(jq -rR 'fromjson? | select(.Action=="pass" and .Test != null and (.Test|contains("/")|not)) | "\(.Elapsed) \(.Package|split("/")|last) \(.Test)"' "$json" | sort -rn | head -10)
packages=$(jq -rR 'fromjson? | select(.Action=="pass" and .Test == null) | "\(.Elapsed) \(.Package|split("/")|last)"' "$json" | sort -rn | head -6)
rm -f "$json"

sorted=$(printf '%s\n' "${warm[@]}" | sort -n)
median=$(sed -n "$(((runs + 1) / 2))p" <<<"$sorted")
{
  awk '/^## Test suite wall time$/ { exit } { print }' BENCHMARKS.md | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
  echo
  echo "## Test suite wall time"
  echo
  echo "Produced by \`scripts/time-suite.sh\`: \`make test\` from start to end (build once, then every Go package,"
  echo "the short soak, example validation, docs check and fuzzing side by side), on $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), load average"
  echo "$(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine slows it)."
  echo
  echo "| cache | runs | median | min | max |"
  echo "|---|---|---|---|---|"
  printf '| warm (modules and build cache filled) | %d | %.0f s | %.0f s | %.0f s |\n' "$runs" "$median" "$(head -1 <<<"$sorted")" "$(tail -1 <<<"$sorted")"
  if [[ -n $cold ]]; then
    printf '| cold (fresh clone, empty module and build caches) | 1 | %.0f s | | |\n' "$cold"
  fi
  echo
  echo "Where the time goes, from one more run of each step on its own (the Go step runs its packages"
  echo "side by side, so its wall time is that of its slowest packages, not their sum):"
  echo
  echo "| step | seconds |"
  echo "|---|---|"
  for s in "${steps[@]}"; do printf '| %s | %.0f |\n' "${s% *}" "${s##* }"; done
  echo
  echo "| slowest packages of the Go step | seconds |"
  echo "|---|---|"
  while read -r secs name; do printf '| %s | %.0f |\n' "$name" "$secs"; done <<<"$packages"
  echo
  echo "| slowest tests | package | seconds |"
  echo "|---|---|---|"
  while read -r secs pkg name; do printf '| %s | %s | %.1f |\n' "$name" "$pkg" "$secs"; done <<<"$slowest"
} >BENCHMARKS.md.new
mv BENCHMARKS.md.new BENCHMARKS.md
rm -f /tmp/time-suite.$$.log
sed -n '/^## Test suite wall time$/,$p' BENCHMARKS.md
