#!/usr/bin/env python3
"""A chain of jobs: each starts only when the one before it has ended well (afterok). All three
are submitted at once; the scheduler holds each back (reason Dependency) until its turn.

    SFAPI_KEY=... python3 dependent_jobs.py

sfapi_client:
    first = perlmutter.submit_job(PREPARE)
    second = perlmutter.submit_job(SIMULATE.replace("#!/bin/bash",
                                   f"#!/bin/bash\\n#SBATCH --dependency=afterok:{first.jobid}"))
    ...
    third.complete()
"""

import sys

from sfapi_session import connect, submit, wait_job

STEPS = ["prepare", "simulate", "analyse"]

with connect() as session:
    jobids = []
    for step in STEPS:
        # The dependency is an #SBATCH line, exactly as with sbatch on a login node.
        after = f"#SBATCH --dependency=afterok:{jobids[-1]}\n" if jobids else ""
        script = f"#!/bin/bash\n#SBATCH --job-name={step} --time=5\n{after}echo {step} done\n"
        jobids.append(submit(session, script))
        print(f"{step}: job {jobids[-1]}" + (f", after job {jobids[-2]}" if len(jobids) > 1 else ""))

    # The last one ends last: wait for it, then look at all three.
    wait_job(session, jobids[-1])
    ok = True
    for step, jobid in zip(STEPS, jobids):
        row = wait_job(session, jobid, show=False)[0]
        print(f"{step}: job {jobid} {row['state']}, started {row['start']}, ended {row['end']}")
        ok = ok and row["state"] == "COMPLETED"
    sys.exit(0 if ok else 1)
