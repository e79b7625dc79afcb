"""Drives POST /compute/jobs/perlmutter (inline scripts that wait for a begin time an hour away) + GET /tasks/{id} polling until the
task has the job id: latency one submission at a time (polled every 1 ms), then submissions per
second with N clients (each polling every 5 ms) for each N in CLIENTS (a comma list), then more
submissions until TOTAL jobs are known. Usage: compute_driver.py PORT TOKEN SECONDS CLIENTS TOTAL.
Prints:
  <p50 ms> <p99 ms>                                  one at a time
  <N> <submissions/s> <p50 ms> <p99 ms> <count>     one line per N, each for SECONDS
  <total jobs> <first id> <middle id> <last id> <a task id>"""

import http.client
import statistics
import sys
import threading
import time
import urllib.parse

from submit_poll import submit_and_wait

port, token, seconds, total = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[5])
client_counts = [int(n) for n in sys.argv[4].split(",")]
HEADERS = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"}
# Waiting for a begin time an hour away: the jobs never run, so they do not compete with sfapid
# for the machine's cores, and (unlike held ones, as in Slurm) they are in the sacct view.
BODY = urllib.parse.urlencode({"job": "#!/bin/bash\n#SBATCH --begin=now+1hour\n#SBATCH -J bench\ntrue\n",
                               "isPath": "false"})
ids = []
lock = threading.Lock()
last_task = [None]


def percentile(values, p):
    values = sorted(values)
    return values[max(0, int(round(len(values) * p)) - 1)]


def submit(conn, poll_every):
    task, jobid, elapsed = submit_and_wait(conn, BODY, HEADERS, poll_every, "compute_driver")
    with lock:
        ids.append(int(jobid))
        last_task[0] = task
    return elapsed


conn = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(20):  # warm-up
    submit(conn, 0.001)
single = [submit(conn, 0.001) for _ in range(200)]
print(f"{statistics.median(single):.2f} {percentile(single, 0.99):.2f}", flush=True)


def run_clients(n, poll_every, until=None, target=None):
    """n clients submitting until the clock passes `until` or `target` jobs are known."""
    latencies = [[] for _ in range(n)]

    def worker(i):
        c = http.client.HTTPConnection("127.0.0.1", port)
        while True:
            if until is not None and time.perf_counter() >= until:
                return
            if target is not None:
                with lock:
                    if len(ids) >= target:
                        return
                    ids.append(-1)  # reserve a slot; replaced below
            latencies[i].append(submit(c, poll_every))
            if target is not None:
                with lock:
                    ids.remove(-1)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [v for per in latencies for v in per]


for clients in client_counts:
    start = time.perf_counter()
    loaded = run_clients(clients, 0.005, until=start + seconds)
    elapsed = time.perf_counter() - start
    print(f"{clients} {len(loaded) / elapsed:.0f} {statistics.median(loaded):.2f} "
          f"{percentile(loaded, 0.99):.2f} {len(loaded)}", flush=True)

run_clients(max(client_counts), 0.01, target=total)
known = sorted(i for i in ids if i >= 0)
print(f"{len(known)} {known[0]} {known[len(known) // 2]} {known[-1]} {last_task[0]}")
