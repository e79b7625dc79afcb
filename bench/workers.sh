#!/usr/bin/env bash
# Per-user workers benchmark: what `[runas] workers = "per_user"` (one long-lived worker per user)
# changes against "per_operation" (a fresh `sfapid worker` per file operation), in the same run:
# ls of a 1,000-entry folder and download of a 1 MiB file (wrk, 8 connections), and POST command
# `true` → task completed (200 runs one at a time). Modes alternate, one server each per round;
# the median of the rounds is reported. As root this script creates `sfapidbench` and removes it.
# Usage: bench/workers.sh [BUILD_DIR]   Environment: ROUNDS (3), DURATION (5), ENTRIES (1000: the
# ls folder's size; the targets are stated for 1,000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init "${1:-build}"
rounds="${ROUNDS:-3}"
duration="${DURATION:-5}"
entries="${ENTRIES:-1000}"
modes=(per_user per_operation)

# A private copy of the binary: a rebuild during the run would otherwise put the two modes (or the
# rounds) on different code. Workers are /proc/self/exe, so they follow the copy.
cp "$sfapid" "$work/sfapid"
sfapid="$work/sfapid"

bench_user
# The data, written once as the user before any server runs, so both modes read the same files.
as_user "cd '$home' && mkdir -p lsdir && touch lsdir/f{1..$entries} &&
  head -c 1048576 /dev/zero | tr '\\0' a > mib.txt"

# Stops the server bench_start_sfapid started, as bench_cleanup would, and forgets its pid (a
# reused pid must not be killed at exit).
stop_sfapid() {
  kill -TERM "$sfapid_pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$sfapid_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$sfapid_pid" 2>/dev/null || true
  wait "$sfapid_pid" 2>/dev/null || true
  local keep=() pid
  for pid in "${pids[@]}"; do [[ "$pid" == "$sfapid_pid" ]] || keep+=("$pid"); done
  pids=("${keep[@]}")
}

# probe PATH [curl options]: the answer must be JSON with "status": "OK" — otherwise a wrk run
# would happily measure error answers. Parsed, not matched as a prefix: the command's answer
# starts with "task_id".
probe() {
  local path="$1"
  shift
  curl -s -H "$auth" -o "$work/probe" "$@" "$base/utilities/$path"
  if ! python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])).get("status") != "OK")' \
      "$work/probe" 2>/dev/null; then
    echo "workers.sh ($mode): $path did not answer OK: $(head -c 300 "$work/probe")" >&2
    cat "$work/sfapid.log" >&2
    exit 1
  fi
}

# measure URL CONNS: wrk_run, failing when it measured nothing (wrk's failure is lost in the pipe).
measure() {
  local out
  out="$(wrk_run "$duration" "$2" "$1" -H "$auth")"
  [[ "${out%% *}" -gt 0 ]] || { echo "workers.sh ($mode): wrk measured nothing on $1" >&2; exit 1; }
  echo "$out"
}

# One round of one mode: appends "ls_rps ls_p50 ls_p99 ls_err dl_rps dl_p50 dl_err cmd_p50 cmd_p99"
# to $work/$mode.
run_mode() {
  mode="$1"
  bench_config "[runas] workers = \"$mode\""
  bench_start_sfapid
  rm -f "$work/client.pem"  # `client create` will not overwrite the previous server's key
  bench_token red
  auth="Authorization: Bearer $token"
  base="http://127.0.0.1:$port/api/v1.2"
  probe "ls/perlmutter/$home/lsdir"
  probe "download/perlmutter/$home/mib.txt"
  probe "command/perlmutter" --data-urlencode "executable=true"
  local ls dl cmd
  ls="$(measure "$base/utilities/ls/perlmutter/$home/lsdir" 8)"
  dl="$(measure "$base/utilities/download/perlmutter/$home/mib.txt" 8)"
  # Seconds 0: only the one-at-a-time latency part of the driver (its first line; not `| head`,
  # whose early exit would break the driver's pipe).
  cmd="$(python3 "$here/bench/tasks_driver.py" "$port" "$token" 0 1 200)"
  cmd="${cmd%%$'\n'*}"
  read -r ls_rps ls_p50 ls_p99 ls_err <<<"$ls"
  read -r dl_rps dl_p50 _ dl_err <<<"$dl"
  echo "$ls_rps $ls_p50 $ls_p99 $ls_err $dl_rps $dl_p50 $dl_err $cmd" >>"$work/$mode"
  stop_sfapid
}

# Alternating order: the mode that runs first in a round gets a quieter machine (page cache,
# another tenant's load), so neither mode always has that place.
for round in $(seq "$rounds"); do
  if ((round % 2)); then order=("${modes[@]}"); else order=("${modes[1]}" "${modes[0]}"); fi
  for m in "${order[@]}"; do run_mode "$m"; done
done

# median MODE COLUMN: the median over the rounds (the lower middle one for an even count).
median() { cut -d' ' -f"$2" "$work/$1" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
# Per-round wrk errors, ls/download: "1/0, 0/0, ..." — any non-zero is a finding, not noise.
errors() { awk '{printf "%s%s/%s", (NR > 1 ? ", " : ""), $4, $7}' "$work/$1"; }

declare -A med
for m in "${modes[@]}"; do
  for col in 1 2 3 5 6 8 9; do med[$m,$col]="$(median "$m" "$col")"; done
done
ls_ratio="$(ratio "${med[per_user,1]}" "${med[per_operation,1]}")"
dl_ratio="$(ratio "${med[per_user,5]}" "${med[per_operation,5]}")"

echo "### Per-user workers against per-operation workers"
echo
echo "File operations as the non-root user $user; median of $rounds alternating rounds, one server" \
  "per mode per round, wrk ${duration} s per run."
echo
echo "| mode | ls of $entries entries, wrk 8 connections | download of 1 MiB, wrk 8 connections | command \`true\` → completed (200 runs) |"
echo "|---|---|---|---|"
for m in "${modes[@]}"; do
  echo "| $m | ${med[$m,1]} req/s (p50 ${med[$m,2]} ms, p99 ${med[$m,3]} ms) |" \
    "${med[$m,5]} req/s (p50 ${med[$m,6]} ms) | p50 ${med[$m,8]} ms, p99 ${med[$m,9]} ms |"
done
echo "| per_user / per_operation | ${ls_ratio}× | ${dl_ratio}× | |"
echo
echo "| target | measured | |"
echo "|---|---|---|"
echo "| ls of $entries entries ≥ 2× per_operation | ${ls_ratio}× | $(verdict "$ls_ratio >= 2") |"
echo "| 1 MiB download ≥ 2× per_operation | ${dl_ratio}× | $(verdict "$dl_ratio >= 2") |"
echo "| command task p50 ≤ 3 ms (per_user; informational) | ${med[per_user,8]} ms |" \
  "$(verdict "${med[per_user,8]} <= 3") |"
echo
echo "wrk errors per round (ls/download): per_user $(errors per_user); per_operation $(errors per_operation)"
