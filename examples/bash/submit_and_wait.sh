#!/usr/bin/env bash
# Submit a batch job, wait for it to end, and read what it printed.
#
#   SFAPI_KEY=~/.superfacility/<client id>.pem submit_and_wait.sh
#
# sfapi_client: job = client.compute(Machine.perlmutter).submit_job(script); job.complete()
set -euo pipefail
source "$(dirname "$0")/sfapi.sh"
sfapi_token

# A batch script as you would give sbatch. Without a folder (-D) it runs in your home, and its
# output goes to slurm-<jobid>.out there.
script='#!/bin/bash
#SBATCH --job-name=hello
#SBATCH --time=5
echo "hello from $(hostname), job $SLURM_JOB_ID"'

jobid="$(sfapi_submit "$script")"
echo "submitted job $jobid"
row="$(sfapi_wait_job "$jobid" | jq '.[0]')" # sacct's row: state, exitcode, elapsed, workdir, ...
state="$(jq -r .state <<<"$row")"
echo "job $jobid ended $state (exit code $(jq -r .exitcode <<<"$row")); it printed:"
sfapi_download "$(jq -r .workdir <<<"$row")/slurm-$jobid.out"
[[ "$state" == COMPLETED ]]
