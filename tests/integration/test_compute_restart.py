"""sfapid stopped (SIGTERM) and started again on the same data directory while jobs run: the jobs
keep running, those that ended meanwhile are recorded with their real end, and queued jobs and
job ids carry on (needs root for real Unix users)."""

import signal
import subprocess
import time

from compute_helpers import ComputeTest, script
from harness import ModuleUsers

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove


def running(user, pattern):
    return subprocess.run(["pgrep", "-u", user, "-f", pattern], capture_output=True).returncode == 0


def wait_started(user, *patterns, timeout=10):
    """A job is RUNNING before its script has started its commands (bash takes a moment, longer
    on a loaded machine): wait until each pattern's process is there."""
    deadline = time.time() + timeout
    while not all(running(user, p) for p in patterns) and time.time() < deadline:
        time.sleep(0.05)


class Restart(ComputeTest):
    users = USERS
    scheduler = {"nodes": 1, "cpus_per_node": 4}

    def test_ended_jobs_hold_no_cpus_after_a_restart(self):
        # Four 1-CPU jobs end; after a restart a job wanting all four CPUs must still start.
        ids = [self.submit(script("true")) for _ in range(4)]
        for jobid in ids:
            self.wait_ended(jobid)
        self.server.stop()
        self.server.start()
        self.refresh_tokens()
        whole = self.submit(script("echo whole", "-c 4"))
        self.wait_ended(whole, timeout=20)

    def test_a_tasks_answer_from_memory_is_the_stores(self):
        # Polls of a task this sfapid just ran are answered from its memory; after a restart the
        # store answers: the same bytes, and another user's poll is a 404 either way.
        task_id = self.submit_task(script("true"))
        self.wait_task(task_id)
        fresh = self.call("GET", f"/tasks/{task_id}")
        foreign = self.call("GET", f"/tasks/{task_id}", "bob")
        self.assertEqual(foreign.status, 404, foreign)
        self.server.stop()
        self.server.start()
        self.refresh_tokens()
        stored = self.call("GET", f"/tasks/{task_id}")
        self.assertEqual((stored.status, stored.body), (fresh.status, fresh.body))
        self.assertEqual(stored.headers.get("Content-Type"), fresh.headers.get("Content-Type"))
        self.assertEqual(self.call("GET", f"/tasks/{task_id}", "bob").body, foreign.body)

    def test_jobs_survive_a_restart(self):
        home = self.home()
        ends_while_down = self.submit(script("sleep 3.01; echo a-done"))
        fails_while_down = self.submit(script("sleep 3.02; echo b-failing; exit 3"))
        ends_after = self.submit(script("sleep 9.01; echo c-done"))
        held = self.submit(script("true", "-H"))
        dependent = self.submit(script("echo d-done", f"-d afterok:{ends_after}"))
        for jobid in (ends_while_down, fails_while_down, ends_after):
            self.wait_running(jobid)
        wait_started(self.alice, "sleep 3.01", "sleep 3.02", "sleep 9.01")
        stopped_at = time.time()
        self.server.stop()
        self.assertTrue(running(self.alice, "sleep 9.01"), "stopping sfapid killed a running job")
        # Stay down until the first two have ended.
        deadline = time.time() + 15
        while (running(self.alice, "sleep 3.01") or running(self.alice, "sleep 3.02")) and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        self.assertTrue(running(self.alice, "sleep 9.01"))
        restarted_at = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime())
        self.server.start()
        self.refresh_tokens()
        print(f"\n  (sfapid was down {time.time() - stopped_at:.1f} s)", end=" ")

        acct = self.wait_ended(ends_while_down)
        self.assertEqual(acct["exitcode"], "0:0")
        self.assertLessEqual(acct["end"], restarted_at, "the end recorded is the restart, not the job's end")
        self.assertEqual(self.read_when_present(f"{home}/slurm-{ends_while_down}.out", contains="\n"), "a-done\n")
        acct = self.wait_ended(fails_while_down, "FAILED")
        self.assertEqual(acct["exitcode"], "3:0")
        self.assertEqual(self.read_when_present(f"{home}/slurm-{fails_while_down}.out", contains="\n"),
                         "b-failing\n")
        row = self.row(ends_after)
        self.assertIn(row["state"], ("RUNNING", "COMPLETED"), row)
        acct = self.wait_ended(ends_after, timeout=20)
        self.assertEqual(acct["exitcode"], "0:0")
        self.assertEqual(self.read_when_present(f"{home}/slurm-{ends_after}.out", contains="\n"), "c-done\n")
        # Its dependent was released by an end seen after the restart.
        self.wait_ended(dependent)
        self.assertEqual(self.read_when_present(f"{home}/slurm-{dependent}.out", contains="\n"), "d-done\n")
        # The job ran once, not again after the restart.
        time.sleep(0.5)
        self.assertFalse(running(self.alice, "sleep 9.01"))
        # The held job is still queued, and new job ids carry on after the old ones.
        row = self.row(held)
        self.assertEqual((row["state"], row["reason"]), ("PENDING", "JobHeldUser"))
        newer = self.submit(script("echo new"))
        self.assertGreater(int(newer), max(int(j) for j in (ends_while_down, fails_while_down, ends_after, held,
                                                               dependent)))
        self.wait_ended(newer)
        # A second restart changes nothing that was recorded.
        self.server.stop()
        self.server.start()
        self.refresh_tokens()
        for jobid, state in [(ends_while_down, "COMPLETED"), (fails_while_down, "FAILED"),
                             (ends_after, "COMPLETED"), (newer, "COMPLETED")]:
            self.assertEqual(self.row(jobid, sacct=True)["state"], state)
        self.assertEqual(self.row(held)["state"], "PENDING")

    def test_cancel_after_restart(self):
        jobid = self.submit(script("sleep 3003"))
        self.wait_running(jobid)
        self.server.stop()
        self.server.start()
        self.refresh_tokens()
        self.assertEqual(self.row(jobid)["state"], "RUNNING")
        self.assertEqual(self.cancel(jobid)["status"], "ok")
        self.wait_state(jobid, "CANCELLED", timeout=15)
        deadline = time.time() + 10
        while running(self.alice, "sleep 3003") and time.time() < deadline:
            time.sleep(0.1)
        self.assertFalse(running(self.alice, "sleep 3003"), "the job survived its cancel after a restart")

    def test_jobs_survive_a_crash(self):
        # SIGKILL: no orderly shutdown. Jobs keep running; one ends while sfapid is dead.
        ends_while_dead = self.submit(script("sleep 2.03; echo e-done"))
        ends_after = self.submit(script("sleep 5.03; exit 4"))
        for jobid in (ends_while_dead, ends_after):
            self.wait_running(jobid)
        wait_started(self.alice, "sleep 2.03", "sleep 5.03")
        self.server.stop(signal.SIGKILL)
        deadline = time.time() + 10
        while running(self.alice, "sleep 2.03") and time.time() < deadline:
            time.sleep(0.1)
        self.assertTrue(running(self.alice, "sleep 5.03"), "killing sfapid killed a running job")
        self.server.start()
        self.refresh_tokens()
        self.assertEqual(self.wait_ended(ends_while_dead)["exitcode"], "0:0")
        self.assertEqual(self.read_when_present(f"{self.home()}/slurm-{ends_while_dead}.out", contains="\n"),
                         "e-done\n")
        self.assertEqual(self.wait_ended(ends_after, "FAILED", timeout=15)["exitcode"], "4:0")


class Purge(ComputeTest):
    """Ended jobs are forgotten purge_jobs_after_days after their end (here 8.6 s), as slurmdbd's
    PurgeJobAfter: gone from sacct, and their ids are never given again, across a restart too."""

    users = USERS
    scheduler = {"nodes": 1, "cpus_per_node": 2, "purge_jobs_after_days": 0.0001}

    def test_old_jobs_are_purged_and_their_ids_never_come_back(self):
        array = self.submit(script("true", "-a 0-1"))
        running = self.submit(script("sleep 60"))  # still running: kept
        last = self.submit(script("true"))  # the highest id given out
        for jobid in (f"{array}_0", f"{array}_1", last):
            self.wait_state(jobid, "COMPLETED", sacct=True)
        ended = f"{array},{last}"
        deadline = time.time() + 30
        while self.jobs(sacct=True, jobid=ended) and time.time() < deadline:
            time.sleep(0.5)
        self.assertEqual(self.jobs(sacct=True, jobid=ended), [], "ended jobs were not purged")
        self.assertEqual(self.row(running)["state"], "RUNNING")
        self.assertEqual(self.row(running, sacct=True)["state"], "RUNNING")
        self.server.stop()
        self.server.start()
        self.refresh_tokens()
        self.assertEqual(self.jobs(sacct=True, jobid=ended), [])
        after = self.submit(script("true", "-H"))
        self.assertGreater(int(after), int(last), "an id of a purged job was given again")

    def test_a_job_waited_on_is_kept(self):
        # Forgetting the failed parent would make its dependent's afterok look satisfied.
        parent = self.submit(script("exit 1"))
        child = self.submit(script("true", f"-d afterok:{parent}"))
        self.wait_state(parent, "FAILED", sacct=True)
        self.wait_reason(child, "DependencyNeverSatisfied")
        time.sleep(12)  # past the 8.6 s after which ended jobs are purged
        self.assertEqual(self.row(parent, sacct=True)["state"], "FAILED")
        self.wait_reason(child, "DependencyNeverSatisfied")
