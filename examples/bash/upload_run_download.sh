#!/usr/bin/env bash
# A whole workflow: upload the inputs, submit a job that reads them, follow its progress, and
# download what it wrote.
#
#   SFAPI_KEY=... SFAPI_DIR=/path/on/the/system upload_run_download.sh
#
# SFAPI_DIR is an existing folder of yours on the system (at NERSC, say, a folder in $SCRATCH).
# sfapi_client: folder.upload(file); perlmutter.submit_job(path); job.complete();
#               perlmutter.ls(path)[0].download()
set -euo pipefail
source "$(dirname "$0")/sfapi.sh"
: "${SFAPI_DIR:?set SFAPI_DIR to a folder of yours on the system}"
sfapi_token
run="$SFAPI_DIR"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The inputs and the job script, written here and uploaded. isPath=true submits the script file
# itself, from its folder, so the job's output lands beside it.
printf '3\n1\n2\n' >"$work/numbers.txt"
cat >"$work/sum.sh" <<SCRIPT
#!/bin/bash
#SBATCH --job-name=sum --time=10
cd $run
total=0
while read -r n; do total=\$((total + n)); echo "added \$n"; sleep 1; done < numbers.txt
echo "\$total" > sum.txt
SCRIPT
sfapi_upload "$work/numbers.txt" "$run/numbers.txt"
sfapi_upload "$work/sum.sh" "$run/sum.sh"
answer="$(sfapi POST "compute/jobs/$SFAPI_SYSTEM" -d isPath=true --data-urlencode "job=$run/sum.sh")"
result="$(sfapi_wait_task "$(jq -r .task_id <<<"$answer")")"
jobid="$(jq -r .jobid <<<"$result")"
[[ "$jobid" != null ]] || { jq -r .error <<<"$result" >&2; exit 1; }
echo "submitted job $jobid"

# Follow it: its state from the queue, and its output file as it grows.
shown=0
while true; do
  state="$(sfapi GET "compute/jobs/$SFAPI_SYSTEM" -G --data-urlencode "kwargs=jobid=$jobid" \
    -d sacct=true | jq -r '.output[0].state // "PENDING"')"
  output="$(sfapi_download "$run/slurm-$jobid.out" 2>/dev/null || true)"
  count=0
  if [[ -n "$output" ]]; then count="$(grep -c '' <<<"$output")"; fi
  if ((count > shown)); then
    tail -n +"$((shown + 1))" <<<"$output" | sed "s/^/  [$state] /"
    shown=$count
  fi
  [[ "${state%% *}" == PENDING || "${state%% *}" == RUNNING ]] || break
  sleep "$SFAPI_POLL_SECONDS"
done

total="$(sfapi_download "$run/sum.txt")"
echo "job $jobid ended $state; sum.txt says $total"
[[ "$state" == COMPLETED && "$total" == 6 ]]
