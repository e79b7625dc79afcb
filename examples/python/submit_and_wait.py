#!/usr/bin/env python3
"""Submit a batch job, wait for it to end, and read what it printed.

    SFAPI_KEY=~/.superfacility/<client id>.pem python3 submit_and_wait.py

sfapi_client:
    with Client(key=SFAPI_KEY) as client:
        perlmutter = client.compute(Machine.perlmutter)
        job = perlmutter.submit_job(SCRIPT)
        print(job.complete())            # polls until the job ends: JobState.COMPLETED
"""

import sys

from sfapi_session import connect, download_text, submit, wait_job

# A batch script as you would give sbatch. Without a folder (-D) it runs in your home, and its
# output goes to slurm-<jobid>.out there.
SCRIPT = """#!/bin/bash
#SBATCH --job-name=hello
#SBATCH --time=5
echo "hello from $(hostname), job $SLURM_JOB_ID"
"""

with connect() as session:
    jobid = submit(session, SCRIPT)
    print(f"submitted job {jobid}")
    row = wait_job(session, jobid)[0]  # sacct's row: state, exitcode, elapsed, workdir, ...
    output = download_text(session, f"{row['workdir']}/slurm-{jobid}.out")
    print(f"job {jobid} ended {row['state']} (exit code {row['exitcode']}); it printed:")
    print(output, end="")
    sys.exit(0 if row["state"] == "COMPLETED" else 1)
