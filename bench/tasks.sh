#!/usr/bin/env bash
# Tasks, commands and files benchmark: p50/p99 from POST /utilities/command (`true`) to the task
# being completed, commands per second with 8 clients, ls req/s, and 10 MiB download throughput.
# Commands run as a real non-root user: as root this script creates `sfapidbench` and removes it.
# Usage: bench/tasks.sh [BUILD_DIR]   Environment: DURATION (10).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init "${1:-build}"
duration="${DURATION:-10}"

bench_user
bench_config
bench_start_sfapid
bench_token red
auth="Authorization: Bearer $token"
base="http://127.0.0.1:$port/api/v1.2"

driver="$(python3 "$here/bench/tasks_driver.py" "$port" "$token" "$duration" 8)"
read -r p50 p99 <<<"$(head -1 <<<"$driver")"
rate="$(tail -1 <<<"$driver")"

# A folder of 100 files for ls, and a 10 MiB text file for download, written as the user.
curl -s -H "$auth" --data-urlencode \
  "executable=mkdir -p lsdir && touch lsdir/f{1..100} && head -c 10485760 /dev/zero | tr '\\0' a > big.txt" \
  "$base/utilities/command/perlmutter" >/dev/null
for _ in $(seq 100); do [[ -s "$home/big.txt" && $(stat -c %s "$home/big.txt") -eq 10485760 ]] && break; sleep 0.1; done
for path in "ls/perlmutter/$home/lsdir" "download/perlmutter/$home/big.txt"; do
  curl -s -H "$auth" -o "$work/probe" "$base/utilities/$path"
  if [[ "$(head -c 15 "$work/probe")" != '{"status":"OK",' ]]; then
    echo "tasks.sh: GET $path did not answer OK" >&2
    exit 1
  fi
done
read -r ls_rps ls_p50 ls_p99 ls_err < <(wrk_run "$duration" 8 "$base/utilities/ls/perlmutter/$home/lsdir" -H "$auth")
read -r dl_rps dl_p50 dl_p99 dl_err < <(wrk_run "$duration" 2 "$base/utilities/download/perlmutter/$home/big.txt" -H "$auth")
dl_mb="$(awk -v r="$dl_rps" 'BEGIN {printf "%.0f", r * 10}')"

echo "### Tasks, commands and files"
echo
echo "Commands run as the non-root user $user through the privilege-dropping worker."
echo
echo "| measurement | result |"
echo "|---|---|"
echo "| POST command \`true\` → task completed, one at a time (300 runs) | p50 $p50 ms, p99 $p99 ms |"
echo "| commands per second, 8 clients, ${duration} s | $rate |"
echo "| GET ls of a 100-file folder, wrk 8 connections | $ls_rps req/s (p50 $ls_p50 ms, p99 $ls_p99 ms) |"
echo "| GET download of a 10 MiB file, wrk 2 connections | $dl_rps req/s = $dl_mb MiB/s (p50 $dl_p50 ms) |"
echo
echo "| target | measured | |"
echo "|---|---|---|"
echo "| p50 < 20 ms from POST to completed for \`true\` | $p50 ms | $(verdict "$p50 < 20") |"
echo
echo "wrk errors: ls $ls_err, download $dl_err"
