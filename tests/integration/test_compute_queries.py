"""Reading the queue through the real server (GET /compute/jobs): kwargs filters, index and
limit, ordering, who sees what, the squeue view's MinJobAge and sacct after completion (needs
root for real Unix users)."""

import time

from compute_helpers import ComputeTest, job_key, script
from harness import ModuleUsers

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove


class Queries(ComputeTest):
    """Finished jobs leave the squeue view 3 s after they end."""

    users = USERS
    min_job_age = 3
    scheduler = {"nodes": 1, "cpus_per_node": 2, "min_job_age_seconds": min_job_age}

    def setUp(self):
        super().setUp()
        self.tag = f"q{time.monotonic_ns()}"  # one job name per test

    def held_jobs(self):
        """Six jobs of alice's and two of bob's that wait for a begin time an hour away, named by
        this class's tag; returns {jobid: (user, partition, account)}. (Not held with -H: Slurm's
        accounting has no record of those.)"""
        specs = [(self.alice, "regular", "accta"), (self.alice, "debug", "accta"),
                 (self.alice, "regular", "acctb"), (self.alice, "debug", "acctb"),
                 (self.alice, "regular", "accta"), (self.alice, "regular", "accta"),
                 (self.bob, "debug", "accta"), (self.bob, "regular", "acctb")]
        jobs = {}
        for user, partition, account in specs:
            jobid = self.submit(script("true", "--begin=now+1hour", f"-J {self.tag}", f"-p {partition}",
                                       f"-A {account}"), user=user)
            jobs[jobid] = (user, partition, account)
        return jobs

    def ids(self, rows):
        return [r["jobid"] for r in rows]

    def test_filters(self):
        jobs = self.held_jobs()
        mine = sorted((j for j, v in jobs.items() if v[0] == self.alice), key=job_key)
        everyone = sorted(jobs, key=job_key)
        some = [mine[1], mine[3]]
        self.assertEqual(self.ids(self.jobs(jobid=",".join(some))), some)
        self.assertEqual(self.ids(self.jobs(jobid=some[0])), [some[0]])
        self.assertEqual(self.jobs(jobid="987654321"), [])
        # All users' jobs are visible in the squeue view; `user` narrows it.
        self.assertEqual(self.ids(self.jobs(name=self.tag)), everyone)
        self.assertEqual(self.ids(self.jobs(as_user=self.bob, name=self.tag)), everyone)
        self.assertEqual(self.ids(self.jobs(name=self.tag, user=self.alice)), mine)
        self.assertEqual({r["user"] for r in self.jobs(user=self.bob)}, {self.bob})
        # partition and state take comma lists.
        debug = [j for j in everyone if jobs[j][1] == "debug"]
        self.assertEqual(self.ids(self.jobs(name=self.tag, partition="debug")), debug)
        self.assertEqual(self.ids(self.jobs(name=self.tag, partition="debug,regular")), everyone)
        self.assertEqual(self.ids(self.jobs(name=self.tag, state="PENDING")), everyone)
        self.assertEqual(self.ids(self.jobs(name=self.tag, state="RUNNING,PENDING")), everyone)
        self.assertEqual(self.jobs(name=self.tag, state="RUNNING"), [])
        acct_b = [j for j in everyone if jobs[j][2] == "acctb"]
        self.assertEqual(self.ids(self.jobs(name=self.tag, account="acctb")), acct_b)
        # Any other name: an exact match on that output field; several filters all hold.
        self.assertEqual(self.ids(self.jobs(name=self.tag, st="PD", reason="BeginTime")), everyone)
        self.assertEqual(self.jobs(name=self.tag, st="R"), [])
        self.assertEqual(self.jobs(name=self.tag[:-1]), [])
        self.assertEqual(self.ids(self.jobs(name=self.tag, user=self.bob, account="acctb")),
                         [j for j in everyone if jobs[j][0] == self.bob and jobs[j][2] == "acctb"])
        # sacct: at least the caller's own jobs, same filters.
        acct_rows = self.jobs(sacct=True, jobname=self.tag, user=self.alice)
        self.assertEqual([r["jobid"] for r in acct_rows], mine)
        self.assertEqual({(r["state"], r["user"]) for r in acct_rows}, {("PENDING", self.alice)})
        # `name` filters sacct's jobname.
        self.assertEqual(self.ids(self.jobs(sacct=True, name=self.tag, user=self.alice)), mine)
        acct_rows = self.jobs(sacct=True, jobid=",".join(some))
        self.assertEqual([r["jobid"] for r in acct_rows], some)
        self.assertEqual([(r["partition"], r["account"]) for r in acct_rows],
                         [jobs[j][1:] for j in some])

    def test_index_and_limit(self):
        jobs = self.held_jobs()
        everyone = sorted(jobs, key=job_key)
        self.assertEqual(len(everyone), 8)
        self.assertEqual(self.ids(self.jobs(name=self.tag, index=2)), everyone[2:])
        self.assertEqual(self.ids(self.jobs(name=self.tag, limit=3)), everyone[:3])
        self.assertEqual(self.ids(self.jobs(name=self.tag, index=2, limit=3)), everyone[2:5])
        self.assertEqual(self.ids(self.jobs(name=self.tag, index=6, limit=5)), everyone[6:])
        self.assertEqual(self.jobs(name=self.tag, index=100), [])
        self.assertEqual(self.ids(self.jobs(name=self.tag, index=0)), everyone)
        mine = [j for j in everyone if jobs[j][0] == self.alice]
        self.assertEqual(self.ids(self.jobs(name=self.tag, user=self.alice, index=1, limit=2)), mine[1:3])
        self.assertEqual(self.ids(self.jobs(sacct=True, jobname=self.tag, user=self.alice, index=4)),
                         mine[4:])
        # Without filters: sorted by job id, and index/limit still apply.
        all_rows = self.ids(self.jobs())
        self.assertEqual(all_rows, sorted(all_rows, key=job_key))
        self.assertEqual(self.ids(self.jobs(index=1, limit=2)), all_rows[1:3])

    def test_min_job_age_and_sacct_after_completion(self):
        jobid = self.submit(script("echo done", "-J agejob", "-A ageacct"))
        row = self.wait_state(jobid, "COMPLETED")
        self.assertEqual(row["st"], "CD")
        self.assertEqual(self.ids(self.jobs(jobid=jobid, state="COMPLETED")), [jobid])
        # MinJobAge later it has left the squeue view ...
        deadline = time.time() + self.min_job_age + 12
        while self.row(jobid) is not None and time.time() < deadline:
            time.sleep(0.2)
        self.assertIsNone(self.row(jobid), "a finished job stays in the squeue view beyond MinJobAge")
        r = self.call("GET", f"/compute/jobs/perlmutter/{jobid}?cached=false")
        self.assertEqual(r.json(), {"status": "ERROR", "output": [],
                                    "error": "slurm_load_jobs error: Invalid job id specified"})
        # ... but sacct still has it.
        acct = self.row(jobid, sacct=True)
        self.assertIsNotNone(acct)
        self.assertEqual((acct["state"], acct["exitcode"], acct["jobid"], acct["jobidraw"], acct["jobname"],
                          acct["user"], acct["account"], acct["partition"]),
                         ("COMPLETED", "0:0", jobid, jobid, "agejob", self.alice, "ageacct", "regular"))
        r = self.call("GET", f"/compute/jobs/perlmutter/{jobid}?sacct=true&cached=false")
        body = r.json()
        self.assertEqual((r.status, body["status"], body["error"]), (200, "OK", None), body)
        self.check_rows(body["output"], sacct=True)
        self.assertEqual([row["state"] for row in body["output"] if row["jobid"] == jobid], ["COMPLETED"])
        # `cached` is accepted either way; the local scheduler always answers fresh.
        for cached in ["true", "false", "True", "0"]:
            r = self.call("GET", f"/compute/jobs/perlmutter?sacct=true&cached={cached}&kwargs=jobid%3D{jobid}")
            self.assertEqual([row["jobid"] for row in r.json()["output"]], [jobid])
