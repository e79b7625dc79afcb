"""Event stream latency driver for bench/events.sh: opens STREAMS connections to GET /events
(kind=job) as one user, then submits JOBS jobs one after another; each job's last command writes
the time it ends (date +%s.%N) to ~/bench-end.<jobid>, and the time each stream receives that
job's COMPLETED event is taken as the bytes arrive (one epoll loop, no parsing beyond finding the
event). Prints one line: "p50_ms p99_ms max_ms deliveries rss_before_mb rss_streams_mb
rss_after_mb", latencies over every (job, stream) delivery. Exits non-zero if a stream fails or
misses an event.

Usage: events_driver.py PORT TOKEN STREAMS JOBS HOME SFAPID_PID"""

import json
import os
import re
import select
import socket
import statistics
import sys
import threading
import time
import urllib.parse
import http.client

from proc_stats import rss_mb

PREFIX = "/api/v1.2"
COMPLETED = re.compile(rb'data: (\{[^\n]*"state":"COMPLETED"[^\n]*\})\n')


class Stream:
    def __init__(self, port, token):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall((f"GET {PREFIX}/events?kind=job HTTP/1.1\r\nHost: bench\r\n"
                           f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n")
                          .encode())
        self.sock.setblocking(False)
        self.buffer = b""
        self.status = None  # the response's status, once its header came
        self.seen = set()   # jobids whose COMPLETED came


def submit(port, token, script):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = urllib.parse.urlencode({"job": script, "isPath": "false"})
    conn.request("POST", f"{PREFIX}/compute/jobs/perlmutter", body,
                 {"Authorization": f"Bearer {token}",
                  "Content-Type": "application/x-www-form-urlencoded"})
    task = json.loads(conn.getresponse().read())["task_id"]
    for _ in range(600):
        conn.request("GET", f"{PREFIX}/tasks/{task}?wait=30&until=completed",
                     headers={"Authorization": f"Bearer {token}"})
        t = json.loads(conn.getresponse().read())
        if t["status"] == "completed":
            conn.close()
            return json.loads(t["result"])["jobid"]
    sys.exit(f"events_driver: task {task} did not complete")


def main():
    port, token, streams, jobs, home, pid = sys.argv[1:7]
    port, streams, jobs = int(port), int(streams), int(jobs)
    rss_before = rss_mb(pid)
    ep = select.epoll()
    by_fd = {}
    for _ in range(streams):
        s = Stream(port, token)
        by_fd[s.sock.fileno()] = s
        ep.register(s.sock.fileno(), select.EPOLLIN)
    received = {}  # jobid -> [receive time of each stream]
    done = threading.Event()
    wanted = {}  # jobid -> True once submitted (the submitter waits on `done` for each)

    def read_ready(timeout):
        for fd, _ in ep.poll(timeout):
            s = by_fd[fd]
            try:
                data = s.sock.recv(65536)
            except BlockingIOError:
                continue
            now = time.time()
            if not data:
                sys.exit("events_driver: a stream ended")
            s.buffer += data
            if s.status is None and b"\r\n\r\n" in s.buffer:
                head, _, s.buffer = s.buffer.partition(b"\r\n\r\n")
                s.status = int(head.split()[1])
                if s.status != 200:
                    sys.exit(f"events_driver: a stream was answered {head.decode()!r}")
            for m in COMPLETED.finditer(s.buffer):
                jobid = json.loads(m.group(1))["jobid"]
                if jobid not in s.seen:
                    s.seen.add(jobid)
                    received.setdefault(jobid, []).append(now)
                    if len(received[jobid]) == streams and jobid in wanted:
                        done.set()
            cut = s.buffer.rfind(b"\n\n")
            if cut >= 0:
                s.buffer = s.buffer[cut + 2:]

    deadline = time.time() + 60
    while any(s.status is None for s in by_fd.values()):
        if time.time() > deadline:
            sys.exit("events_driver: streams did not open in 60 s")
        read_ready(0.1)
    time.sleep(1)
    rss_streams = rss_mb(pid)

    failure = []

    def submitter():
        try:
            for _ in range(jobs):
                done.clear()
                jobid = submit(port, token, "#!/bin/bash\nsleep 0.2\n"
                               "date +%s.%N > ~/bench-end.$SLURM_JOB_ID\n")
                wanted[jobid] = True
                if len(received.get(jobid, [])) == streams:
                    done.set()
                if not done.wait(60):
                    failure.append(f"job {jobid}: {len(received.get(jobid, []))} of {streams} "
                                   "streams got its end in 60 s")
                    return
        except Exception as e:  # noqa: BLE001 - reported below, with the loop stopped
            failure.append(repr(e))
        finally:
            finished.set()

    finished = threading.Event()
    threading.Thread(target=submitter, daemon=True).start()
    while not finished.is_set():
        read_ready(0.05)
    if failure:
        sys.exit("events_driver: " + failure[0])
    rss_after = rss_mb(pid)
    latencies = []
    for jobid in wanted:
        with open(os.path.join(home, f"bench-end.{jobid}")) as f:
            ended = float(f.read())
        latencies += [(t - ended) * 1000 for t in received[jobid]]
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"{statistics.median(latencies):.1f} {p99:.1f} {latencies[-1]:.1f} {len(latencies)} "
          f"{rss_before:.1f} {rss_streams:.1f} {rss_after:.1f}")


if __name__ == "__main__":
    main()
