#!/usr/bin/env python3
"""A job array: one script, run once per index (here 0 to 3), each task with its own
$SLURM_ARRAY_TASK_ID and its own output file.

    SFAPI_KEY=... python3 job_array.py

sfapi_client:
    job = perlmutter.submit_job(SCRIPT)      # one Job for the whole array
    job.complete()
    for task in perlmutter.jobs(jobids=[f"{job.jobid}_{i}" for i in range(4)], command=Command.sacct):
        print(task.jobid, task.state)
"""

import sys

from sfapi_session import connect, download_text, submit, wait_job

SCRIPT = """#!/bin/bash
#SBATCH --job-name=sweep --time=5
#SBATCH --array=0-3
#SBATCH --output=sweep-%A_%a.out
echo "task $SLURM_ARRAY_TASK_ID of array $SLURM_ARRAY_JOB_ID: parameter $((SLURM_ARRAY_TASK_ID * 10))"
"""

with connect() as session:
    jobid = submit(session, SCRIPT)  # the array's id; its tasks are <id>_0 ... <id>_3
    print(f"submitted array {jobid}")
    rows = wait_job(session, jobid)  # one row per task
    for row in sorted(rows, key=lambda r: int(r["jobid"].split("_")[1])):
        task = row["jobid"].split("_")[1]
        printed = download_text(session, f"{row['workdir']}/sweep-{jobid}_{task}.out").strip()
        print(f"{row['jobid']} {row['state']}: {printed}")
    sys.exit(0 if len(rows) == 4 and all(r["state"] == "COMPLETED" for r in rows) else 1)
