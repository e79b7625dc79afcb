"""POST /compute/jobs/perlmutter, then GET /tasks/{id} until the task has the job id: the one
submit-and-wait loop the benchmark drivers time (compute_driver.py, slurm_driver.py)."""

import json
import time


def submit_and_wait(conn, body, headers, poll_every, who):
    """Submits the urlencoded form `body` on the HTTP connection and polls its task every
    `poll_every` seconds; returns (task id, job id, milliseconds from POST to job id). Exits,
    naming `who`, on any answer that is not a submitted job."""
    started = time.perf_counter()
    conn.request("POST", "/api/v1.2/compute/jobs/perlmutter", body=body, headers=headers)
    reply = conn.getresponse().read()
    try:
        task = json.loads(reply)["task_id"]
    except (ValueError, KeyError):
        raise SystemExit(f"{who}: POST answered {reply[:300]!r}")
    while True:
        conn.request("GET", f"/api/v1.2/tasks/{task}", headers=headers)
        t = json.loads(conn.getresponse().read())
        if t["status"] != "new":
            elapsed = (time.perf_counter() - started) * 1000
            result = json.loads(t["result"] or "null")
            if t["status"] != "completed" or not result or result.get("status") != "ok":
                raise SystemExit(f"{who}: task {task} ended {t['status']}: {t['result']}")
            return task, result["jobid"], elapsed
        time.sleep(poll_every)
