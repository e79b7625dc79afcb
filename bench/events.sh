#!/usr/bin/env bash
# Event stream benchmark: the time from a job's end (its last command writes the clock) to its
# COMPLETED event arriving on each of 1,000 connected streams (GET /events), p50/p99 over every
# delivery, with sfapid's resident memory before, with the streams open, and after the jobs; in
# the same run, the same latency with one stream (the reference: what fan-out adds). Local
# scheduler, one user. Usage: bench/events.sh [BUILD_DIR]   Environment: STREAMS (1000), JOBS (30).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init "${1:-build}"
streams="${STREAMS:-1000}"
jobs="${JOBS:-30}"
ulimit -n "$((streams * 2 + 1024))" 2>/dev/null || true

bench_user
bench_config "[server] max_connections = $((streams + 64))" \
  "[server] max_connections_per_address = 0" \
  "[events] max_streams_per_user = $((streams + 16))"
bench_start_sfapid
bench_token red

driver() { python3 "$here/bench/events_driver.py" "$port" "$token" "$1" "$jobs" "$home" "$sfapid_pid"; }
read -r one_p50 one_p99 one_max one_n _ _ _ <<<"$(driver 1)"
read -r p50 p99 max n rss_before rss_streams rss_after <<<"$(driver "$streams")"

echo "### Event stream"
echo
echo "Local scheduler, one user; $jobs jobs one after another, each ending with \`date +%s.%N\`"
echo "into a file; latency = when the COMPLETED event's bytes reach the client − that time."
echo
echo "| measurement | result |"
echo "|---|---|"
echo "| job end → event, 1 stream (reference), $one_n deliveries | p50 $one_p50 ms, p99 $one_p99 ms, max $one_max ms |"
echo "| job end → event, $streams streams, $n deliveries | p50 $p50 ms, p99 $p99 ms, max $max ms |"
echo "| sfapid RSS: before the streams / $streams open / after the jobs | $rss_before / $rss_streams / $rss_after MB |"
echo
echo "| target | measured | |"
echo "|---|---|---|"
echo "| p99 ≤ 100 ms with $streams streams | $p99 ms | $(verdict "$p99 <= 100") |"
echo "| RSS ≤ 150 MB with $streams streams | $rss_after MB | $(verdict "$rss_after <= 150") |"
