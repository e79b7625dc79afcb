#!/usr/bin/env python3
"""A whole workflow: upload the inputs, submit a job that reads them, follow its progress, and
download what it wrote.

    SFAPI_KEY=... SFAPI_DIR=/path/on/the/system python3 upload_run_download.py

SFAPI_DIR is an existing folder of yours on the system (at NERSC, say, a folder in $SCRATCH).

sfapi_client:
    perlmutter = client.compute(Machine.perlmutter)
    [folder] = perlmutter.ls(SFAPI_DIR, directory=True)
    folder.upload(io.BytesIO(b"3\\n1\\n2\\n"))                   # or open("numbers.txt", "rb")
    job = perlmutter.submit_job(f"{SFAPI_DIR}/sum.sh")          # a script file on the system
    job.complete()
    print(perlmutter.ls(f"{SFAPI_DIR}/sum.txt")[0].download().read())
"""

import os
import sys
import time

from sfapi_session import POLL_SECONDS, connect, download_text, job_rows, submit, upload

run = os.environ.get("SFAPI_DIR") or sys.exit("set SFAPI_DIR to a folder of yours on the system")

# The job: add up the numbers in numbers.txt, slowly enough to show its progress.
SCRIPT = f"""#!/bin/bash
#SBATCH --job-name=sum --time=10
cd {run}
total=0
while read -r n; do total=$((total + n)); echo "added $n"; sleep 1; done < numbers.txt
echo "$total" > sum.txt
"""


with connect() as session:
    # Inputs and the script, uploaded: isPath=true then submits the script file itself, from its
    # folder, so the job's output lands beside it.
    upload(session, f"{run}/numbers.txt", b"3\n1\n2\n")
    upload(session, f"{run}/sum.sh", SCRIPT.encode())
    jobid = submit(session, f"{run}/sum.sh", is_path=True)
    print(f"submitted job {jobid}")

    # Follow it: its state from the queue, and its output file as it grows.
    shown = 0
    while True:
        rows = job_rows(session, jobid)
        state = rows[0]["state"] if rows else "PENDING"
        try:
            lines = download_text(session, f"{run}/slurm-{jobid}.out").splitlines()
        except RuntimeError:  # not written yet
            lines = []
        for line in lines[shown:]:
            print(f"  [{state}] {line}", flush=True)
        shown = len(lines)
        if state.split(" ")[0] not in ("PENDING", "RUNNING"):
            break
        time.sleep(POLL_SECONDS)

    total = download_text(session, f"{run}/sum.txt").strip()
    print(f"job {jobid} ended {state}; sum.txt says {total}")
    sys.exit(0 if state == "COMPLETED" and total == "6" else 1)
