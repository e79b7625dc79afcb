#!/usr/bin/env bash
# IRI facility API v2 against the spec's own service targets (§7: >= 1,000 query requests/s across
# job-status and facility-status operations, >= 5 job creations/s per system, 90% of queries
# within 200 ms and 99% within 500 ms), each next to its SFAPI v1.2 equivalent in the same run:
# job creations with CLIENTS (8) clients (iri_driver.py), then wrk at CONNECTIONS (64) on the job
# status of one job, the facility and the resources' status, against SFAPI's job query by id and
# /status. Local scheduler; the jobs wait for a begin time, so none runs. As root the benchmark
# acts as a fresh user `sfapidbench`.
# Usage: bench/iri.sh [BUILD_DIR]   Environment: DURATION (10), CLIENTS (8), CONNECTIONS (64).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init "${1:-build}"
duration="${DURATION:-10}"
clients="${CLIENTS:-8}"
conns="${CONNECTIONS:-64}"

bench_user
bench_config "[[projects]] members = [\"$user\"]"
bench_start_sfapid
bench_token yellow
auth="Authorization: Bearer $token"
v1="http://127.0.0.1:$port/api/v1.2"
v2="http://127.0.0.1:$port/api/v2"

driver="$(python3 "$here/bench/iri_driver.py" "$port" "$token" "$duration" "$clients")"
read -r _ c2_rate c2_p50 c2_p90 c2_p99 c2_n <<<"$(grep '^iri ' <<<"$driver")"
read -r _ c1_rate c1_p50 c1_p90 c1_p99 c1_n <<<"$(grep '^sfapi ' <<<"$driver")"
read -r jobid task_id <<<"$(tail -1 <<<"$driver")"

# Each URL answers 200 before it is measured.
for url in "$v2/compute/status/perlmutter/$jobid" "$v2/facility" "$v2/status/resources" \
  "$v1/compute/jobs/perlmutter?kwargs=jobid%3D$jobid" "$v1/status" "$v2/task/$task_id"; do
  code="$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$url")"
  [[ "$code" == 200 ]] || { echo "iri.sh: $url answered $code" >&2; exit 1; }
done

read -r j2_rps j2_p50 j2_p90 j2_p99 j2_err < <(wrk_run_p90 "$duration" "$conns" "$v2/compute/status/perlmutter/$jobid" -H "$auth")
read -r j1_rps j1_p50 j1_p90 j1_p99 j1_err < <(wrk_run_p90 "$duration" "$conns" "$v1/compute/jobs/perlmutter?kwargs=jobid%3D$jobid" -H "$auth")
read -r f2_rps f2_p50 f2_p90 f2_p99 f2_err < <(wrk_run_p90 "$duration" "$conns" "$v2/facility")
read -r r2_rps r2_p50 r2_p90 r2_p99 r2_err < <(wrk_run_p90 "$duration" "$conns" "$v2/status/resources")
read -r s1_rps s1_p50 s1_p90 s1_p99 s1_err < <(wrk_run_p90 "$duration" "$conns" "$v1/status")
read -r t2_rps t2_p50 t2_p90 t2_p99 t2_err < <(wrk_run_p90 "$duration" "$conns" "$v2/task/$task_id" -H "$auth")
read -r t1_rps t1_p50 t1_p90 t1_p99 t1_err < <(wrk_run_p90 "$duration" "$conns" "$v1/tasks/$task_id" -H "$auth")

ratio() { awk "BEGIN {printf \"%.2f\", $1 / $2}"; }
echo "### IRI facility API v2 against the spec's targets (local scheduler)"
echo
echo "$clients clients creating jobs for ${duration} s per API; wrk at $conns connections for ${duration} s per query."
echo
echo "| measurement | IRI v2 | SFAPI v1.2 equivalent | IRI / SFAPI |"
echo "|---|---|---|---|"
echo "| job creations/s ($clients clients; IRI: launchJob answers the id; SFAPI: POST + poll the task) | $c2_rate (p50 $c2_p50, p90 $c2_p90, p99 $c2_p99 ms; $c2_n jobs) | $c1_rate (p50 $c1_p50, p90 $c1_p90, p99 $c1_p99 ms; $c1_n jobs) | $(ratio "$c2_rate" "$c1_rate") |"
echo "| job status of one job (getJob / GET /compute/jobs kwargs=jobid) | $j2_rps req/s (p90 $j2_p90, p99 $j2_p99 ms) | $j1_rps req/s (p90 $j1_p90, p99 $j1_p99 ms) | $(ratio "$j2_rps" "$j1_rps") |"
echo "| facility status (getResources / GET /status) | $r2_rps req/s (p90 $r2_p90, p99 $r2_p99 ms) | $s1_rps req/s (p90 $s1_p90, p99 $s1_p99 ms) | $(ratio "$r2_rps" "$s1_rps") |"
echo "| getFacility | $f2_rps req/s (p90 $f2_p90, p99 $f2_p99 ms) | | |"
echo "| a task (getTask / GET /tasks/{id}) | $t2_rps req/s (p90 $t2_p90, p99 $t2_p99 ms) | $t1_rps req/s (p90 $t1_p90, p99 $t1_p99 ms) | $(ratio "$t2_rps" "$t1_rps") |"
echo
lowest="$(printf '%s\n' "$j2_rps" "$r2_rps" "$f2_rps" "$t2_rps" | sort -n | head -1)"
worst90="$(printf '%s\n' "$j2_p90" "$r2_p90" "$f2_p90" "$t2_p90" | sort -g | tail -1)"
worst99="$(printf '%s\n' "$j2_p99" "$r2_p99" "$f2_p99" "$t2_p99" | sort -g | tail -1)"
echo "| spec target (§7) | measured (IRI, worst of the queries) | margin | |"
echo "|---|---|---|---|"
echo "| P2 ≥ 1,000 query requests/s | $lowest req/s | $(ratio "$lowest" 1000)× | $(verdict "$lowest >= 1000") |"
echo "| P3 ≥ 5 job creations/s per system | $c2_rate/s | $(ratio "$c2_rate" 5)× | $(verdict "$c2_rate >= 5") |"
echo "| P4 90% of queries ≤ 200 ms | p90 $worst90 ms | $(ratio 200 "$worst90")× | $(verdict "$worst90 <= 200") |"
echo "| P4 99% of queries ≤ 500 ms | p99 $worst99 ms | $(ratio 500 "$worst99")× | $(verdict "$worst99 <= 500") |"
echo
echo "wrk errors: getJob $j2_err, SFAPI job $j1_err, getFacility $f2_err, getResources $r2_err, /status $s1_err, getTask $t2_err, /tasks $t1_err"
