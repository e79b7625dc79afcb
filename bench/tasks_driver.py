"""Drives POST /utilities/command + GET /tasks/{id} polling: latency from POST to 'completed'
one at a time, then commands per second with several clients. Prints two lines of numbers.
Usage: tasks_driver.py PORT TOKEN SECONDS CLIENTS [RUNS (300)]; SECONDS 0 skips the second part
(its line is then 0)."""

import http.client
import json
import statistics
import sys
import threading
import time

port, token, seconds, clients = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 300
HEADERS = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"}


def one_command(conn, poll_every=0.001):
    started = time.perf_counter()
    conn.request("POST", "/api/v1.2/utilities/command/perlmutter", body="executable=true", headers=HEADERS)
    task = json.loads(conn.getresponse().read())["task_id"]
    while True:
        conn.request("GET", f"/api/v1.2/tasks/{task}", headers=HEADERS)
        t = json.loads(conn.getresponse().read())
        if t["status"] != "new":
            if t["status"] != "completed":
                raise SystemExit(f"task {task} ended {t['status']}: {t['result']}")
            return time.perf_counter() - started
        time.sleep(poll_every)


conn = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(20):  # warm-up
    one_command(conn)
latencies = sorted(one_command(conn) * 1000 for _ in range(runs))
p50 = statistics.median(latencies)
p99 = latencies[int(len(latencies) * 0.99) - 1]
print(f"{p50:.2f} {p99:.2f}")
if seconds <= 0:
    print(0)
    sys.exit(0)

done = [0] * clients
stop = time.perf_counter() + seconds


def worker(i):
    c = http.client.HTTPConnection("127.0.0.1", port)
    while time.perf_counter() < stop:
        one_command(c, poll_every=0.005)
        done[i] += 1


threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"{sum(done) / seconds:.0f}")
