#!/usr/bin/env bash
# A chain of jobs: each starts only when the one before it has ended well (afterok). All three
# are submitted at once; the scheduler holds each back (reason Dependency) until its turn.
#
#   SFAPI_KEY=... dependent_jobs.sh
#
# sfapi_client: perlmutter.submit_job(script) with "#SBATCH --dependency=afterok:<jobid>" in it.
set -euo pipefail
source "$(dirname "$0")/sfapi.sh"
sfapi_token

jobids=()
for step in prepare simulate analyse; do
  # The dependency is an #SBATCH line, exactly as with sbatch on a login node.
  after=""
  if ((${#jobids[@]})); then after="#SBATCH --dependency=afterok:${jobids[-1]}"; fi
  jobids+=("$(sfapi_submit "#!/bin/bash
#SBATCH --job-name=$step --time=5
$after
echo $step done")")
  echo "$step: job ${jobids[-1]}"
done

# The last one ends last: wait for it, then look at all three.
sfapi_wait_job "${jobids[-1]}" >/dev/null
ok=true
for jobid in "${jobids[@]}"; do
  row="$(sfapi_wait_job "$jobid" 2>/dev/null | jq '.[0]')"
  jq -r '"\(.jobname): job \(.jobid) \(.state), started \(.start), ended \(.end)"' <<<"$row"
  [[ "$(jq -r .state <<<"$row")" == COMPLETED ]] || ok=false
done
$ok
