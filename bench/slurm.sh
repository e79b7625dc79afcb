#!/usr/bin/env bash
# Slurm backend benchmark (issue 6), against the single-node test cluster (scripts/slurm-up with
# slurmrestd) in the same run: (1) the job query at CONNECTIONS (64) wrk connections with HELD_JOBS
# (50) held jobs of the user present: sfapid GET /compute/jobs/perlmutter?kwargs=user=<user>
# (cached, the default, and cached=false) versus slurmrestd GET /slurm/v0.0.38/jobs (JWT auth);
# (2) submit latency, ROUNDS (100) one-at-a-time submissions of the same held script per way,
# interleaved: plain sbatch --parsable (as the user via runuser and via setpriv, and as root) versus
# sfapid POST /compute/jobs + GET /tasks/{id} every 1 ms until the job id shows. Every job is held,
# so none runs, and all are cancelled at the end. Needs root (it brings the cluster up and acts as a
# fresh user `sfapidbench`); when the cluster was not running before, it is brought down at the end.
# Usage: bench/slurm.sh [BUILD_DIR]   Environment: DURATION (10), CONNECTIONS (64), HELD_JOBS (50),
# ROUNDS (100), WARMUP (10 rounds), RESTD_PORT (6820), KEEP_SLURM (1: leave the cluster up).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init "${1:-build}"
duration="${DURATION:-10}"
conns="${CONNECTIONS:-64}"
held="${HELD_JOBS:-50}"
rounds="${ROUNDS:-100}"
warmup="${WARMUP:-10}"
restd_port="${RESTD_PORT:-6820}"

if [[ $(id -u) -ne 0 ]]; then
  echo "### Slurm backend"; echo; echo "Skipped: bench/slurm.sh needs root (it starts the Slurm test cluster)."
  exit 0
fi
if ! command -v slurmctld >/dev/null || ! command -v slurmrestd >/dev/null; then
  echo "### Slurm backend"; echo; echo "Skipped: Slurm or slurmrestd is not installed (scripts/install-slurm)."
  exit 0
fi

slurm_state="${SLURM_TEST_DIR:-/tmp/sfapid-slurm}"
was_up=0
if [[ -s $slurm_state/run/slurmctld.pid ]] &&
   [[ $(cat "/proc/$(<"$slurm_state/run/slurmctld.pid")/comm" 2>/dev/null) == slurmctld ]]; then
  was_up=1
fi

bench_user
slurm_cleanup() {
  scancel -u "$user" >/dev/null 2>&1 || true
  sleep 1
  sacctmgr -i delete user name="$user" >/dev/null 2>&1 || true
  if [[ $was_up == 0 && ${KEEP_SLURM:-0} != 1 ]]; then
    "$here/scripts/slurm-down" >"$work/slurm-down.log" 2>&1 || cat "$work/slurm-down.log" >&2
  fi
  bench_cleanup
  pkill -KILL -u "$user" 2>/dev/null || true
  userdel -r "$user" >/dev/null 2>&1 || true
}
trap slurm_cleanup EXIT

load_before="$(cut -d' ' -f1 /proc/loadavg)"
t0="$(date +%s.%N)"
if ! TEST_USERS="$user" WITH_RESTD=1 RESTD_PORT="$restd_port" "$here/scripts/slurm-up" >"$work/slurm-up.log" 2>&1; then
  echo "slurm.sh: slurm-up failed:" >&2
  tail -30 "$work/slurm-up.log" >&2
  exit 1
fi
up_s="$(echo "$(date +%s.%N) $t0" | awk '{printf "%.1f", $1 - $2}')"

bench_config '[systems.scheduler] backend = "slurm"' \
  '+[systems.scheduler] refresh_interval_seconds = 1' \
  '[[systems]] description = "Compute system (Slurm)"' \
  '[server] blocking_threads = 64' \
  "[[projects]] members = [\"$user\"]"
bench_start_sfapid
bench_token yellow
auth="Authorization: Bearer $token"
base="http://127.0.0.1:$port/api/v1.2"

# The held script, in the user's home; plain sbatch and sfapid submit the same file.
job="$home/held.sh"
printf '#!/bin/bash\n#SBATCH --hold\n#SBATCH -J bench\ntrue\n' >"$job"
chown "$user:" "$job"
for _ in $(seq "$held"); do
  runuser -u "$user" -- sbatch --parsable --chdir="$home" "$job" >/dev/null
done
# squeue also lists jobs that ended within MinJobAge, e.g. of an earlier user with the same uid.
read -r total_jobs user_jobs < <(squeue --json | python3 -c '
import json, sys
jobs = json.load(sys.stdin)["jobs"]
print(len(jobs), sum(j["user_name"] == sys.argv[1] for j in jobs))' "$user")

restd_token="$(scontrol token username="$user" lifespan=3600 | sed -n 's/^SLURM_JWT=//p')"
restd_url="http://127.0.0.1:$restd_port/slurm/v0.0.38/jobs"
restd_h=(-H "X-SLURM-USER-NAME: $user" -H "X-SLURM-USER-TOKEN: $restd_token")
cached_url="$base/compute/jobs/perlmutter?kwargs=user%3D$user"
fresh_url="$base/compute/jobs/perlmutter?kwargs=user%3D$user&cached=false"
all_url="$base/compute/jobs/perlmutter"

# Both answer with every held job before anything is measured.
count_rows() {  # FILE KIND: rows in an sfapid answer (sfapid) or a slurmrestd answer (restd)
  python3 - "$1" "$2" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
if sys.argv[2] == "sfapid":
    print(len(b["output"]) if b["status"] == "OK" else -1)
else:
    print(len(b["jobs"]) if not b.get("errors") else -1)
PY
}
for probe in "sfapid $cached_url" "sfapid $fresh_url" "all $all_url" "restd $restd_url"; do
  read -r kind url <<<"$probe"
  if [[ $kind == sfapid ]]; then
    code="$(curl -s -o "$work/probe" -w '%{http_code}' -H "$auth" "$url")"; want="$user_jobs"
  elif [[ $kind == all ]]; then
    code="$(curl -s -o "$work/probe" -w '%{http_code}' -H "$auth" "$url")"; want="$total_jobs"; kind=sfapid
    all_bytes="$(wc -c <"$work/probe")"
  else
    code="$(curl -s -o "$work/probe" -w '%{http_code}' "${restd_h[@]}" "$url")"; want="$total_jobs"
  fi
  rows="$(count_rows "$work/probe" "$kind" 2>/dev/null || echo -1)"
  if [[ $code != 200 || $rows != "$want" ]]; then
    echo "slurm.sh: GET $url answered $code with $rows rows, not $want: $(head -c 300 "$work/probe")" >&2
    exit 1
  fi
  [[ $url == "$cached_url" ]] && sfapid_bytes="$(wc -c <"$work/probe")"
  [[ $url == "$restd_url" ]] && restd_bytes="$(wc -c <"$work/probe")"
done

# slurmctld's side: job-info RPCs (sdiag) and the squeues sfapid ran (GET /metrics) per run.
job_info_rpcs() {
  sdiag | awk '$1 == "REQUEST_JOB_INFO" && match($0, /count:[0-9]+/) {print substr($0, RSTART + 6, RLENGTH - 6); exit}'
}
squeues() {
  curl -s "http://127.0.0.1:$port/metrics" |
    awk '/^sfapid_slurm_commands_total\{/ && /command="squeue"/ {print $NF; exit}'
}
measure() {  # NAME URL [wrk options...]: sets NAME_rps, _p50, _p99, _err, _rpcs, _squeues
  local name="$1" url="$2" r0 s0 rps p50 p99 err
  shift 2
  r0="$(job_info_rpcs)"; s0="$(squeues)"
  read -r rps p50 p99 err < <(wrk_run "$duration" "$conns" "$url" --timeout 10s "$@")
  printf -v "${name}_rps" %s "$rps"; printf -v "${name}_p50" %s "$p50"
  printf -v "${name}_p99" %s "$p99"; printf -v "${name}_err" %s "$err"
  printf -v "${name}_rpcs" %s "$(( $(job_info_rpcs) - r0 ))"
  printf -v "${name}_squeues" %s "$(awk -v a="$(squeues)" -v b="$s0" 'BEGIN {printf "%.0f", a - b}')"
}
measure cached "$cached_url" -H "$auth"
measure fresh "$fresh_url" -H "$auth"
measure all "$all_url" -H "$auth"
measure restd "$restd_url" "${restd_h[@]}"
rss="$(peak_rss_mb "$sfapid_pid")"

# One squeue --json, as sfapid runs it per refresh (for scale).
t0="$(date +%s.%N)"
for _ in 1 2 3 4 5; do squeue --json >/dev/null; done
squeue_ms="$(echo "$(date +%s.%N) $t0" | awk '{printf "%.1f", ($1 - $2) * 1000 / 5}')"

driver="$(python3 "$here/bench/slurm_driver.py" "$port" "$token" "$user" "$home" "$job" "$rounds" "$warmup")"
way() { awk -v w="$1" '$1 == w {print $2, $3, $4}' <<<"$driver"; }
read -r ru_p50 ru_p99 ru_mean <<<"$(way sbatch-runuser)"
read -r sp_p50 sp_p99 sp_mean <<<"$(way sbatch-setpriv)"
read -r rt_p50 rt_p99 rt_mean <<<"$(way sbatch-root)"
read -r pa_p50 pa_p99 pa_mean <<<"$(way sfapid-path)"
read -r in_p50 in_p99 in_mean <<<"$(way sfapid-inline)"
submitted="$(awk '$1 == "jobs" {print $2}' <<<"$driver")"
# The overhead over the fastest plain sbatch that runs as the user (runuser or setpriv).
plain_p50="$(awk -v a="$ru_p50" -v b="$sp_p50" 'BEGIN {print (a < b) ? a : b}')"
plain_way="$(awk -v a="$ru_p50" -v b="$sp_p50" 'BEGIN {print (a < b) ? "runuser" : "setpriv"}')"
over_path="$(awk -v a="$pa_p50" -v b="$plain_p50" 'BEGIN {printf "%.2f", a - b}')"
over_inline="$(awk -v a="$in_p50" -v b="$plain_p50" 'BEGIN {printf "%.2f", a - b}')"
over_root="$(awk -v a="$pa_p50" -v b="$rt_p50" 'BEGIN {printf "%.2f", a - b}')"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1f", a / b; else print "inf"}'; }
cached_ratio="$(ratio "$cached_rps" "$restd_rps")"
fresh_ratio="$(ratio "$fresh_rps" "$restd_rps")"
all_ratio="$(ratio "$all_rps" "$restd_rps")"

echo "### Slurm backend (bench/slurm.sh)"
echo
echo "Slurm $(sbatch --version | awk '{print $2}') single-node test cluster (scripts/slurm-up, up in ${up_s} s)" \
  "with slurmrestd (JWT auth, openapi/v0.0.38) and sfapid ([systems.scheduler] backend = \"slurm\"," \
  "refresh_interval_seconds = 1, [server] blocking_threads = 64, threads = ${THREADS:-2}) on the same" \
  "$(nproc) cores as wrk and the clients (1-minute load average before the run: $load_before). Queries ran with $held held jobs of the user $user present" \
  "($user_jobs of the user's and $total_jobs in all in squeue); wrk -t2 -c$conns for ${duration} s each, --timeout 10s."
echo
echo "| query, wrk $conns connections | req/s | p50 | p99 | slurmctld job-info RPCs | squeue runs | wrk errors |"
echo "|---|---|---|---|---|---|---|"
echo "| sfapid \`GET /compute/jobs/perlmutter?kwargs=user=<user>\` (cached, the default; $user_jobs rows, $sfapid_bytes bytes) | $cached_rps | $cached_p50 ms | $cached_p99 ms | $cached_rpcs | $cached_squeues | $cached_err |"
echo "| sfapid, the same with \`cached=false\` | $fresh_rps | $fresh_p50 ms | $fresh_p99 ms | $fresh_rpcs | $fresh_squeues | $fresh_err |"
echo "| sfapid \`GET /compute/jobs/perlmutter\`, no filter (cached; all $total_jobs jobs, $all_bytes bytes) | $all_rps | $all_p50 ms | $all_p99 ms | $all_rpcs | $all_squeues | $all_err |"
echo "| slurmrestd \`GET /slurm/v0.0.38/jobs\` (all $total_jobs jobs; $restd_bytes bytes) | $restd_rps | $restd_p50 ms | $restd_p99 ms | $restd_rpcs | – | $restd_err |"
echo
echo "One \`squeue --json\` (what sfapid runs per refresh) took $squeue_ms ms. sfapid peak RSS $rss MB."
echo
echo "| submit, one at a time ($rounds each, interleaved; $submitted held jobs in all) | p50 | p99 | mean |"
echo "|---|---|---|---|"
echo "| \`runuser -u <user> -- sbatch --parsable\` | $ru_p50 ms | $ru_p99 ms | $ru_mean ms |"
echo "| \`setpriv --reuid --regid --init-groups sbatch --parsable\` | $sp_p50 ms | $sp_p99 ms | $sp_mean ms |"
echo "| \`sbatch --parsable\` as root (no change of identity) | $rt_p50 ms | $rt_p99 ms | $rt_mean ms |"
echo "| sfapid POST \`isPath=true\` (the same file) → job id | $pa_p50 ms | $pa_p99 ms | $pa_mean ms |"
echo "| sfapid POST inline script → job id | $in_p50 ms | $in_p99 ms | $in_mean ms |"
echo
echo "| target | measured | |"
echo "|---|---|---|"
echo "| job query ≥ 20× slurmrestd's req/s (cached, the default) | ${cached_ratio}× ($cached_rps vs $restd_rps) | $(verdict "$cached_ratio >= 20") |"
echo "| p50 submit overhead ≤ 5 ms over plain sbatch as the user ($plain_way), isPath=true (issue 22) | $over_path ms | $(verdict "$over_path <= 5") |"
echo "| the same, inline script | $over_inline ms | $(verdict "$over_inline <= 5") |"
echo
echo "For comparison (not targets): cached=false is ${fresh_ratio}× slurmrestd's req/s, the unfiltered" \
  "query (every job, as slurmrestd answers) ${all_ratio}×; the" \
  "isPath=true submit is $over_root ms over sbatch as root."
