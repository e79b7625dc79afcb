#!/usr/bin/env bash
# HTTP benchmark: wrk against sfapid's GET /api/v1.2/status and against bench/hello_server (a
# minimal Beast keep-alive server) in the same run, with the same thread count; prints a markdown
# table of req/s, p50/p99 latency and peak RSS. Usage: bench/http_status.sh [BUILD_DIR]
# Environment: DURATION (seconds measured, default 10), WARMUP (default 2), CONNECTIONS (64),
# THREADS (server threads, 2), WRK_THREADS (2), TARGET (sfapid path, /api/v1.2/status).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
[[ "$build" = /* ]] || build="$here/$build"
sfapid="$build/sfapid"
hello="$build/bench/hello_server"
duration="${DURATION:-10}"
warmup="${WARMUP:-2}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
wrk_threads="${WRK_THREADS:-2}"
target="${TARGET:-/api/v1.2/status}"

for tool in wrk "$sfapid" "$hello"; do
  if ! command -v "$tool" >/dev/null; then
    echo "http_status.sh: $tool not found (build with -DSFAPID_BENCH=ON, install wrk)" >&2
    exit 1
  fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/sfapid-bench.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# The default configuration (so /status lists the usual systems), on a kernel-chosen loopback
# port, with its data in the temporary folder and no access log.
"$sfapid" config default |
  sed -e "s|^data_dir = .*|data_dir = \"$work/data\"|" \
      -e 's|^listen = .*|listen = "127.0.0.1"|' \
      -e 's|^port = .*|port = 0|' \
      -e "s|^threads = .*|threads = $threads|" \
      -e 's|^access_log = .*|access_log = false|' >"$work/sfapid.toml"
"$sfapid" config check "$work/sfapid.toml" >/dev/null

# Starts "$@" with output to $log and waits until the output matches $pattern; sets port from
# the first capture group of $pattern.
start_server() {
  local log="$1" pattern="$2"
  shift 2
  "$@" >"$log" 2>&1 &
  pids+=("$!")
  started_pid="$!"
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

# Other work on the machine skews the numbers: say how busy it was just before the run.
cpu_busy_percent() {
  local a b
  read -r -a a < <(head -1 /proc/stat)
  sleep 1
  read -r -a b < <(head -1 /proc/stat)
  awk -v u="$((b[1] + b[2] + b[3] + b[6] + b[7] - a[1] - a[2] - a[3] - a[6] - a[7]))" \
      -v i="$((b[4] + b[5] - a[4] - a[5]))" 'BEGIN {printf "%.0f", u + i ? 100 * u / (u + i) : 0}'
}
busy="$(cpu_busy_percent)"

code="$(curl -s -o /dev/null -w '%{http_code}' "$status_url" 2>/dev/null || echo 000)"
[[ "$code" == 200 ]] || { echo "http_status.sh: $status_url answered $code" >&2; exit 1; }

# Latency as wrk prints it (e.g. 812.00us, 1.20ms, 1.02s) in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000;
    else if (v ~ /s$/) n *= 1000
    printf "%.2f", n }'
}

# CPU time in clock ticks: all processes' user+system time (/proc/stat), and that of ours (both
# servers and their children, plus wrk and the other finished children of this shell).
all_ticks() { awk '/^cpu / {print $2 + $3 + $4}' /proc/stat; }
total_ticks() { awk '/^cpu / {s = 0; for (i = 2; i <= NF; i++) s += $i; print s}' /proc/stat; }
our_ticks() {
  cat "/proc/$sfapid_pid/stat" "/proc/$hello_pid/stat" "/proc/$$/stat" |
    awk '{s += $14 + $15 + $16 + $17} END {print s}'
}

# Runs wrk (warm-up, then the measurement) and sets rps, p50, p99 (ms), errors, and others (the
# share of CPU that other processes on the machine used during the measurement, in %).
measure() {
  local url="$1" out all0 our0 total0
  timeout $((warmup + 30)) wrk -t"$wrk_threads" -c"$connections" -d"${warmup}s" "$url" >/dev/null
  all0="$(all_ticks)" our0="$(our_ticks)" total0="$(total_ticks)"
  out="$(timeout $((duration + 30)) wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency "$url")"
  others="$(awk -v a="$(($(all_ticks) - all0))" -v o="$(($(our_ticks) - our0))" \
    -v t="$(($(total_ticks) - total0))" 'BEGIN {x = a > o ? a - o : 0; printf "%.0f", t ? 100 * x / t : 0}')"
  echo "$out" >>"$work/wrk.txt"
  rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")"
  p50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
  errors="$(awk '/Socket errors|Non-2xx/ {print}' <<<"$out" | tr '\n' ' ')"
}

# Peak resident memory of a process in MB (VmHWM).
peak_rss_mb() {
  awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"
}

measure "$status_url"
status_rps="$rps" status_p50="$p50" status_p99="$p99" status_errors="$errors" status_others="$others"
measure "$hello_url"
hello_rps="$rps" hello_p50="$p50" hello_p99="$p99" hello_errors="$errors" hello_others="$others"
status_rss="$(peak_rss_mb "$sfapid_pid")"
hello_rss="$(peak_rss_mb "$hello_pid")"

ratio="$(awk -v a="$status_rps" -v b="$hello_rps" 'BEGIN {printf "%.0f", 100 * a / b}')"
verdict() { if awk "BEGIN {exit !($1)}"; then echo met; else echo "NOT met"; fi; }

echo "### GET $target vs. hello server"
echo
echo "wrk -t$wrk_threads -c$connections -d${duration}s --latency (after a ${warmup} s warm-up); server threads = $threads; access_log = false"
echo
echo "| server | req/s | p50 (ms) | p99 (ms) | peak RSS (MB) |"
echo "|---|---:|---:|---:|---:|"
echo "| sfapid GET $target | $status_rps | $status_p50 | $status_p99 | $status_rss |"
echo "| hello_server (Beast, ${threads} threads) | $hello_rps | $hello_p50 | $hello_p99 | $hello_rss |"
echo
echo "status/hello: ${ratio}% of the hello server's req/s"
echo
echo "| target | measured | |"
echo "|---|---|---|"
echo "| req/s ≥ 70% of hello | ${ratio}% | $(verdict "$ratio >= 70") |"
echo "| p99 < 5 ms | $status_p99 ms | $(verdict "$status_p99 < 5") |"
echo "| peak RSS < 50 MB | $status_rss MB | $(verdict "$status_rss < 50") |"
echo
echo "Other processes' share of the CPU: ${busy}% in the second before the run, ${status_others}% and" \
  "${hello_others}% during the two measurements$( ((busy > 5 || status_others > 5 || hello_others > 5)) &&
    echo ' — other work was running: repeat on a quiet machine')."
if [[ -n "$status_errors$hello_errors" ]]; then
  echo
  echo "wrk reported: ${status_errors:+status: $status_errors}${hello_errors:+hello: $hello_errors}"
fi
