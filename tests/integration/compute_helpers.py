"""Shared by the test_compute*.py modules: a server with a local-scheduler compute system, tokens
for real Unix users, and helpers that submit, query, wait for and cancel jobs through the API.
Every queue answer that passes through `jobs()` is checked for the exact key set of spec §3 and
for string values, so each test checks the output shape as a side effect."""

import hashlib
import json
import os
import pwd
import signal
import textwrap
import time
import unittest
import urllib.parse

import slurm_cluster
from harness import PREFIX, Server, client_key, fetch_token

# spec §3: the lower-cased headers of `squeue --format=%all`, including the empty one.
SQUEUE_KEYS = [
    "account", "tres_per_node", "min_cpus", "min_tmp_disk", "end_time", "features", "group",
    "over_subscribe", "jobid", "name", "comment", "time_limit", "min_memory", "req_nodes", "command",
    "priority", "qos", "reason", "", "st", "user", "reservation", "wckey", "exc_nodes", "nice",
    "s:c:t", "exec_host", "cpus", "nodes", "dependency", "array_job_id", "sockets_per_node",
    "cores_per_socket", "threads_per_core", "array_task_id", "time_left", "time", "nodelist",
    "contiguous", "partition", "nodelist(reason)", "start_time", "state", "uid", "submit_time",
    "licenses", "core_spec", "schednodes", "work_dir"]

# spec §3: the lower-cased headers of `sacct --format=ALL -P`.
SACCT_KEYS = """account admincomment alloccpus allocnodes alloctres associd avecpu avecpufreq
avediskread avediskwrite avepages averss avevmsize blockid cluster comment constraints
consumedenergy consumedenergyraw cputime cputimeraw dbindex derivedexitcode elapsed elapsedraw
eligible end exitcode flags gid group jobid jobidraw jobname layout maxdiskread maxdiskreadnode
maxdiskreadtask maxdiskwrite maxdiskwritenode maxdiskwritetask maxpages maxpagesnode maxpagestask
maxrss maxrssnode maxrsstask maxvmsize maxvmsizenode maxvmsizetask mcslabel mincpu mincpunode
mincputask ncpus nnodes nodelist ntasks priority partition qos qosraw reason reqcpufreq
reqcpufreqmin reqcpufreqmax reqcpufreqgov reqcpus reqmem reqnodes reqtres reservation
reservationid reserved resvcpu resvcpuraw start state submit suspended systemcpu systemcomment
timelimit timelimitraw totalcpu tresusageinave tresusageinmax tresusageinmaxnode
tresusageinmaxtask tresusageinmin tresusageinminnode tresusageinmintask tresusageintot
tresusageoutave tresusageoutmax tresusageoutmaxnode tresusageoutmaxtask tresusageoutmin
tresusageoutminnode tresusageoutmintask tresusageouttot uid user usercpu wckey wckeyid
workdir""".split()

# squeue `state` -> `st`.
SHORT_STATES = {"PENDING": "PD", "RUNNING": "R", "COMPLETED": "CD", "FAILED": "F", "CANCELLED": "CA",
                "TIMEOUT": "TO"}
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED",
            "BOOT_FAIL", "DEADLINE"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def compute_systems(**scheduler):
    """The systems tables with perlmutter's [systems.scheduler] keys set from `scheduler`
    (strings are quoted, lists written as TOML arrays)."""
    lines = [] if "backend" in scheduler else ['backend = "local"']
    for key, value in scheduler.items():
        if isinstance(value, str):
            value = json.dumps(value)
        elif isinstance(value, (list, tuple)):
            value = "[" + ", ".join(json.dumps(v) for v in value) + "]"
        lines.append(f"{key} = {value}")
    return ("\n[[systems]]\nname = \"perlmutter\"\nsystem_type = \"compute\"\n[systems.scheduler]\n"
            + "\n".join(lines) + "\n\n[[systems]]\nname = \"dtns\"\nsystem_type = \"filesystem\"\n\n"
            "[[systems]]\nname = \"globus\"\nsystem_type = \"service\"\n")


def script(body, *directives, shell="#!/bin/bash"):
    """A batch script: the shebang, one `#SBATCH` line per directive, then the dedented body."""
    lines = [shell] + [f"#SBATCH {d}" for d in directives]
    return "\n".join(lines) + "\n" + textwrap.dedent(body).strip("\n") + "\n"


def job_key(jobid):
    """Sort key of a job id as rows are ordered: the numeric id, then the array task index."""
    master, _, task = jobid.partition("_")
    return (int(master), int(task) if task.isdigit() else -1)


class OnSlurm:
    """Mixin that runs a ComputeTest class on the Slurm backend against the test cluster
    (slurm_cluster.up), whose slurm.conf stands in for the class's [systems.scheduler] keys:
    `class SlurmQueries(OnSlurm, test_compute_queries.Queries)`. Subclass in the module that brings
    the cluster up, importing the module rather than the class (or it runs twice)."""

    backend = "slurm"
    scheduler = {"backend": "slurm", "refresh_interval_seconds": 1}
    # Callers waiting for a fresh view wait in the blocking pool: its size is how many can share
    # one refresh. The 200 pollers of one test all come from loopback: no per-address share.
    server_options = "blocking_threads = 64\nmax_connections_per_address = 0"
    min_job_age = slurm_cluster.MIN_JOB_AGE
    scheduler_slack = 120


class ComputeTest(unittest.TestCase):
    """One server per class. Subclasses set `users` (a harness.ModuleUsers), `scheduler` (keys of
    [systems.scheduler]) and `extra` (top-level TOML, e.g. a [callbacks] table)."""

    users = None
    backend = "local"  # OnSlurm: "slurm"
    # Seconds a scheduler may take beyond a time limit or a begin time before it acts on it: Slurm
    # rounds limits up to whole minutes, checks them every 30 s and starts jobs whose begin time
    # has come at its next scheduling pass.
    scheduler_slack = 0
    scheduler = {"nodes": 1, "cpus_per_node": 2}
    extra = ""
    server_options = ""  # lines for the [server] table
    systems = None  # the whole systems text instead of compute_systems(**scheduler)

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.server_options, extra=cls.extra,
                            systems=cls.systems or compute_systems(**cls.scheduler)).start()
        cls.alice = cls.users.accounts["alice"]
        cls.bob = cls.users.accounts["bob"]
        cls.keys = {}
        cls.tokens = {}
        for name in (cls.alice, cls.bob):
            cls.keys[name] = client_key(cls.server, name, "yellow")
            cls.tokens[name] = fetch_token(cls.server, cls.keys[name][0])

    @classmethod
    def refresh_tokens(cls):
        """New tokens from the same key files (after a restart)."""
        for name, (path, _) in cls.keys.items():
            cls.tokens[name] = fetch_token(cls.server, path)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.submitted = []  # (jobid, user): cancelled at the end if still queued or running

    def tearDown(self):
        # Free the (small) cluster for the next test: cancel what is still pending or running.
        live = []
        for jobid, user in self.submitted:
            try:
                rows = self.jobs(user, check=False, jobid=jobid)
            except Exception:
                continue
            if any(r.get("state") in ("PENDING", "RUNNING") for r in rows):
                self.call("DELETE", f"/compute/jobs/perlmutter/{jobid}", user)
                live.append((jobid, user))
        deadline = time.time() + 20
        for jobid, user in live:
            while time.time() < deadline:
                rows = self.jobs(user, check=False, jobid=jobid)
                if not any(r.get("state") in ("PENDING", "RUNNING") for r in rows):
                    break
                time.sleep(0.1)

    # --- users and files ---------------------------------------------------------------------

    def user(self, name=None):
        return self.alice if name is None else self.users.accounts.get(name, name)

    def home(self, name="alice"):
        return self.users.home(name)

    def uid(self, account=None):
        return pwd.getpwnam(account or self.alice).pw_uid

    def write_file(self, path, text, owner=None, mode=0o644):
        """Writes a file (and its missing folders) as owned by `owner` (default alice)."""
        pw = pwd.getpwnam(owner or self.alice)
        folder = os.path.dirname(path)
        missing = []
        while folder and not os.path.isdir(folder):
            missing.append(folder)
            folder = os.path.dirname(folder)
        for d in reversed(missing):
            os.mkdir(d, 0o755)
            os.chown(d, pw.pw_uid, pw.pw_gid)
        with open(path, "w") as f:
            f.write(text)
        os.chown(path, pw.pw_uid, pw.pw_gid)
        os.chmod(path, mode)
        return path

    def read_when_present(self, path, timeout=10, contains=None):
        """The content of a file the job writes, once it exists (and holds `contains`)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(path):
                with open(path) as f:
                    text = f.read()
                if contains is None or contains in text:
                    return text
            time.sleep(0.05)
        self.fail(f"{path} did not appear" + (f" with {contains!r}" if contains else "")
                  + (f"; it holds {open(path).read()!r}" if os.path.exists(path) else ""))

    # --- HTTP --------------------------------------------------------------------------------

    def call(self, method, path, user=None, body=None, headers=None, token=None):
        h = {"Authorization": f"Bearer {token or self.tokens[self.user(user)]}"}
        h.update(headers or {})
        return self.server.request(method, PREFIX + path, body=body, headers=h)

    def interrupt_keyed_request(self, user, operation, key):
        """Makes the key's record what a crash between a request's effect and the keeping of its
        reply leaves (sfapid SIGKILLed there): a lock that ran out, no reply. The window is
        microseconds wide, so the test makes the state rather than aiming a kill at it."""
        self.server.stop(signal.SIGKILL)
        scope = hashlib.sha256(f"{user}\n{operation}\n{key}".encode()).hexdigest()
        ran_out = int(time.time() * 1000) - 1000
        self.server.query(f"UPDATE idempotency_keys SET state = 'locked', lock_until_ms = {ran_out}, "
                          f"expires_ms = 0, status = 0, content_type = '', body = '' "
                          f"WHERE scope = '{scope}'")
        self.assertEqual(self.server.query(
            f"SELECT state FROM idempotency_keys WHERE scope = '{scope}'"), [("locked",)])
        self.server.start()
        self.refresh_tokens()

    def post_form(self, path, fields, user=None, token=None):
        """POST of an urlencoded form; `fields` is a list of pairs (repeated keys allowed)."""
        return self.call("POST", path, user, body=urllib.parse.urlencode(fields).encode(), headers=FORM,
                         token=token)

    def submit_task(self, job, is_path=False, args=(), user=None, machine="perlmutter", **more):
        fields = [("job", job), ("isPath", "true" if is_path else "false")]
        fields += [("args", a) for a in args]
        fields += [(k, str(v)) for k, v in more.items()]
        r = self.post_form(f"/compute/jobs/{machine}", fields, user)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body, {"task_id": body.get("task_id"), "status": "OK", "error": None}, body)
        self.assertIsInstance(body["task_id"], str)
        return body["task_id"]

    def task(self, task_id, user=None):
        r = self.call("GET", f"/tasks/{task_id}", user)
        self.assertEqual(r.status, 200, r)
        t = r.json()
        self.assertEqual(set(t), {"id", "status", "result"}, t)
        self.assertEqual(t["id"], task_id)
        if t["result"] is not None:
            self.assertIsInstance(t["result"], str, t)
            json.loads(t["result"])
        return t

    def wait_task(self, task_id, user=None, timeout=20):
        """The parsed result of a task once it is no longer "new"; it must be "completed"."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.task(task_id, user)
            if t["status"] != "new":
                self.assertEqual(t["status"], "completed", t)
                return json.loads(t["result"])
            time.sleep(0.02)
        self.fail(f"task {task_id} did not end")

    def submit_result(self, job, is_path=False, args=(), user=None, **more):
        result = self.wait_task(self.submit_task(job, is_path, args, user, **more), user)
        self.assertEqual(set(result), {"status", "jobid", "error"}, result)
        return result

    def submit(self, job, is_path=False, args=(), user=None, **more):
        """Submits and returns the job id (a string of digits)."""
        result = self.submit_result(job, is_path, args, user, **more)
        self.assertEqual(result["status"], "ok", result)
        self.assertIsNone(result["error"], result)
        self.assertIsInstance(result["jobid"], str, result)
        self.assertRegex(result["jobid"], r"^[0-9]+$")
        self.submitted.append((result["jobid"], self.user(user)))
        return result["jobid"]

    def submit_error(self, job, is_path=False, args=(), user=None, **more):
        """Submits a job that sbatch refuses; returns the error text."""
        result = self.submit_result(job, is_path, args, user, **more)
        self.assertEqual(result["status"], "error", result)
        self.assertIsNone(result["jobid"], result)
        self.assertIsInstance(result["error"], str, result)
        return result["error"]

    def cancel(self, jobid, user=None, machine="perlmutter"):
        r = self.call("DELETE", f"/compute/jobs/{machine}/{jobid}", user)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(set(body), {"task_id", "status", "error"}, body)
        self.assertEqual((body["status"], body["error"]), ("OK", None), body)
        result = self.wait_task(body["task_id"], user)
        self.assertEqual(set(result), {"status", "jobid", "error"}, result)
        return result

    def check_rows(self, rows, sacct):
        keys = SACCT_KEYS if sacct else SQUEUE_KEYS
        for row in rows:
            self.assertEqual(sorted(row), sorted(keys),
                             f"{'sacct' if sacct else 'squeue'} row keys differ: extra "
                             f"{sorted(set(row) - set(keys))}, missing {sorted(set(keys) - set(row))}")
            bad = {k: v for k, v in row.items() if not isinstance(v, str)}
            self.assertEqual(bad, {}, f"values that are not strings in {row.get('jobid')}")
            if not sacct:
                self.assertEqual(row["st"], SHORT_STATES.get(row["state"], row["st"]), row)

    def query(self, params, user=None, machine="perlmutter", sacct=False, check=True):
        """GET /compute/jobs/{machine} with `params` (a list of pairs); returns the whole body."""
        params = list(params) + [("sacct", "true" if sacct else "false"), ("cached", "false")]
        r = self.call("GET", f"/compute/jobs/{machine}?" + urllib.parse.urlencode(params), user)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        if check:
            self.assertEqual(set(body), {"status", "output", "error"}, body)
            self.assertEqual((body["status"], body["error"]), ("OK", None), body)
            self.check_rows(body["output"], sacct)
        return body

    def jobs(self, as_user=None, sacct=False, check=True, index=None, limit=None, **filters):
        """The rows matching kwargs filters, e.g. jobs(jobid="12", state="RUNNING"), as seen by
        `as_user` (default alice)."""
        params = [("kwargs", f"{k}={v}") for k, v in filters.items()]
        if index is not None:
            params.append(("index", str(index)))
        if limit is not None:
            params.append(("limit", str(limit)))
        return self.query(params, as_user, sacct=sacct, check=check)["output"]

    def row(self, jobid, sacct=False, user=None):
        """The one row whose jobid is exactly `jobid`, or None."""
        rows = [r for r in self.jobs(user, sacct, jobid=jobid) if r["jobid"] == jobid]
        self.assertLessEqual(len(rows), 1, rows)
        return rows[0] if rows else None

    def wait_state(self, jobid, states, sacct=False, timeout=20, user=None):
        """Waits until the job's state is one of `states` (a string or a set); returns its row.
        Fails early when the job reaches another terminal state."""
        states = {states} if isinstance(states, str) else set(states)
        deadline = time.time() + timeout
        row = None
        while time.time() < deadline:
            row = self.row(jobid, sacct, user)
            if row is not None:
                if row["state"] in states:
                    return row
                base = row["state"].split(" ")[0]
                if base in TERMINAL and not any(s.split(" ")[0] == base for s in states):
                    self.fail(f"job {jobid} ended {row['state']}, expected {states}: {row}")
            time.sleep(0.1)
        log = "\n".join(self.server.read_log().splitlines()[-15:])
        self.fail(f"job {jobid} did not reach {states} in {timeout} s; last row: {row}\nsfapid log:\n{log}")

    def wait_reason(self, jobid, reason, timeout=10):
        """Waits until the pending job's reason is `reason` (a scheduler sets it at its next pass);
        returns its row."""
        deadline = time.time() + timeout
        row = self.row(jobid)
        while (row is None or row["reason"] != reason) and time.time() < deadline:
            time.sleep(0.2)
            row = self.row(jobid)
        self.assertIsNotNone(row, f"job {jobid} is not in the queue")
        self.assertEqual((row["state"], row["reason"]), ("PENDING", reason), row)
        return row

    def wait_running(self, jobid, timeout=20):
        return self.wait_state(jobid, "RUNNING", timeout=timeout)

    def wait_ended(self, jobid, state="COMPLETED", timeout=30):
        """Waits for the job's end and returns its sacct row."""
        self.wait_state(jobid, state, timeout=timeout)
        return self.wait_state(jobid, state, sacct=True, timeout=5)
