#!/usr/bin/env bash
# A job array: one script, run once per index (here 0 to 3), each task with its own
# $SLURM_ARRAY_TASK_ID and its own output file.
#
#   SFAPI_KEY=... job_array.sh
#
# sfapi_client: job = perlmutter.submit_job(script); job.complete()
set -euo pipefail
source "$(dirname "$0")/sfapi.sh"
sfapi_token

script='#!/bin/bash
#SBATCH --job-name=sweep --time=5
#SBATCH --array=0-3
#SBATCH --output=sweep-%A_%a.out
echo "task $SLURM_ARRAY_TASK_ID of array $SLURM_ARRAY_JOB_ID: parameter $((SLURM_ARRAY_TASK_ID * 10))"'

jobid="$(sfapi_submit "$script")" # the array's id; its tasks are <id>_0 ... <id>_3
echo "submitted array $jobid"
rows="$(sfapi_wait_job "$jobid")" # one row per task
ok=true
while read -r task state workdir; do
  echo "$task $state: $(sfapi_download "$workdir/sweep-$task.out")"
  [[ "$state" == COMPLETED ]] || ok=false
done < <(jq -r 'sort_by(.jobid | split("_")[1] | tonumber) | .[] | "\(.jobid) \(.state) \(.workdir)"' <<<"$rows")
[[ "$(jq length <<<"$rows")" == 4 ]] && $ok
