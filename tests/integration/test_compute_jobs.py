"""The life of jobs on the local scheduler, through the real server as real Unix users (needs
root): failure exit codes, time limits, waiting for resources, holds, begin times, dependencies,
cancelling while pending and while running, another user's cancel, and job arrays."""

import datetime
import os
import re
import subprocess
import time
import urllib.parse

import slurm_cluster
from compute_helpers import ComputeTest, job_key, script
from harness import ModuleUsers, wait_until

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove


def processes(user, pattern):
    r = subprocess.run(["pgrep", "-u", user, "-f", pattern], capture_output=True, text=True)
    return r.stdout.split()


# Run by a job as its user: stop every process of the user (kill -1) until one of them is a
# stopped child of the job's supervisor other than the job's shell, then let the others go on and
# stay (ignoring SIGTERM) for as long as the job is not killed.
STOP_THE_NOTICE_WRITER = r"""
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
log = open(sys.argv[1], "a", buffering=1)
me, uid, shell = os.getpid(), os.getuid(), os.getppid()
def parent(pid):
    stat = open(f"/proc/{pid}/stat").read()
    return int(stat[stat.rfind(")") + 2:].split()[1])
supervisor = parent(shell)
def stopped_writer():
    try:
        children = open(f"/proc/{supervisor}/task/{supervisor}/children").read().split()
    except OSError:
        return None
    for child in map(int, children):
        try:
            stat = open(f"/proc/{child}/stat").read()
            if child != shell and stat[stat.rfind(")") + 2] == "T" and os.stat(f"/proc/{child}").st_uid == uid:
                return child
        except OSError:
            pass
    return None
rounds = 0
writer = None
while writer is None:
    try:
        os.kill(-1, signal.SIGSTOP)
    except OSError:
        pass
    rounds += 1
    if rounds % 50 == 0:
        writer = stopped_writer()
log.write(f"caught the writer {writer}\n")
for pid in filter(str.isdigit, os.listdir("/proc")):
    if int(pid) not in (me, writer):
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                os.kill(int(pid), signal.SIGCONT)
        except OSError:
            pass
while True:
    time.sleep(1)
"""


class JobStates(ComputeTest):
    """A 1-node, 2-CPU cluster; KillWait 1 s."""

    users = USERS
    scheduler = {"nodes": 1, "cpus_per_node": 2, "kill_wait_seconds": 1}

    def wait_no_process(self, pattern, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not processes(self.alice, pattern):
                return
            time.sleep(0.1)
        self.fail(f"{pattern} still runs as {self.alice}")

    def test_failing_job_is_failed_with_its_exit_code(self):
        jobid = self.submit(script("echo before; exit 3"))
        row = self.wait_state(jobid, "FAILED")
        self.assertEqual(row["st"], "F")
        acct = self.wait_state(jobid, "FAILED", sacct=True)
        self.assertEqual(acct["exitcode"], "3:0")
        self.assertEqual(self.read_when_present(f"{self.home()}/slurm-{jobid}.out", contains="\n"), "before\n")

    def test_time_limit_ends_in_timeout(self):
        # Two seconds of limit ("minutes:seconds"). The script ignores SIGTERM, so KillWait (1 s)
        # later it is killed, with its background child. A scheduler that rounds limits up to
        # whole minutes still passes.
        text = script("""
            trap 'echo got-term' TERM
            sleep 3008 &
            while :; do echo tick >> "$HOME/ticks-$SLURM_JOB_ID"; sleep 0.2; done
            """, "--time=0:02")
        started = time.time()
        jobid = self.submit(text)
        self.wait_running(jobid)
        row = self.wait_state(jobid, "TIMEOUT", timeout=30 + self.scheduler_slack)
        self.assertEqual(row["st"], "TO")
        elapsed = time.time() - started
        acct = self.wait_state(jobid, "TIMEOUT", sacct=True)
        self.assertEqual(acct["state"], "TIMEOUT")
        self.wait_no_process("sleep 3008")
        ticks = f"{self.home()}/ticks-{jobid}"
        deadline = time.time() + 10
        size = -1
        while time.time() < deadline and os.path.getsize(ticks) != size:
            size = os.path.getsize(ticks)
            time.sleep(1)
        self.assertEqual(os.path.getsize(ticks), size, "the job's loop still runs after its time limit")
        out = self.read_when_present(f"{self.home()}/slurm-{jobid}.out", contains="got-term")
        self.assertIn("got-term", out, "the job was not sent SIGTERM before SIGKILL")
        print(f"\n  (TIMEOUT after {elapsed:.1f} s for --time=0:02)", end=" ")

    def test_processes_that_leave_the_jobs_process_group_are_stopped_too(self):
        # setsid puts a process in a new session and process group; Slurm's cgroup tracking still
        # stops it with the job, and so must the local scheduler (cgroup v2, as root).
        text = script("""
            setsid sleep 3011 &
            sleep 3012
            """)
        jobid = self.submit(text)
        self.wait_running(jobid)
        deadline = time.time() + 10
        while time.time() < deadline and not processes(self.alice, "sleep 3011"):
            time.sleep(0.1)
        self.assertTrue(processes(self.alice, "sleep 3011"), "the escaping process never started")
        self.assertEqual(self.cancel(jobid)["status"], "ok")
        self.wait_state(jobid, "CANCELLED")
        self.wait_no_process("sleep 3012")
        self.wait_no_process("sleep 3011")

    def test_a_fifo_in_place_of_the_error_file_does_not_delay_the_kill(self):
        # The job ignores SIGTERM and swaps its error file for a FIFO, where the time-limit notice
        # is written: the notice is skipped and SIGKILL still comes KillWait later.
        text = script("""
            trap '' TERM
            rm -f "err-$SLURM_JOB_ID"; mkfifo "err-$SLURM_JOB_ID"
            sleep 3013
            """, "--time=0:02", "-e err-%j")
        jobid = self.submit(text)
        self.wait_state(jobid, "TIMEOUT", timeout=30 + self.scheduler_slack)
        self.wait_no_process("sleep 3013")

    def test_padding_of_output_patterns_is_bounded(self):
        jobid = self.submit(script("echo padded", "-o pad-%300000000j.out"))
        self.wait_ended(jobid)
        self.assertEqual(self.read_when_present(f"{self.home()}/pad-{int(jobid):010d}.out",
                                                contains="\n"), "padded\n")

    def test_cancel_notice_and_the_jobs_own_output_both_survive(self):
        # The job writes after SIGTERM (a cleanup trap), after sfapid has added Slurm's notice to
        # the same file: neither may overwrite the other.
        text = script("""
            trap 'sleep 0.1; echo "cleanup after TERM"; exit 0' TERM
            echo before
            sleep 3010 &
            wait
            """)
        jobid = self.submit(text)
        self.wait_running(jobid)
        out_path = f"{self.home()}/slurm-{jobid}.out"
        self.read_when_present(out_path, contains="before")
        self.assertEqual(self.cancel(jobid)["status"], "ok")
        self.wait_state(jobid, "CANCELLED")
        self.wait_no_process("sleep 3010")
        out = self.read_when_present(out_path, contains="cleanup after TERM")
        lines = out.splitlines()
        self.assertIn("before", lines, out)
        self.assertIn("cleanup after TERM", lines, out)
        notice = re.compile(rf"^slurmstepd-\S+: error: \*\*\* JOB {jobid} ON \S+ CANCELLED AT \S+ \*\*\*$")
        self.assertTrue(any(notice.match(line) for line in lines),
                        f"Slurm's cancel notice is missing or overwritten: {out!r}")

    def test_waiting_for_resources_and_cancel_pending_then_running(self):
        big = self.submit(script("sleep 3005 &\nsleep 3001", "-c 2", "-J big"))
        row = self.wait_running(big)
        self.assertEqual((row["st"], row["reason"]), ("R", "None"))
        marker = f"{self.home()}/second-ran"
        second = self.submit(script(f"touch {marker}", "-c 2", "-J second"))
        row = self.wait_reason(second, "Resources")
        self.assertEqual(row["st"], "PD", row)
        # Cancel the pending job: it never runs.
        result = self.cancel(second)
        self.assertEqual(result, {"status": "ok", "jobid": second, "error": None})
        row = self.wait_state(second, "CANCELLED")
        self.assertEqual(row["st"], "CA")
        acct = self.wait_state(second, f"CANCELLED by {self.uid()}", sacct=True)
        self.assertEqual(acct["jobid"], second)
        # Cancel the running one: its processes end within KillWait. (RUNNING comes as the job
        # starts: its shell may not have reached `sleep 3001` yet on a busy machine.)
        self.assertTrue(wait_until(lambda: processes(self.alice, "sleep 3001"), timeout=10),
                        "the running job's processes never appeared")
        result = self.cancel(big)
        self.assertEqual(result, {"status": "ok", "jobid": big, "error": None})
        self.wait_state(big, "CANCELLED")
        self.wait_state(big, f"CANCELLED by {self.uid()}", sacct=True)
        self.wait_no_process("sleep 3001", timeout=5)
        self.wait_no_process("sleep 3005", timeout=5)  # its background child too
        time.sleep(0.5)
        self.assertFalse(os.path.exists(marker), "the cancelled pending job ran")
        self.assertEqual(self.row(big)["state"], "CANCELLED")

    def test_another_user_cannot_cancel(self):
        held = self.submit(script("sleep 300", "--hold"))
        running = self.submit(script("sleep 3002"))
        self.wait_running(running)
        for jobid, state in [(held, "PENDING"), (running, "RUNNING")]:
            # Bob sees the job (squeue shows everyone's) ...
            self.assertIsNotNone(self.row(jobid, user=self.bob))
            # ... but cannot cancel it.
            result = self.cancel(jobid, user=self.bob)
            self.assertEqual(result, {"status": "error", "jobid": jobid, "error":
                                      f"scancel: error: Kill job error on job id {jobid}: "
                                      "Access/permission denied"})
            time.sleep(0.3)
            self.assertEqual(self.row(jobid)["state"], state)
        self.assertTrue(processes(self.alice, "sleep 3002"))

    def test_cancel_errors_as_scancel_gives_them(self):
        # What `scancel -v` says (plain scancel 22.05 says nothing and exits 0 for both).
        done = self.submit(script("true"))
        self.wait_ended(done)
        self.assertEqual(self.cancel(done), {"status": "error", "jobid": done, "error":
                                             f"scancel: error: Kill job error on job id {done}: "
                                             "Job/step already completing or completed"})
        self.assertEqual(self.row(done, sacct=True)["state"], "COMPLETED")
        self.assertEqual(self.cancel("987654321"), {"status": "error", "jobid": "987654321", "error":
                                                    "scancel: error: Kill job error on job id 987654321: "
                                                    "Invalid job id specified"})
        # Only a job id reaches scancel: an option in its place (here: cancel all of mine) is not one.
        mine = self.submit(script("true", "--begin=now+1hour"))
        option = urllib.parse.quote(f"--user={self.alice}", safe="")
        r = self.call("DELETE", f"/compute/jobs/perlmutter/{option}")
        self.assertEqual(r.status, 200, r)
        result = self.wait_task(r.json()["task_id"])
        self.assertEqual(result, {"status": "error", "jobid": f"--user={self.alice}",
                                  "error": f"scancel: error: Invalid job id --user={self.alice}"})
        self.assertEqual(self.row(mine)["state"], "PENDING")

    def test_hold_and_begin_times(self):
        held = self.submit(script("true", "-H"))
        time.sleep(1)
        row = self.row(held)
        self.assertEqual((row["state"], row["reason"]), ("PENDING", "JobHeldUser"))
        later = datetime.datetime.now() + datetime.timedelta(hours=2)
        tomorrow = datetime.datetime.now() + datetime.timedelta(days=1)
        for begin in ["now+1hours", "now+90minutes", "now+3600seconds", later.strftime("%H:%M"),
                      tomorrow.strftime("%Y-%m-%dT%H:%M:%S")]:
            with self.subTest(begin=begin):
                jobid = self.submit(script("true", f"--begin={begin}"))
                row = self.row(jobid)
                self.assertEqual((row["state"], row["reason"]), ("PENDING", "BeginTime"), row)
        # A begin time a few seconds away: pending, then it runs no earlier.
        t0 = time.time()
        soon = self.submit(script("date +%s.%N", "-b now+3"))
        self.assertEqual(self.row(soon)["reason"], "BeginTime")
        self.wait_ended(soon, timeout=30 + self.scheduler_slack)
        ran_at = float(self.read_when_present(f"{self.home()}/slurm-{soon}.out", contains="\n"))
        self.assertGreaterEqual(ran_at, t0 + 2)

    def test_dependencies(self):
        ok_parent = self.submit(script("sleep 2", "-J okparent"))
        bad_parent = self.submit(script("sleep 1; exit 1", "-J badparent"))
        after_ok = self.submit(script("echo ran", f"-d afterok:{ok_parent}"))
        row = self.row(after_ok)
        self.assertEqual((row["state"], row["reason"]), ("PENDING", "Dependency"), row)
        never = self.submit(script("echo ran", f"--dependency=afterok:{bad_parent}"))
        both_ok = self.submit(script("echo ran", f"-d afterok:{ok_parent}:{bad_parent}"))
        not_ok = self.submit(script("echo ran", f"-d afternotok:{bad_parent}"))
        not_ok_of_ok = self.submit(script("echo ran", f"-d afternotok:{ok_parent}"))
        any_ = self.submit(script("echo ran", f"-d afterany:{bad_parent}"))
        combined = self.submit(script("echo ran", f"-d afterok:{ok_parent},afternotok:{bad_parent}"))
        self.wait_ended(bad_parent, "FAILED")
        self.wait_ended(ok_parent)
        for jobid in [after_ok, not_ok, any_, combined]:
            with self.subTest(jobid=jobid):
                self.wait_ended(jobid)
        for jobid in [never, both_ok, not_ok_of_ok]:
            with self.subTest(jobid=jobid):
                row = self.wait_state(jobid, "PENDING")
                deadline = time.time() + 5
                while row["reason"] != "DependencyNeverSatisfied" and time.time() < deadline:
                    time.sleep(0.2)
                    row = self.row(jobid)
                self.assertEqual((row["state"], row["reason"]), ("PENDING", "DependencyNeverSatisfied"))
                self.assertFalse(os.path.exists(f"{self.home()}/slurm-{jobid}.out"))
        # The dependent started only after its parent had ended.
        parent_end = self.row(ok_parent, sacct=True)["end"]
        child_start = self.row(after_ok, sacct=True)["start"]
        self.assertGreaterEqual(child_start, parent_end)
        # A dependency on a job the scheduler does not know (purged long ago, or never was) is
        # dropped, as Slurm drops it.
        orphan = self.submit(script("echo ran", "-d afterok:987654321"))
        self.assertEqual(self.row(orphan)["dependency"], "(null)")
        self.wait_ended(orphan)


class SupervisorNotice(ComputeTest):
    """The local scheduler's job supervisor against the job's own user (not in the suite shared
    with Slurm: the attack is on sfapid's supervisor). 1 node, 2 CPUs, KillWait 1 s."""

    users = USERS
    scheduler = {"nodes": 1, "cpus_per_node": 2, "kill_wait_seconds": 1}
    wait_no_process = JobStates.wait_no_process

    def test_a_job_that_stops_the_cancel_notice_writer_is_still_killed(self):
        # The notice is written by a child of the supervisor that took the job user's uid, so the
        # job may signal it. A job that ignores SIGTERM stops every process of its user until it
        # has caught that writer stopped (its error file is reached through a chain of symlinks
        # that makes the writer's open slow enough to catch), then lets its own go on. The
        # supervisor once waited on the writer for ever: no SIGKILL, the job outlived its cancel
        # and its node stayed taken.
        home = self.home()
        slow = f"{home}/slow"
        os.makedirs(f"{slow}/d")
        os.makedirs(f"{slow}/end")
        links = 38
        for i in range(links):
            os.symlink("d/../" * 800 + (f"s{i + 1}" if i + 1 < links else "end"), f"{slow}/s{i}")
        subprocess.run(["chown", "-R", f"{self.alice}:", slow], check=True)
        self.write_file(f"{home}/stopper.py", STOP_THE_NOTICE_WRITER)
        text = script(f"""
            trap '' TERM
            python3 {home}/stopper.py {home}/stopper.log &
            while :; do sleep 1; done
            """, f"-e {slow}/s0/err-%j.txt", "--time=10:00")
        jobid = self.submit(text)
        try:
            self.wait_running(jobid)
            self.assertTrue(wait_until(lambda: os.path.exists(f"{home}/stopper.log"), timeout=10))
            time.sleep(1)  # its loop under way
            self.assertEqual(self.cancel(jobid)["status"], "ok")
            self.wait_state(jobid, "CANCELLED")
            # KillWait is 1 s and the writer has 2 s: well within the wait below.
            self.wait_no_process("stopper.py", timeout=20)
        finally:
            # Had it not caught the writer, it stopped other processes of the user for good (the
            # user's file worker among them).
            subprocess.run(["pkill", "-KILL", "-u", self.alice, "-f", "stopper.py"])
            subprocess.run(["pkill", "-CONT", "-u", self.alice])
        with open(f"{home}/stopper.log") as f:
            print(f"(stopper: {f.read().strip() or 'did not catch the writer'})", end=" ")
        # The node is free again: the next job runs.
        self.wait_ended(self.submit(script("true", "-c 2")))


class Arrays(ComputeTest):
    """Four CPUs, so that four array tasks could run at once unless throttled."""

    users = USERS
    scheduler = {"nodes": 1, "cpus_per_node": 4, "kill_wait_seconds": 1}

    def test_array_tasks_run_with_their_ids(self):
        body = 'echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID job $SLURM_JOB_ID"'
        master = self.submit(script(body, "-a 0-3"))
        rows = self.jobs(jobid=master)
        ids = [r["jobid"] for r in rows]
        self.assertEqual(ids, [f"{master}_{i}" for i in range(4)], rows)
        for i, r in enumerate(rows):
            self.assertEqual((r["array_job_id"], r["array_task_id"]), (master, str(i)))
        for i in range(4):
            self.wait_state(f"{master}_{i}", "COMPLETED")
        job_ids = set()
        for i in range(4):
            out = self.read_when_present(f"{self.home()}/slurm-{master}_{i}.out", contains="\n")
            self.assertTrue(out.startswith(f"task {i} of {master} job "), out)
            job_ids.add(out.split()[-1])
        self.assertEqual(len(job_ids), 4, "array tasks share a SLURM_JOB_ID")
        acct = self.jobs(sacct=True, jobid=master)
        tasks = [r for r in acct if r["jobid"].startswith(f"{master}_")]
        self.assertEqual(sorted(r["jobid"] for r in tasks), [f"{master}_{i}" for i in range(4)])
        for r in tasks:
            self.assertRegex(r["jobidraw"], r"^[0-9]+$")
            self.assertEqual((r["state"], r["exitcode"]), ("COMPLETED", "0:0"))
        # One task by its own id.
        self.assertEqual([r["jobid"] for r in self.jobs(jobid=f"{master}_2")], [f"{master}_2"])

    def test_index_lists_and_steps(self):
        for spec, indexes in [("1,3,5", [1, 3, 5]), ("0-7:2", [0, 2, 4, 6])]:
            with self.subTest(spec=spec):
                master = self.submit(script("true", f"--array={spec}", "--hold"))
                rows = self.jobs(jobid=master)
                self.assertEqual([r["jobid"] for r in rows], [f"{master}_{i}" for i in indexes])
                self.assertEqual([r["array_task_id"] for r in rows], [str(i) for i in indexes])
                self.assertEqual({(r["state"], r["reason"]) for r in rows}, {("PENDING", "JobHeldUser")})
                # Cancelling the array id cancels every task.
                self.assertEqual(self.cancel(master)["status"], "ok")
                for i in indexes:
                    self.wait_state(f"{master}_{i}", "CANCELLED")

    def test_throttle_and_output_pattern(self):
        body = """
            echo "start $(date +%s.%N)"
            sleep 1
            echo "end $(date +%s.%N)"
            """
        master = self.submit(script(body, "-a 0-5%2", "-o thr-%A_%a.out"))
        most = 0
        deadline = time.time() + 30
        while time.time() < deadline:
            rows = self.jobs(jobid=master)
            most = max(most, sum(r["state"] == "RUNNING" for r in rows))
            if len(rows) == 6 and all(r["state"] == "COMPLETED" for r in rows):
                break
            time.sleep(0.1)
        self.assertLessEqual(most, 2, "more than 2 tasks of a %2 array ran at once")
        spans = []
        for i in range(6):
            out = self.read_when_present(f"{self.home()}/thr-{master}_{i}.out", contains="end")
            words = out.split()
            spans.append((float(words[1]), float(words[3])))
        for t in [s for s, _ in spans]:
            overlapping = sum(1 for s, e in spans if s <= t < e)
            self.assertLessEqual(overlapping, 2, spans)

    def test_rows_are_sorted_numerically(self):
        masters = [self.submit(script("true", "-a 0-11", "-H")) for _ in range(2)]
        singles = [self.submit(script("true", "-H")) for _ in range(3)]
        rows = self.jobs(jobid=",".join(masters + singles))
        ids = [r["jobid"] for r in rows]
        self.assertEqual(len(ids), 27)
        self.assertEqual(ids, sorted(ids, key=job_key), "rows are not in job id order")


class Capacity(ComputeTest):
    """Two nodes of 2 CPUs and 1000 MB each: jobs wait for CPUs, memory and nodes."""

    users = USERS
    scheduler = {"nodes": 2, "cpus_per_node": 2, "memory_mb_per_node": 1000, "kill_wait_seconds": 1}

    def test_memory_and_nodes_are_allocated(self):
        self.assertIn("Requested node configuration is not available",
                      self.submit_error(script("true", "--mem=2000M")))
        self.assertIn("Node count specification invalid", self.submit_error(script("true", "-N 3")))
        # 600 MB each: one job per node, the third waits.
        mem = [self.submit(script("sleep 3004", "--mem=600M")) for _ in range(3)]
        for jobid in mem[:2]:
            self.wait_running(jobid)
        time.sleep(0.5)
        row = self.row(mem[2])
        self.assertEqual((row["state"], row["reason"]), ("PENDING", "Resources"))
        for jobid in mem:
            self.cancel(jobid)
        for jobid in mem:
            self.wait_state(jobid, "CANCELLED")
        # A two-node job sees both nodes and holds them: a small job waits behind it.
        wide = self.submit(script('echo "$SLURM_JOB_NUM_NODES"; sleep 2', "-N 2", "-c 2"))
        self.wait_running(wide)
        self.assertEqual(self.row(wide)["nodes"], "2")
        small = self.submit(script("true"))
        time.sleep(0.5)
        self.assertEqual(self.row(small)["reason"], "Resources")
        self.wait_ended(wide)
        self.wait_ended(small)
        self.assertEqual(self.read_when_present(f"{self.home()}/slurm-{wide}.out", contains="\n"), "2\n")
        self.assertEqual(self.row(wide, sacct=True)["nnodes"], "2")


class SubmitLimit(ComputeTest):
    """Two pending or running jobs per user (each array task counts): the local scheduler's
    max_submit_jobs_per_user, Slurm's MaxSubmitJobs on alice's association."""

    users = USERS
    scheduler = {"nodes": 1, "cpus_per_node": 2, "max_submit_jobs_per_user": 2}
    refused = ("sbatch: error: AssocMaxSubmitJobLimit\nsbatch: error: Batch job submission failed: "
               "Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.backend == "slurm":
            slurm_cluster.set_max_submit_jobs(cls.alice, 2)

    @classmethod
    def tearDownClass(cls):
        if cls.backend == "slurm":
            slurm_cluster.set_max_submit_jobs(cls.alice, -1)
        super().tearDownClass()

    def test_a_user_may_have_so_many_jobs_and_no_more(self):
        first = self.submit(script("true", "-H"))
        self.submit(script("true", "-H"))
        self.assertEqual(self.submit_error(script("true", "-H")), self.refused)
        self.assertEqual(self.submit_error(script("true", "-H", "-a 0-2")), self.refused)
        # Another user's jobs count for them alone.
        self.submit(script("true", "-H"), user=self.bob)
        # A job that ends frees its place.
        self.assertEqual(self.cancel(first)["status"], "ok")
        self.wait_state(first, "CANCELLED")
        self.submit(script("true", "-H"))
