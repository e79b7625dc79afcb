"""Crash: a steady mix of command tasks, job submissions with callbacks, uploads and transfers
while sfapid is killed with SIGKILL at random moments and restarted on the same data (needs root:
real Unix users).

Asserted after the last restart, as a user depends on it:
- every request was answered, or failed only retryably (connection refused or cut while sfapid was
  down; 502/503/504) and then answered on retry — the client retries creating requests with the
  same Idempotency-Key, as docs/api-behaviour.md tells clients to;
- every accepted task ends, once, with a truthful status: a completed command ran exactly once (its
  line is in its log once, and in its output), a failed one says sfapid restarted and ran at most
  once; no command, job or upload ran twice;
- every job a completed submission names ends COMPLETED and ran once; no other job exists;
- an upload answered OK holds exactly what was sent; no file is ever torn;
- every job that ran has its callback delivered (at least once, always with one delivery id), and
  no callback names a job that did not run;
- every accepted transfer ends once: SUCCEEDED with its target identical to its source, or FAILED
  saying sfapid restarted, its target whole or absent; a keyed transfer request interrupted before
  its reply is answered "look whether it did" (409), never run twice;
- the SQLite store passes PRAGMA integrity_check.

A task accepted but not started when sfapid died (queued, or before the point where its work
notes it begins) runs after the restart under its first id; one past that point never runs again.
A keyed request whose sfapid was killed between its effect and storing its reply holds its key
(409) until the lock runs out (60 s); the client waits that out (patience 70 s), and the retry
finds the task the first try made, so nothing runs twice (docs/api-behaviour.md).

The short form (make test) kills 5 times; SFAPID_RELIABILITY_ROUNDS=N runs N (the long form, with
its figures printed for docs/benchmarks.md)."""

import collections
import json
import os
import pwd
import random
import signal
import sqlite3
import sys
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from cluster_harness import RetryingClient  # noqa: E402
from test_compute_callbacks import Receiver  # noqa: E402
from compute_helpers import compute_systems, script  # noqa: E402
from harness import ModuleUsers, Server, client_key, fetch_token  # noqa: E402

USERS = ModuleUsers("alice")
setUpModule = USERS.create
tearDownModule = USERS.remove

ROUNDS = int(os.environ.get("SFAPID_RELIABILITY_ROUNDS", "5"))
# What a task the restart ended says (a submission says what it found in the scheduler).
FAILED_BY_RESTART = ("sfapid restarted while this task ran", "sfapid stopped",
                     "stopped while it submitted the job")


class Crash(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # No rate limits: the load is one client as fast as it can go. A fixed issuer: the port,
        # which names the server otherwise, changes at each restart, and tokens must outlive it.
        cls.server = Server(extra="[callbacks]\nfirst_retry_seconds = 0.2\nmax_retry_seconds = 1\n"
                                  "blocked_networks = []\nblock_host_addresses = false\n"  # the receiver is on loopback
                                  "[auth]\nissuer = \"http://sfapid.crash.test\"\n[rate_limits]\ncommands_per_client = 0\nsubmits_per_client = 0\n"
                                  "reads_per_client = 0\ncommands_per_address = 0\n"
                                  "submits_per_address = 0\nreads_per_address = 0\n",
                            systems=compute_systems(nodes=1, cpus_per_node=8)).start()
        cls.alice = USERS.accounts["alice"]
        cls.home = USERS.home("alice")
        cls.key = client_key(cls.server, cls.alice)[0]

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def run_load(self, client, stop, errors):
        """Three workers, one per kind, until `stop`; returns them and what each had accepted. A
        worker's failed assertion goes to `errors` (and stops it)."""
        accepted = {"command": [], "job": [], "upload": [], "transfer": [], "transfer told": 0}
        lock = threading.Lock()

        def submit(kind, tag, path, fields):
            """POSTs with a key of its own; the task id when it was accepted."""
            r = client.call("POST", path, fields, idempotency_key=str(uuid.uuid4()))
            if r is None or self.left_in_flight(r):
                return None
            self.assertEqual(r.status, 200, r)
            task_id = r.json()["task_id"]
            with lock:
                accepted[kind].append((task_id, tag))
            return task_id

        def commands():
            n = 0
            while not stop.is_set():
                n += 1
                tag = f"c{n}"
                task_id = submit("command", tag, "/utilities/command/perlmutter",
                                 {"executable": f"echo {tag} >> {self.home}/commands.log; echo {tag}"})
                if task_id is not None:
                    # As a client does: look at the task a while before the next command.
                    deadline = time.time() + 1
                    while time.time() < deadline and not stop.is_set():
                        t = client.call("GET", f"/tasks/{task_id}")
                        if t is None or t.json()["status"] != "new":
                            break
                        time.sleep(0.05)

        def jobs():
            n = 0
            while not stop.is_set():
                n += 1
                tag = f"j{n}"
                submit("job", tag, "/compute/jobs/perlmutter",
                       {"job": script(f"echo {tag} >> {self.home}/jobs.log", "-o /dev/null"),
                        "isPath": "false", "callbackUrl": self.receiver.url(f"/{tag}")})
                time.sleep(0.05)

        def uploads():
            n = 0
            while not stop.is_set():
                n += 1
                content = (f"u{n}-" * 20000).encode()  # ~100 KB: long enough to be cut mid-way
                boundary = "crashboundary"
                body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                        f"filename=\"f\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
                body += content + f"\r\n--{boundary}--\r\n".encode()
                path = f"{self.home}/uploads/u{n % 7}"
                r = client.call("PUT", f"/utilities/upload/perlmutter/{path}", body,
                                content_type=f"multipart/form-data; boundary={boundary}")
                if r is not None and r.status == 200 and r.json()["status"] == "OK":
                    with lock:
                        accepted["upload"].append((path, content))

        def transfers():
            n = 0
            while not stop.is_set():
                n += 1
                source, target = f"{self.home}/tsrc/s{n % 5}", f"{self.home}/tdst/t{n}"
                r = client.call("POST", "/storage/globus/transfer",
                                {"source_uuid": "dtn", "target_uuid": "perlmutter",
                                 "source_dir": source, "target_dir": target, "label": f"t{n}"},
                                idempotency_key=str(uuid.uuid4()))
                if r is None:
                    continue
                if r.status == 409 and "interrupted" in r.json()["detail"]:
                    # Its first try may have made the transfer: the client is told to look.
                    with lock:
                        accepted["transfer told"] += 1
                    continue
                self.assertEqual(r.status, 200, r)
                with lock:
                    accepted["transfer"].append((r.json()["transfer_id"], source, target))
                time.sleep(0.2)

        def guarded(work):
            def run():
                try:
                    work()
                except Exception as e:  # noqa: BLE001 - reported by the test, not the thread
                    errors.append(f"{work.__name__}: {e!r}")
            return run

        threads = [threading.Thread(target=guarded(f))
                   for f in (commands, jobs, uploads, transfers)]
        for t in threads:
            t.start()
        return threads, accepted

    def test_killed_at_random_moments_nothing_is_lost_or_done_twice(self):
        self.in_flight = 0
        account = pwd.getpwnam(self.alice)
        for folder in ("uploads", "tsrc", "tdst"):
            os.makedirs(f"{self.home}/{folder}", exist_ok=True)
            os.chown(f"{self.home}/{folder}", account.pw_uid, account.pw_gid)
        for i in range(5):  # ~200 KB each, distinct: a copy is checked byte for byte
            with open(f"{self.home}/tsrc/s{i}", "wb") as f:
                f.write((f"s{i}-" * 50000).encode())
            os.chown(f"{self.home}/tsrc/s{i}", account.pw_uid, account.pw_gid)
        self.receiver = Receiver()
        self.addCleanup(self.receiver.close)
        token = fetch_token(self.server, self.key)
        # A request whose key a killed sfapid still holds (409 until its lock runs out, 60 s) is
        # waited out: its retry must find what the first try made.
        stop, errors = threading.Event(), []
        client = RetryingClient(self.server, token, patience=70)
        threads, accepted = self.run_load(client, stop, errors)
        rng = random.Random(os.environ.get("SFAPID_RELIABILITY_SEED", "1"))
        kills = 0
        started = time.time()
        try:
            for _ in range(ROUNDS):
                time.sleep(rng.uniform(0.5, 2.5))
                self.server.stop(signal.SIGKILL)
                kills += 1
                time.sleep(rng.uniform(0, 0.5))
                self.server.start()
            time.sleep(2)
        finally:
            stop.set()
            for t in threads:
                t.join(180)
        load_seconds = time.time() - started
        self.assertEqual(errors, [])
        self.assertEqual(client.outcomes["failed"], [], "requests that failed even on retry")
        self.assertEqual(self.in_flight, 0, "keyed requests still held after their lock ran out")
        for kind in ("command", "job"):
            self.assertGreaterEqual(len(accepted[kind]), 3, f"too few {kind}s to mean anything")

        tasks = {task_id: self.wait_end(client, task_id) for task_id, _ in
                 accepted["command"] + accepted["job"]}
        counts = collections.Counter()

        # Commands: completed ones ran exactly once and said so; failed ones name the restart.
        ran = collections.Counter(self.lines(f"{self.home}/commands.log"))
        for task_id, tag in accepted["command"]:
            t = tasks[task_id]
            counts[f"command {t['status']}"] += 1
            self.assertLessEqual(ran[tag], 1, f"{tag} ran twice")
            if t["status"] == "completed":
                self.assertEqual(ran[tag], 1, t)
                self.assertEqual(json.loads(t["result"])["output"], f"{tag}\n", t)
            else:
                self.assertTrue(any(w in t["result"] for w in FAILED_BY_RESTART), t)
        self.assertEqual(sum(ran.values()), len(set(ran)), "a command ran twice")

        # Jobs: each accepted submission made at most one job, and a job that was made ends
        # COMPLETED having run once; no job exists that no accepted submission made.
        job_ids, job_tags = set(), set()
        for task_id, tag in accepted["job"]:
            t = tasks[task_id]
            counts[f"job-submit {t['status']}"] += 1
            if t["status"] == "completed":
                result = json.loads(t["result"])
                self.assertEqual(result["status"], "ok", t)
                self.assertNotIn(result["jobid"], job_ids, "two submissions answered one job id")
                job_ids.add(result["jobid"])
                job_tags.add(tag)
            else:
                self.assertTrue(any(w in t["result"] for w in FAILED_BY_RESTART), t)
        rows = self.all_jobs(client)
        self.assertEqual(sorted({r["jobid"] for r in rows} - job_ids), [],
                         "jobs no accepted submission made")
        self.assertEqual(sorted(job_ids - {r["jobid"] for r in rows}), [], "jobs the queue lost")
        deadline = time.time() + 60
        while time.time() < deadline and any(r["state"] != "COMPLETED" for r in rows):
            time.sleep(0.5)
            rows = self.all_jobs(client)
        self.assertEqual({r["jobid"]: r["state"] for r in rows if r["state"] != "COMPLETED"}, {})
        job_ran = collections.Counter(self.lines(f"{self.home}/jobs.log"))
        twice = {tag: n for tag, n in job_ran.items() if n > 1}
        self.assertEqual(twice, {}, "jobs that ran twice")
        failed = {tag: tasks[t]["result"] for t, tag in accepted["job"] if tag in set(job_ran) - job_tags}
        self.assertEqual(set(job_ran), job_tags,
                         f"jobs that ran without a submission saying so: {failed}")

        # Uploads: every file is whole: the content of an upload that was answered OK or of one
        # whose answer was lost, never a torn mix; the last one answered OK per path is there
        # unless a later, unanswered one replaced it whole.
        for path in {p for p, _ in accepted["upload"]}:
            with open(path, "rb") as f:
                data = f.read()
            n = data[1:data.index(b"-")]
            self.assertEqual(data, (b"u" + n + b"-") * 20000, f"{path} is torn")
        counts["upload ok"] = len(accepted["upload"])

        # Callbacks: every job that ran is told once or more (deliveries are at least once:
        # docs/callbacks.md), always with the same delivery id; none for a job that did not run.
        deadline = time.time() + 60
        while time.time() < deadline and not job_tags <= {p[1:] for p, _, _ in self.receiver.requests}:
            time.sleep(0.5)
        called = collections.defaultdict(set)
        for path, _, body in list(self.receiver.requests):
            called[path[1:]].add(json.loads(body).get("delivery_id"))
        self.assertEqual(sorted(job_tags - set(called)), [], "jobs whose callback never came")
        self.assertEqual(sorted(set(called) - job_tags), [], "callbacks for jobs that did not run")
        self.assertEqual({t: ids for t, ids in called.items() if len(ids) != 1}, {},
                         "a job told with two delivery ids")
        counts["callback delivered"] = len(called)
        counts["callback repeated"] = len(self.receiver.requests) - len(called)

        # Transfers: each ends, once: SUCCEEDED with the target identical to its source, or
        # FAILED saying sfapid restarted; a target is whole or absent, never torn.
        for transfer_id, source, target in accepted["transfer"]:
            t = self.transfer_end(client, transfer_id)
            counts[f"transfer {t['globus_status']}"] += 1
            with open(source, "rb") as f:
                want = f.read()
            if t["globus_status"] == "SUCCEEDED":
                with open(target, "rb") as f:
                    self.assertEqual(f.read(), want, f"{target} differs from {source}")
            else:
                self.assertEqual(t["globus_status"], "FAILED", t)
                self.assertIn("sfapid restarted", t["reason"], t)
                if os.path.exists(target):
                    with open(target, "rb") as f:
                        self.assertEqual(f.read(), want, f"{target} is torn")
        counts["transfer told to look"] = accepted["transfer told"]

        self.server.stop()
        db = sqlite3.connect(os.path.join(self.server.data_dir, "sfapid.db"))
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
        db.close()
        self.server.start()
        print(f"\n  crash: {kills} SIGKILLs in {load_seconds:.0f} s; requests answered "
              f"{client.outcomes['answered']}, retried {client.outcomes['retried']}, failed "
              f"{len(client.outcomes['failed'])}, left in flight {self.in_flight}; "
              f"{dict(sorted(counts.items()))}; lost 0, "
              f"duplicated 0", file=sys.stderr)

    def left_in_flight(self, r):
        """A keyed request still held (409) past the client's patience, longer than a lock of a
        killed sfapid lasts: counted, and the test fails."""
        if r.status != 409:
            return False
        self.in_flight += 1
        return True

    def ended(self, client, path, field, running, timeout=120):
        """The body at `path` once its `field` is no longer `running`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = client.call("GET", path)
            self.assertIsNotNone(r)
            self.assertEqual(r.status, 200, r)
            if r.json()[field] != running:
                return r.json()
            time.sleep(0.1)
        self.fail(f"{path} never ended")

    def wait_end(self, client, task_id):
        return self.ended(client, f"/tasks/{task_id}", "status", "new")

    def transfer_end(self, client, transfer_id):
        return self.ended(client, f"/storage/globus/transfer/{transfer_id}", "globus_status",
                          "ACTIVE")

    def all_jobs(self, client):
        r = client.call("GET", "/compute/jobs/perlmutter?sacct=true&kwargs=user=" + self.alice)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["status"], "OK", body)
        return body["output"]

    @staticmethod
    def lines(path):
        try:
            with open(path) as f:
                return [line.strip() for line in f if line.strip()]
        except FileNotFoundError:
            return []


if __name__ == "__main__":
    unittest.main()
