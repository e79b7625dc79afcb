"""Compute through the real server on the Slurm backend, against a real single-node Slurm
(scripts/slurm-up: slurmctld, slurmd, slurmdbd with MariaDB): sbatch and scancel run as the user,
the queue and accounting come from shared squeue/sacct snapshots, Slurm's own errors reach the task
result, and 200 pollers asking for fresh data share the refreshes (needs root)."""

import concurrent.futures
import os
import re
import signal
import subprocess
import time
import urllib.parse

import slurm_cluster
import test_compute
import test_compute_callbacks
import test_compute_jobs
import test_compute_queries
from compute_helpers import ComputeTest, OnSlurm, compute_systems, script
from harness import ModuleUsers, Server, client_key, fetch_token

USERS = ModuleUsers("alice", "bob")


def setUpModule():
    slurm_cluster.module_up(USERS)


def tearDownModule():
    slurm_cluster.module_down(USERS)


def metric(text, name, **labels):
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(name + "{") and want in line:
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no metric {name} {labels} in:\n{text}")


# The shared compute suite, run against Slurm with the same tests and expectations as on the local
# scheduler (compute_helpers.OnSlurm): SlurmSubmission, SlurmJobStates, ...
SHARED_SUITE = [test_compute.Submission, test_compute.AccountCheck, test_compute_jobs.JobStates,
                test_compute_jobs.Arrays, test_compute_jobs.SubmitLimit, test_compute_queries.Queries,
                test_compute_callbacks.Callbacks]
for _shared in SHARED_SUITE:
    _name = "Slurm" + _shared.__name__
    globals()[_name] = type(_name, (OnSlurm, _shared),
                            {"users": USERS, "__module__": __name__, "__qualname__": _name})
del _shared, _name  # or the loader would find the last local class here too


class SlurmDefaultAccount(OnSlurm, ComputeTest):
    """A job that names no account is charged by Slurm to the user's default association, so that
    is the project checked: here alice's is set to a project whose hours are used up."""

    users = USERS

    @classmethod
    def setUpClass(cls):
        alice = USERS.accounts["alice"]
        cls.extra = (f'[[projects]]\nrepo_name = "default"\ncpu_hours = 1000\nmembers = ["{alice}"]\n'
                     f'[[projects]]\nrepo_name = "spent"\ncpu_hours = 0\nmembers = ["{alice}"]\n')
        super().setUpClass()

    def set_default_account(self, account):
        subprocess.run(["sacctmgr", "-i", "modify", "user", "where", f"name={self.alice}", "set",
                        f"defaultaccount={account}"], check=True, capture_output=True)

    def test_the_users_slurm_default_account_is_checked(self):
        self.set_default_account("spent")
        try:
            self.assertIn("Job violates accounting/QOS policy", self.submit_error(script("true")))
            jobid = self.submit(script("true", "-A default"))
            self.assertEqual(self.wait_ended(jobid, timeout=60)["account"], "default")
        finally:
            self.set_default_account("default")


class SlurmCompute(OnSlurm, ComputeTest):
    """What only the Slurm backend has: Slurm's own errors, shared refreshes, slurmctld down; with
    `slurm_cluster` set, so every command also runs with --clusters."""

    users = USERS
    scheduler = dict(OnSlurm.scheduler, slurm_cluster="perlmutter")

    def test_by_path_with_args_is_visible_at_once_and_completes(self):
        path = self.write_file(f"{self.home()}/args.sh", script('echo "$@"; id -un'), owner=self.alice)
        jobid = self.submit(path, is_path=True, args=["1", "2", "3"])
        self.assertRegex(jobid, r"^\d+$")
        self.assertIsNotNone(self.row(jobid), "the job just submitted is not in the queue")
        acct = self.wait_ended(jobid, timeout=60)
        # Complete as soon as it shows COMPLETED (slurmdbd's first record of a job is a stub).
        self.assertEqual((acct["exitcode"], acct["user"], acct["account"], acct["partition"],
                          acct["jobname"]), ("0:0", self.alice, "default", "regular", "args.sh"))
        self.assertEqual(self.read_when_present(f"{self.home()}/slurm-{jobid}.out", contains=self.alice),
                         f"1 2 3\n{self.alice}\n")

    def test_failing_job_and_slurms_own_errors(self):
        jobid = self.submit(script("exit 3"))
        acct = self.wait_ended(jobid, "FAILED", timeout=60)
        self.assertEqual(acct["exitcode"], "3:0")
        self.assertIn("Requested time limit is invalid", self.submit_error(script("true", "-t 5000")))
        self.assertIn("Invalid account or account/partition combination specified",
                      self.submit_error(script("true", "-A nosuchaccount")))

    def test_cancel_and_nobody_elses(self):
        jobid = self.submit(script("true", "--begin=now+1hour"))
        self.wait_state(jobid, "PENDING")
        refused = self.cancel(jobid, self.bob)
        self.assertEqual(refused["status"], "error", refused)
        self.assertIn("scancel: error:", refused["error"])
        self.assertEqual(self.row(jobid)["state"], "PENDING")
        self.assertEqual(self.cancel(jobid)["status"], "ok")
        self.wait_state(jobid, "CANCELLED")
        self.wait_state(jobid, f"CANCELLED by {self.uid()}", sacct=True, timeout=30)

    def test_200_fresh_pollers_share_each_squeue(self):
        before = self.server.get("/metrics").body.decode()
        jobid = self.submit(script("true", "--hold"))
        token = self.tokens[self.alice]
        path = ("/api/v1.2/compute/jobs/perlmutter?" +
                urllib.parse.urlencode([("kwargs", f"jobid={jobid}"), ("cached", "false")]))

        def poll(_):
            r = self.server.get(path, headers={"Authorization": f"Bearer {token}"}, timeout=60)
            return [row["jobid"] for row in r.json()["output"]]

        with concurrent.futures.ThreadPoolExecutor(200) as pool:
            seen = list(pool.map(poll, range(200)))
        self.assertEqual([s for s in seen if s != [jobid]], [], "a poller missed the job")
        after = self.server.get("/metrics").body.decode()
        squeues = (metric(after, "sfapid_slurm_commands_total", command="squeue")
                   - metric(before, "sfapid_slurm_commands_total", command="squeue"))
        refreshes = (metric(after, "sfapid_snapshot_refreshes_total", view="queue")
                     - metric(before, "sfapid_snapshot_refreshes_total", view="queue"))
        callers = (metric(after, "sfapid_snapshot_callers_total", view="queue")
                   - metric(before, "sfapid_snapshot_callers_total", view="queue"))
        self.assertEqual(squeues, refreshes, "a squeue ran outside a snapshot refresh")
        self.assertGreaterEqual(callers, 200)
        self.assertLessEqual(refreshes, 40, f"{refreshes:.0f} squeues for 200 pollers: not shared")
        print(f"\n  (200 fresh pollers: {refreshes:.0f} squeue runs)", end=" ")
        self.cancel(jobid)

    def test_slurm_cluster_goes_to_every_command(self):
        # This class's server passes --clusters=perlmutter (its other tests show that works); one
        # naming a cluster slurmdbd does not know gets Slurm's refusal, so the option is used.
        other = Server(self.server_options,
                       systems=compute_systems(backend="slurm", slurm_cluster="nosuchcluster")).start()
        try:
            token = fetch_token(other, client_key(other, self.alice, "yellow")[0])
            r = other.get("/api/v1.2/compute/jobs/perlmutter?cached=false",
                          headers={"Authorization": f"Bearer {token}"})
            body = r.json()
            self.assertEqual((r.status, body["status"], body["output"]), (200, "ERROR", []), body)
            self.assertIn("nosuchcluster", body["error"])
        finally:
            other.cleanup()

    def test_z_slurmctld_down_is_reported_and_recovers(self):
        # Runs last (by name): it stops slurmctld and brings it back.
        with open("/tmp/sfapid-slurm/run/slurmctld.pid") as f:
            pid = int(f.read().strip())
        os.kill(pid, signal.SIGTERM)
        try:
            def status():
                return self.server.get("/api/v1.2/status/perlmutter").json()
            deadline = time.time() + 60
            while time.time() < deadline and status()["status"] != "unavailable":
                time.sleep(0.2)
            self.assertEqual(status()["status"], "unavailable", status())
            self.assertIn("slurmctld", status()["description"] + str(status().get("notes")))
            body = self.query([], check=False)
            self.assertEqual((body["status"], body["output"]), ("ERROR", []), body)
            self.assertTrue(body["error"], body)
        finally:
            # slurmctld removes its pid file before it has exited; slurm-up refuses to start
            # beside a slurmctld it did not start, so wait for this one to be gone.
            gone_by = time.time() + 60
            while time.time() < gone_by:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            slurm_cluster.up(USERS.accounts.values())
        deadline = time.time() + 60
        while time.time() < deadline and status()["status"] != "active":
            time.sleep(0.2)
        self.assertEqual(status()["status"], "active", status())
        self.assertEqual(self.query([])["status"], "OK")
