#!/usr/bin/env bash
# HTTP benchmark: wrk against sfapid's GET /api/v1.2/status and against bench/hello_server (a
# minimal Beast keep-alive server with the same thread count) in the same run; prints a markdown
# table of req/s, p50/p99 latency and peak RSS, and the status/hello ratio.
# Usage: bench/http_status.sh [BUILD_DIR]   (default: the repository's build/)
# Environment: ROUNDS (clean rounds wanted, default 3), MAX_BUSY (the CPU share, %, that other
# processes may use in a clean round, 5), DURATION (seconds measured per round, 10), WARMUP (2),
# CONNECTIONS (64), THREADS (server threads, 2), WRK_THREADS (2), TARGET (/api/v1.2/status),
# ACCESS_LOG (false; true writes sfapid's access log to a file in the temporary folder),
# RATE_LIMIT (0: rate limits off; N: every [rate_limits] rate set to N per second, so the guard's
# buckets are consulted on every request but never refuse: its cost).
#
# Each round warms up and measures both servers back to back (the order alternates between
# rounds); the table shows the medians over the clean rounds, those in which other processes left
# the CPU alone. Throughput on this kind of machine drifts by tens of percent from minute to
# minute, so one pair of runs is not enough to judge a ratio.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build}"
[[ "$build" = /* ]] || build="$PWD/$build"
sfapid="$build/sfapid"
hello="$build/bench/hello_server"
rounds="${ROUNDS:-3}"
max_busy="${MAX_BUSY:-5}"
duration="${DURATION:-10}"
warmup="${WARMUP:-2}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
wrk_threads="${WRK_THREADS:-2}"
target="${TARGET:-/api/v1.2/status}"
access_log="${ACCESS_LOG:-false}"
rate_limit="${RATE_LIMIT:-0}"

for tool in wrk curl "$sfapid" "$hello"; do
  if ! command -v "$tool" >/dev/null; then
    echo "http_status.sh: $tool not found (configure with -DSFAPID_BENCH=ON; install wrk, curl)" >&2
    exit 1
  fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/sfapid-bench.XXXXXX")"
pids=()
trap bench_cleanup EXIT

# The default configuration (so /status lists the usual systems) on a kernel-chosen loopback
# port, with its data in the temporary folder, (unless ACCESS_LOG=true) no access log, and no rate
# limits (one loopback address would be held to them) unless RATE_LIMIT says how high.
"$sfapid" config default |
  sed -e "s|^data_dir = .*|data_dir = \"$work/data\"|" \
      -e 's|^listen = [^#]*|listen = "127.0.0.1" |' \
      -e 's|^port = [^#]*|port = 0 |' \
      -e "s|^threads = [^#]*|threads = $threads |" \
      -e "s|^access_log = [^#]*|access_log = $access_log |" \
      -e "s/^\([a-z]*_per_\(client\|address\)\) = [^#]*/\1 = $rate_limit /" >"$work/sfapid.toml"
for key in "data_dir = \"$work/data\"" 'listen = "127.0.0.1"' 'port = 0' "threads = $threads" \
  "access_log = $access_log"; do
  if ! grep -qF "$key" "$work/sfapid.toml"; then
    echo "http_status.sh: could not set '$key' in sfapid's default configuration" >&2
    exit 1
  fi
done
"$sfapid" config check "$work/sfapid.toml" >/dev/null

# Starts "$@" with output to $log and waits until the output matches $pattern; sets started_pid
# and port (the first capture group of $pattern).
start_server() {
  local log="$1" pattern="$2"
  shift 2
  "$@" >"$log" 2>&1 &
  started_pid="$!"
  pids+=("$started_pid")
  for _ in $(seq 100); do
    if [[ "$(cat "$log")" =~ $pattern ]]; then
      port="${BASH_REMATCH[1]}"
      return 0
    fi
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "http_status.sh: $1 did not start:" >&2
  cat "$log" >&2
  exit 1
}

start_server "$work/sfapid.log" 'listening on http://127\.0\.0\.1:([0-9]+)/' \
  "$sfapid" --config "$work/sfapid.toml" serve
sfapid_pid="$started_pid"
status_url="http://127.0.0.1:$port$target"
start_server "$work/hello.log" 'listening on ([0-9]+)' "$hello" 0 "$threads"
hello_pid="$started_pid"
hello_url="http://127.0.0.1:$port/"

for url in "$status_url" "$hello_url"; do
  code="$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$url" || true)"
  if [[ "$code" != 200 ]]; then
    echo "http_status.sh: $url answered ${code:-nothing}" >&2
    exit 1
  fi
done

# CPU time in clock ticks: everyone's user+system time (/proc/stat), all time, and ours (both
# servers and their children, plus wrk and the other finished children of this shell).
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4}' /proc/stat; }
total_ticks() { awk '/^cpu / {s = 0; for (i = 2; i <= NF; i++) s += $i; print s}' /proc/stat; }
our_ticks() {
  cat "/proc/$sfapid_pid/stat" "/proc/$hello_pid/stat" "/proc/$$/stat" |
    awk '{s += $14 + $15 + $16 + $17} END {print s}'
}
# The share of the CPU (%) that other processes used since busy0/our0/total0 were taken.
others_percent() {
  awk -v b="$(($(busy_ticks) - busy0))" -v o="$(($(our_ticks) - our0))" \
    -v t="$(($(total_ticks) - total0))" \
    'BEGIN {x = b > o ? b - o : 0; printf "%.0f", t ? 100 * x / t : 0}'
}

busy0="$(busy_ticks)" our0="$(our_ticks)" total0="$(total_ticks)"
sleep 1
others_before="$(others_percent)"


# Warms up, then measures one server; appends "req/s p50 p99 others%" to $work/$name and wrk's
# error counts, if any, to $work/errors.
measure() {
  local name="$1" url="$2" out rps p50 p99 errors others
  timeout $((warmup + 30)) wrk -t"$wrk_threads" -c"$connections" -d"${warmup}s" "$url" >/dev/null
  busy0="$(busy_ticks)" our0="$(our_ticks)" total0="$(total_ticks)"
  out="$(timeout $((duration + 30)) wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" \
    --latency "$url")"
  others="$(others_percent)"
  rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")"
  p50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
  errors="$(awk '/Socket errors|Non-2xx/ {$1 = $1; printf "%s; ", $0}' <<<"$out")"
  echo "$rps $p50 $p99 $others" >>"$work/$name"
  if [[ -n "$errors" ]]; then echo "- $name, round $round: $errors" >>"$work/errors"; fi
}

# A round is clean when other processes used at most $max_busy % of the CPU during both of its
# measurements; busy rounds are repeated, up to twice as many rounds as asked for in all.
clean=0
round=0
while ((clean < rounds && round < 2 * rounds)); do
  round=$((round + 1))
  if ((round % 2)); then
    measure status "$status_url"
    measure hello "$hello_url"
  else
    measure hello "$hello_url"
    measure status "$status_url"
  fi
  if (($(tail -1 "$work/status" | cut -d' ' -f4) <= max_busy &&
    $(tail -1 "$work/hello" | cut -d' ' -f4) <= max_busy)); then
    clean=$((clean + 1))
    echo 1 >>"$work/clean"
  else
    echo 0 >>"$work/clean"
  fi
done

# Peak resident memory of a process in MB (VmHWM), after all rounds.
peak_rss_mb() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
status_rss="$(peak_rss_mb "$sfapid_pid")"
hello_rss="$(peak_rss_mb "$hello_pid")"

# One line per round: status req/s p50 p99 others, hello req/s p50 p99 others, ratio %, clean.
paste -d' ' "$work/status" "$work/hello" "$work/clean" |
  awk '{print $1, $2, $3, $4, $5, $6, $7, $8, 100 * $1 / $5, $9}' >"$work/rounds"
# The medians are over the clean rounds, or over all of them when none was clean.
if ((clean > 0)); then awk '$10 == 1' "$work/rounds" >"$work/used"; else cp "$work/rounds" "$work/used"; fi
used="$(wc -l <"$work/used")"

# The median of column $1 of $work/used.
median() {
  cut -d' ' -f"$1" "$work/used" | sort -g |
    awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
status_rps="$(printf '%.0f' "$(median 1)")" hello_rps="$(printf '%.0f' "$(median 5)")"
status_p50="$(printf '%.2f' "$(median 2)")" hello_p50="$(printf '%.2f' "$(median 6)")"
status_p99="$(printf '%.2f' "$(median 3)")" hello_p99="$(printf '%.2f' "$(median 7)")"
ratio="$(printf '%.0f' "$(median 9)")"
verdict() { if awk "BEGIN {exit !($1)}"; then echo met; else echo "**not met**"; fi; }

echo "### GET $target vs. hello server"
echo
echo "wrk -t$wrk_threads -c$connections -d${duration}s --latency, each after a ${warmup} s warm-up;" \
  "server threads = $threads; sfapid access_log = $access_log. Medians of $used round(s)."
echo
echo "| server | req/s | p50 (ms) | p99 (ms) | peak RSS (MB) |"
echo "|---|---:|---:|---:|---:|"
echo "| sfapid GET $target | $status_rps | $status_p50 | $status_p99 | $status_rss |"
echo "| hello_server (Beast, $threads threads) | $hello_rps | $hello_p50 | $hello_p99 | $hello_rss |"
echo
echo "status/hello: ${ratio}% of the hello server's req/s (median of the rounds' ratios)"
echo
echo "| target | measured | |"
echo "|---|---|---|"
echo "| req/s ≥ 70% of hello | ${ratio}% | $(verdict "$ratio >= 70") |"
echo "| p99 < 5 ms | $status_p99 ms | $(verdict "$status_p99 < 5") |"
echo "| peak RSS < 50 MB | $status_rss MB | $(verdict "$status_rss < 50") |"
echo
echo "Rounds (req/s, p50 ms, p99 ms; other processes' share of the CPU during the measurement):"
echo
echo "| round | sfapid | hello | status/hello | |"
echo "|---:|---|---|---:|---|"
awk '{printf "| %d | %s, %s, %s; %s%% | %s, %s, %s; %s%% | %.0f%% | %s |\n", NR, $1, $2, $3, $4,
  $5, $6, $7, $8, $9, $10 ? "" : "busy: left out"}' "$work/rounds"
if [[ -s "$work/errors" ]]; then
  echo
  echo "wrk reported errors:"
  cat "$work/errors"
fi
echo
if ((clean == 0)); then
  echo "**Warning: other processes used more than ${max_busy}% of the CPU in every round; the" \
    "numbers are skewed. Repeat on a quiet machine.**"
elif ((clean < rounds)); then
  echo "Warning: $clean of $round rounds clean (other processes at most ${max_busy}% of the CPU)," \
    "$rounds wanted; repeat on a quieter machine."
elif ((others_before > max_busy)); then
  echo "Other processes used ${others_before}% of the CPU just before the run, at most ${max_busy}%" \
    "during the rounds used."
fi
