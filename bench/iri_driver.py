"""Job creations through both APIs in one run, local scheduler: CLIENTS threads for SECONDS each,
first through the IRI API (POST /api/v2/compute/job/perlmutter, synchronous: the answer carries
the job id), then through SFAPI v1.2 (POST /api/v1.2/compute/jobs/perlmutter and GET /tasks/{id}
until the job id, polled every 5 ms). The jobs wait for a begin time an hour away, so none runs.
Usage: iri_driver.py PORT TOKEN SECONDS CLIENTS. Prints one line per API:
  <api> <creations/s> <p50 ms> <p90 ms> <p99 ms> <count>
and a last line with a job id and an SFAPI task id for the query benchmarks."""

import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

from submit_poll import submit_and_wait

port, token, seconds, clients = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
IRI_HEADERS = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
IRI_BODY = json.dumps({"executable": "/bin/true", "name": "bench-iri",
                       "attributes": {"custom_attributes": {"begin": "now+1hour"}}})
SFAPI_HEADERS = {"Authorization": f"Bearer {token}",
                 "Content-Type": "application/x-www-form-urlencoded"}
SFAPI_BODY = urllib.parse.urlencode({
    "job": "#!/bin/bash\n#SBATCH --begin=now+1hour\n#SBATCH -J bench-sfapi\ntrue\n",
    "isPath": "false"})
last = {}


def percentile(values, p):
    values = sorted(values)
    return values[max(0, int(round(len(values) * p)) - 1)]


def iri_create(conn):
    started = time.perf_counter()
    conn.request("POST", "/api/v2/compute/job/perlmutter", body=IRI_BODY, headers=IRI_HEADERS)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit(f"iri_driver: launchJob answered {r.status} {body[:300]!r}")
    last["job"] = json.loads(body)["id"]
    return (time.perf_counter() - started) * 1000


def sfapi_create(conn):
    task, _, elapsed = submit_and_wait(conn, SFAPI_BODY, SFAPI_HEADERS, 0.005, "iri_driver")
    last["task"] = task
    return elapsed


def run(create):
    latencies = [[] for _ in range(clients)]
    until = time.perf_counter() + seconds

    def worker(i):
        c = http.client.HTTPConnection("127.0.0.1", port)
        while time.perf_counter() < until:
            latencies[i].append(create(c))

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    flat = [v for per in latencies for v in per]
    return (f"{len(flat) / elapsed:.0f} {statistics.median(flat):.2f} {percentile(flat, 0.9):.2f} "
            f"{percentile(flat, 0.99):.2f} {len(flat)}")


warm = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(10):
    iri_create(warm)
    sfapi_create(warm)
print("iri", run(iri_create), flush=True)
print("sfapi", run(sfapi_create), flush=True)
print(last["job"], last["task"])
