"""Faults (needs root: real Unix users, a tmpfs mount, cgroups): each injected into a running
sfapid on the local scheduler and SQLite, with what a user sees asserted, and the recovery, by
itself, once the fault is gone.

- The data disk full: creating requests answer 503 with the store's reason and make nothing;
  reads and the status page go on; a task that ends meanwhile keeps its end and stores it once
  there is room; the database passes PRAGMA integrity_check.
- The store locked by another process past its busy timeout: 503, then served again.
- A job's supervisor killed: the job ends NODE_FAIL, what it still ran is ended with it, and its
  CPUs go to the next job.
- A command's process killed: its task ends with the signal in its exit status.

slurmctld hanging is in test_faults_slurm.py (it needs the Slurm cluster)."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from compute_helpers import compute_systems, script  # noqa: E402
from harness import PREFIX, ModuleUsers, Server, client_key, fetch_token, wait_until  # noqa: E402

USERS = ModuleUsers("alice")
setUpModule = USERS.create
tearDownModule = USERS.remove

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class FaultTest(unittest.TestCase):
    """One sfapid per test (a fault may leave it changed), with short leases so that what the
    task engine does every lease / 6 happens twice a second."""

    def start_server(self, before_start=None):
        self.server = Server(extra="[tasks]\nlease_seconds = 3\n",
                             systems=compute_systems(nodes=1, cpus_per_node=1))
        self.addCleanup(self.server.cleanup)
        if before_start:
            before_start()
        self.server.start()
        self.alice = USERS.accounts["alice"]
        self.token = fetch_token(self.server, client_key(self.server, self.alice, "red")[0])

    def call(self, method, path, body=None, headers=None, timeout=30):
        h = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return self.server.request(method, PREFIX + path, body=body, headers=h, timeout=timeout)

    def command(self, text):
        return self.call("POST", "/utilities/command/perlmutter",
                         body=("executable=" + text).encode(), headers=FORM)

    def submit(self, body):
        from urllib.parse import urlencode
        return self.call("POST", "/compute/jobs/perlmutter",
                         body=urlencode({"job": script(body), "isPath": "false"}).encode(),
                         headers=FORM)

    def task(self, task_id):
        r = self.call("GET", f"/tasks/{task_id}")
        self.assertEqual(r.status, 200, r)
        return r.json()

    def ended(self, task_id, timeout=30):
        self.assertTrue(wait_until(lambda: self.task(task_id)["status"] != "new", timeout),
                        f"task {task_id} never ended")
        return self.task(task_id)

    def job(self, jobid):
        r = self.call("GET", f"/compute/jobs/perlmutter/{jobid}?sacct=true")
        self.assertEqual(r.status, 200, r)
        return r.json()["output"][0]

    def tasks(self):
        r = self.call("GET", "/tasks")
        self.assertEqual(r.status, 200, r)
        return [t["id"] for t in r.json()["tasks"]]

    def integrity(self):
        db = sqlite3.connect(os.path.join(self.server.data_dir, "sfapid.db"))
        try:
            return db.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            db.close()


class DiskFull(FaultTest):
    def test_a_full_data_disk_refuses_clearly_loses_nothing_and_recovers(self):
        def small_disk():
            os.makedirs(self.server.data_dir)
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs",
                            self.server.data_dir], check=True)
            self.addCleanup(subprocess.run, ["umount", "-l", self.server.data_dir])
        self.start_server(small_disk)
        # Accepted before the disk fills; it ends while the disk is full.
        running = self.command("sleep+1.5+%26%26+echo+survived")
        self.assertEqual(running.status, 200, running)
        running_id = running.json()["task_id"]
        filler = os.path.join(self.server.data_dir, "filler")
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)
        before = self.tasks()

        for refused in (self.command("echo+never"), self.submit("echo never")):
            self.assertEqual(refused.status, 503, refused)
            self.assertEqual(refused.json(), {"detail": "database: database or disk is full"})
        self.assertEqual(self.tasks(), before)  # nothing was made
        status = self.server.get(PREFIX + "/status/perlmutter")
        self.assertEqual((status.status, status.json()["status"]), (200, "active"))
        # The running task ends, and its end cannot be stored (tried for 1.5 s, then kept).
        self.assertTrue(wait_until(lambda: "kept to store later" in self.server.read_log(), 10))
        self.assertEqual(self.task(running_id)["status"], "new")

        os.unlink(filler)
        # Stored by itself once there is room: the end, not a made-up failure.
        t = self.ended(running_id, timeout=10)
        self.assertEqual(t["status"], "completed", t)
        self.assertEqual(json.loads(t["result"])["output"], "survived\n")
        again = self.command("echo+back")
        self.assertEqual(again.status, 200, again)
        self.assertEqual(json.loads(self.ended(again.json()["task_id"])["result"])["output"],
                         "back\n")
        self.server.stop()
        self.assertEqual(self.integrity(), "ok")


class StoreLocked(FaultTest):
    def test_a_store_locked_past_its_busy_timeout_answers_503_then_serves_again(self):
        self.start_server()
        holder = sqlite3.connect(os.path.join(self.server.data_dir, "sfapid.db"),
                                 isolation_level=None, check_same_thread=False)
        self.addCleanup(holder.close)
        holder.execute("BEGIN EXCLUSIVE")
        release = threading.Timer(8, lambda: holder.execute("ROLLBACK"))
        release.start()
        self.addCleanup(release.cancel)
        started = time.time()
        refused = self.command("echo+locked")
        waited = time.time() - started
        self.assertEqual(refused.status, 503, refused)
        self.assertEqual(refused.json(), {"detail": "database: database is locked"})
        self.assertGreaterEqual(waited, 4)  # it waited for the lock (5 s) before it gave up
        # The status page is served from memory meanwhile.
        status = self.server.get(PREFIX + "/status/perlmutter")
        self.assertEqual(status.status, 200)
        release.join()
        served = self.command("echo+unlocked")
        self.assertEqual(served.status, 200, served)
        t = self.ended(served.json()["task_id"])
        self.assertEqual(json.loads(t["result"])["output"], "unlocked\n")


class KilledSupervisor(FaultTest):
    def supervisor_of(self, needle):
        """The pid of the job supervisor whose job runs `needle`, and the job's own pid."""
        out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout
        rows = [line.split(None, 2) for line in out.splitlines()[1:]]
        job = next(r for r in rows if len(r) == 3 and needle in r[2] and "job-supervisor" not in r[2])
        supervisor = next(r for r in rows if r[0] == job[1])
        self.assertIn("job-supervisor", supervisor[2])
        return int(supervisor[0]), int(job[0])

    def test_a_killed_supervisor_ends_its_job_node_fail_and_frees_its_cpus(self):
        self.start_server()
        r = self.submit("exec sleep 417")
        jobid = json.loads(self.ended(r.json()["task_id"])["result"])["jobid"]
        self.assertTrue(wait_until(lambda: self.job(jobid)["state"] == "RUNNING", 20))
        # The job's process is the script's: bash exec'd sleep.
        self.assertTrue(wait_until(lambda: "sleep 417" in subprocess.run(
            ["ps", "-eo", "args"], capture_output=True, text=True).stdout, 10))
        supervisor, job_pid = self.supervisor_of("sleep 417")
        os.kill(supervisor, 9)
        self.assertTrue(wait_until(lambda: self.job(jobid)["state"] == "NODE_FAIL", 20),
                        self.job(jobid))
        self.assertTrue(wait_until(lambda: not os.path.exists(f"/proc/{job_pid}"), 10),
                        "the job's process ran on after its supervisor was killed")
        # One CPU, given back: the next job runs and completes.
        nxt = self.submit("echo next")
        next_id = json.loads(self.ended(nxt.json()["task_id"])["result"])["jobid"]
        self.assertTrue(wait_until(lambda: self.job(next_id)["state"] == "COMPLETED", 30),
                        self.job(next_id))
        self.assertIn(f"job {jobid} lost its supervisor; recorded as NODE_FAIL",
                      self.server.read_log())



class KilledCommand(FaultTest):
    def test_a_killed_command_ends_its_task_with_the_signal(self):
        self.start_server()
        r = self.command("sleep+419")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(wait_until(lambda: subprocess.run(
            ["pkill", "-KILL", "-u", self.alice, "-f", "sleep 419"]).returncode == 0, 10))
        t = self.ended(r.json()["task_id"])
        self.assertEqual(t["status"], "completed", t)
        result = json.loads(t["result"])
        self.assertEqual((result["status"], result["exit_code"]), ("error", 128 + 9), result)

if __name__ == "__main__":
    unittest.main()
