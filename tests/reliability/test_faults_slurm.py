"""slurmctld hanging (SIGSTOP: it holds its connections and answers nothing, as a controller
stuck on a slow disk or a lock does), against the real single-node Slurm of scripts/slurm-up
(needs root): the system goes unavailable with a note; queue queries answer within the configured
command timeout with errors that say so (in-band in the SFAPI's queue, as NERSC's does; 503 in the
IRI API); a submission whose sbatch timed out waits and is found out once slurmctld wakes (its job,
not a failure the user would answer with a second submission); all recovers by itself."""

import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

import slurm_cluster  # noqa: E402
from compute_helpers import ComputeTest, OnSlurm, script  # noqa: E402
from harness import ModuleUsers, wait_until  # noqa: E402

USERS = ModuleUsers("alice", "bob")
TIMEOUT = 4  # [systems.scheduler] command_timeout_seconds


def setUpModule():
    slurm_cluster.module_up(USERS)


def tearDownModule():
    slurm_cluster.module_down(USERS)


class SlurmctldHanging(OnSlurm, ComputeTest):
    users = USERS
    scheduler = {"backend": "slurm", "refresh_interval_seconds": 1,
                 "command_timeout_seconds": TIMEOUT}

    def status(self):
        return self.server.get("/api/v1.2/status/perlmutter").json()

    def test_a_hanging_slurmctld_makes_the_system_unavailable_and_all_recovers(self):
        with open("/tmp/sfapid-slurm/run/slurmctld.pid") as f:
            controller = int(f.read().strip())
        os.kill(controller, signal.SIGSTOP)
        try:
            self.assertTrue(wait_until(lambda: self.status()["status"] == "unavailable", 30),
                            self.status())
            status = self.status()
            self.assertEqual(status["description"], "Scheduler is not answering")
            self.assertTrue(any("Scheduler (slurm) is not answering since" in n
                                for n in status["notes"]), status)
            started = time.time()
            body = self.query([], check=False)
            self.assertLess(time.time() - started, TIMEOUT + 10)  # bounded by the timeout
            self.assertEqual((body["status"], body["output"]), ("ERROR", []), body)
            self.assertIn("timed out", body["error"])
            # The IRI API says it with its status code (the SFAPI's queue answers in-band).
            token = self.tokens[self.alice]
            r = self.server.request("POST", "/api/v2/compute/status/perlmutter", body=b"{}",
                                    headers={"Authorization": f"Bearer {token}",
                                             "Content-Type": "application/json"}, timeout=30)
            self.assertEqual(r.status, 503, r)
            self.assertIn("timed out", r.json()["detail"])
            # A submission now: sbatch times out, but slurmctld holds what it was sent and may
            # make the job when it wakes. The task waits to be told rather than report a failure
            # the user would answer with a second submission.
            task_id = self.submit_task(script("true", "-J hung-submit"))
            time.sleep(TIMEOUT + 4)
            self.assertEqual(self.task(task_id)["status"], "new")
        finally:
            os.kill(controller, signal.SIGCONT)
        self.assertTrue(wait_until(lambda: self.status()["status"] == "active", 60), self.status())
        result = self.wait_task(task_id, timeout=60)
        self.assertEqual(result["status"], "ok", result)
        made = [r["jobid"] for r in self.jobs() if r["name"] == "hung-submit"]
        self.assertEqual(made, [result["jobid"]], "the submission's job, and only it")
        self.assertEqual(self.wait_ended(result["jobid"], timeout=60)["state"], "COMPLETED")
        self.assertEqual(self.query([])["status"], "OK")
        jobid = self.submit(script("true", "-J after-hang"))
        self.assertEqual(self.wait_ended(jobid, timeout=60)["state"], "COMPLETED")


if __name__ == "__main__":
    unittest.main()
