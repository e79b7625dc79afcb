#!/usr/bin/env bash
# Compute benchmark (local scheduler): p50/p99 from POST /compute/jobs to the job id (task
# completed), submissions per second with 8 and with 16 concurrent clients, then the queue query
# with JOBS (10,000) jobs known: wrk at 64 connections on GET /compute/jobs/perlmutter filtered by
# one job id (the issue's target), and by user with limit=100 (reported). Baselines in the same
# run: GET /status and an authenticated GET /tasks/{id}. The jobs are inline scripts with
# `#SBATCH --begin=now+1hour`, so none of them runs. Jobs belong to a real non-root user: as root this script
# creates `sfapidbench` and removes it.
# Usage: bench/compute.sh [BUILD_DIR]   Environment: DURATION (10), CLIENTS (8,16: the client
# counts measured), JOBS (10000), CONNECTIONS (64), WAIT_FOR_END_MS ([tasks] wait_for_end_ms;
# the configuration's default unless set: 0 answers a submission's POST at once, so the clients
# poll until the task ends, the SFAPI's usual way).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init "${1:-build}"
duration="${DURATION:-10}"
clients="${CLIENTS:-8,16}"
jobs="${JOBS:-10000}"
conns="${CONNECTIONS:-64}"

bench_user
# The bench user may charge the embedded default's project (jobs are checked against it).
bench_config "[[projects]] members = [\"$user\"]" \
  ${WAIT_FOR_END_MS:+"[tasks] wait_for_end_ms = $WAIT_FOR_END_MS"}
bench_start_sfapid
bench_token yellow
auth="Authorization: Bearer $token"
base="http://127.0.0.1:$port/api/v1.2"

t0="$(date +%s.%N)"
driver="$(python3 "$here/bench/compute_driver.py" "$port" "$token" "$duration" "$clients" "$jobs")"
fill_s="$(echo "$(date +%s.%N) $t0" | awk '{printf "%.0f", $1 - $2}')"
read -r p50 p99 <<<"$(head -1 <<<"$driver")"
loads="$(sed '1d;$d' <<<"$driver")"  # one line per client count: N rate p50 p99 count
rate="$(awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}' <<<"$loads")"
read -r known first_id mid_id last_id task_id <<<"$(tail -1 <<<"$driver")"

# Every job is queued (waiting for its begin time) and visible to the user filter.
count="$(curl -s -H "$auth" "$base/compute/jobs/perlmutter?cached=false&kwargs=user%3D$user" |
  python3 -c 'import json, sys; b = json.load(sys.stdin); print(len(b["output"]) if b["status"] == "OK" else -1)')"
if [[ "$count" != "$known" ]]; then
  echo "compute.sh: the queue lists $count of the $known jobs submitted" >&2
  exit 1
fi

by_id="$base/compute/jobs/perlmutter?kwargs=jobid%3D$mid_id&cached=false"
by_user="$base/compute/jobs/perlmutter?kwargs=user%3D$user&limit=100&cached=false"
by_id_sacct="$base/compute/jobs/perlmutter?kwargs=jobid%3D$mid_id&sacct=true&cached=false"
user_bytes="$(curl -s -H "$auth" "$by_user" | wc -c)"
for url in "$by_id" "$by_user" "$by_id_sacct"; do
  curl -s -H "$auth" -o "$work/probe" "$url"
  rows="$(python3 -c 'import json, sys; b = json.load(open(sys.argv[1])); print(len(b["output"]) if b["status"] == "OK" else -1)' "$work/probe")"
  want=1; [[ "$url" == "$by_user" ]] && want=100
  if [[ "$rows" != "$want" ]]; then
    echo "compute.sh: GET $url gave $rows rows, not $want: $(head -c 300 "$work/probe")" >&2
    exit 1
  fi
done

read -r st_rps st_p50 st_p99 st_err < <(wrk_run "$duration" "$conns" "http://127.0.0.1:$port/api/v1.2/status")
read -r tk_rps tk_p50 tk_p99 tk_err < <(wrk_run "$duration" "$conns" "$base/tasks/$task_id" -H "$auth")
read -r id_rps id_p50 id_p99 id_err < <(wrk_run "$duration" "$conns" "$by_id" -H "$auth")
read -r us_rps us_p50 us_p99 us_err < <(wrk_run "$duration" "$conns" "$by_user" -H "$auth")
read -r sa_rps sa_p50 sa_p99 sa_err < <(wrk_run "$duration" "$conns" "$by_id_sacct" -H "$auth")
rss="$(peak_rss_mb "$sfapid_pid")"

echo "### Compute (local scheduler)"
echo
echo "Jobs are inline scripts with \`#SBATCH --begin=now+1hour\` submitted by the non-root user $user, so none" \
  "of them runs and the $(nproc) cores stay with sfapid and the clients. Latency is from POST" \
  "/compute/jobs to GET /tasks/{id} showing the job id, polled every 1 ms alone and every 5 ms" \
  "under load; the clients are Python threads on the same machine. [tasks] wait_for_end_ms:" \
  "$(sed -n 's/^wait_for_end_ms = \([0-9]*\).*/\1/p' "$work/sfapid.toml") ms."
echo
echo "| measurement | result |"
echo "|---|---|"
echo "| POST → job id, one at a time (200 runs) | p50 $p50 ms, p99 $p99 ms |"
while read -r n n_rate n_p50 n_p99 n_count; do
  echo "| submissions per second, $n clients, ${duration} s ($n_count jobs) | $n_rate (POST → job id p50 $n_p50 ms, p99 $n_p99 ms) |"
done <<<"$loads"
echo "| jobs known for the queries (submitted in ${fill_s} s) | $known |"
echo "| GET /status (baseline, unauthenticated), wrk $conns connections | $st_rps req/s (p50 $st_p50 ms, p99 $st_p99 ms) |"
echo "| GET /tasks/{id} of a task that just ended (from memory), authenticated, wrk $conns connections | $tk_rps req/s (p50 $tk_p50 ms, p99 $tk_p99 ms) |"
echo "| GET /compute/jobs kwargs=jobid=<one id>, wrk $conns connections | $id_rps req/s (p50 $id_p50 ms, p99 $id_p99 ms) |"
echo "| GET /compute/jobs kwargs=user=<user>&limit=100 ($user_bytes bytes), wrk $conns connections | $us_rps req/s (p50 $us_p50 ms, p99 $us_p99 ms) |"
echo "| GET /compute/jobs sacct=true kwargs=jobid=<one id>, wrk $conns connections | $sa_rps req/s (p50 $sa_p50 ms, p99 $sa_p99 ms) |"
echo "| sfapid peak RSS with $known jobs | $rss MB |"
echo
rate8="$(awk '$1 == 8 {print $2}' <<<"$loads")"
rate16="$(awk '$1 == 16 {print $2}' <<<"$loads")"
echo "| target (issue 22) | measured | |"
echo "|---|---|---|"
if [[ -n "$rate8" && -n "$rate16" ]]; then
  echo "| ≥ 500 submissions/s with 8 clients | $rate8 | $(verdict "$rate8 >= 500") |"
  echo "| ≥ 500 submissions/s with 16 clients, no slower than 8 | $rate16 | $(verdict "$rate16 >= 500 && $rate16 >= $rate8") |"
fi
echo "| queue query by job id, p99 ≤ 5 ms at $conns connections | $id_p99 ms | $(verdict "$id_p99 <= 5") |"
echo "| queue query by user with limit=100, p99 ≤ 20 ms at $conns connections | $us_p99 ms | $(verdict "$us_p99 <= 20") |"
echo
echo "wrk errors: status $st_err, tasks $tk_err, by id $id_err, by user $us_err, sacct by id $sa_err"
