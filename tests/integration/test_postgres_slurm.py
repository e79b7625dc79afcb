"""Two sfapid nodes on one PostgreSQL store in front of the real Slurm test cluster: the queue is
read once per refresh for both nodes (one squeue, shared through the store), and a job submitted
through one node is in the very next read through the other, and a job submitted through a node
that dies is reported (usage, callbacks) by the other. Needs root, Slurm and PostgreSQL
(tests/run-on-postgres); skipped with the reason otherwise."""

import concurrent.futures
import json
import os
import signal
import subprocess
import time
import unittest
import urllib.parse

import slurm_cluster
from compute_helpers import ComputeTest, OnSlurm, compute_systems, script
from harness import PREFIX, ModuleUsers, Server, share_store, wait_until
from test_compute_slurm import metric

USERS = ModuleUsers("alice", "bob")
# The test polls as fast as threads can to count squeue runs: no rate limit may slow the pollers.
ISSUER = ('[auth]\nissuer = "http://sfapid.cluster.test"\n'
          "[rate_limits]\nreads_per_client = 0\nreads_per_address = 0\n")


def setUpModule():
    if not os.environ.get("SFAPID_TEST_PG_URL"):
        raise unittest.SkipTest("needs PostgreSQL: run through tests/run-on-postgres (make test does)")
    slurm_cluster.module_up(USERS)


def tearDownModule():
    slurm_cluster.module_down(USERS)


class SharedQueue(OnSlurm, ComputeTest):
    users = USERS
    extra = ISSUER
    # A short claim on the refresh, so the test of a dead refresher is short too.
    scheduler = dict(OnSlurm.scheduler, refresh_interval_seconds=1, command_timeout_seconds=2)

    @classmethod
    def setUpClass(cls):
        base = cls.server_options
        cls.server_options = base + '\nnode_name = "node-a"'
        super().setUpClass()  # node a: cls.server
        cls.b = Server(base + '\nnode_name = "node-b"', extra=ISSUER,
                       systems=compute_systems(**cls.scheduler))
        share_store(cls.server, cls.b)
        cls.b.start()
        cls.nodes = [cls.server, cls.b]

    @classmethod
    def tearDownClass(cls):
        cls.b.cleanup()
        super().tearDownClass()

    def jobs_via(self, node, params, user=None):
        """The queue rows through `node` (cached unless params say otherwise)."""
        token = self.tokens[self.user(user)]
        r = node.get(f"{PREFIX}/compute/jobs/perlmutter?" + urllib.parse.urlencode(params),
                     headers={"Authorization": f"Bearer {token}"}, timeout=60)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual((body["status"], body["error"]), ("OK", None), body)
        return body["output"]

    def squeues(self):
        """squeue runs so far, by each node."""
        return [metric(n.get("/metrics").body.decode(), "sfapid_slurm_commands_total",
                       command="squeue") for n in self.nodes]

    def test_a_job_submitted_through_one_node_is_in_the_next_cached_read_through_the_other(self):
        # Both nodes have a cached view first, taken before the submission.
        for node in self.nodes:
            self.jobs_via(node, [])
        for _ in range(3):
            jobid = self.submit(script("true", "--hold"))  # through node a
            rows = self.jobs_via(self.b, [("kwargs", f"jobid={jobid}")])
            self.assertEqual([r["jobid"] for r in rows], [jobid], "node b served a view from before")
            self.cancel(jobid)
            # The cancel through a shows through b at once too.
            rows = self.jobs_via(self.b, [("kwargs", f"jobid={jobid}")])
            self.assertEqual(len(rows), 1, rows)
            self.assertIn(rows[0]["state"], ("CANCELLED", "COMPLETING"), rows)

    def test_both_nodes_polling_run_squeue_once_per_refresh_between_them(self):
        jobid = self.submit(script("true", "--hold"))
        before = self.squeues()
        stop = time.time() + 6
        seen = []

        def poll(node):
            while time.time() < stop:
                rows = self.jobs_via(node, [("kwargs", f"jobid={jobid}")])
                seen.append([r["jobid"] for r in rows])

        started = time.time()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(poll, self.nodes * 4))
        elapsed = time.time() - started
        after = self.squeues()
        runs = [a - b for a, b in zip(after, before)]
        # Each node alone refreshes once per second: about 2 x elapsed between them. Shared: one
        # refresh per second for both (plus one at each edge of the window).
        self.assertLessEqual(sum(runs), elapsed / 1.0 + 2,
                             f"squeue ran {runs} times on (a, b) in {elapsed:.1f} s")
        self.assertGreaterEqual(sum(runs), 1)
        self.assertEqual([s for s in seen if s != [jobid]], [], "a poll missed the job")
        shared = [metric(n.get("/metrics").body.decode(), "sfapid_shared_view_reads_total",
                         view="queue", read_by="another node") for n in self.nodes]
        self.assertGreater(sum(shared), 0, "no node used the other's view")
        print(f"\n  (2 nodes polling {elapsed:.1f} s: squeue ran {runs} times on a, b)", end=" ")

    def test_fresh_pollers_on_both_nodes_share_each_squeue(self):
        jobid = self.submit(script("true", "--hold"))
        before = self.squeues()
        with concurrent.futures.ThreadPoolExecutor(100) as pool:
            seen = list(pool.map(lambda i: [r["jobid"] for r in self.jobs_via(
                self.nodes[i % 2], [("kwargs", f"jobid={jobid}"), ("cached", "false")])],
                range(100)))
        runs = sum(self.squeues()) - sum(before)
        self.assertEqual([s for s in seen if s != [jobid]], [])
        self.assertLessEqual(runs, 30, f"{runs:.0f} squeues for 100 fresh pollers on two nodes")

    def test_a_node_killed_while_it_refreshes_delays_the_other_only_until_its_claim_ends(self):
        # A stand-in for a node that died holding the claim: taken in the store directly, never
        # saved, ending 3 s from now; node b then reads for itself.
        url = self.server_url()
        now_ms = int(time.time() * 1000)
        subprocess.run(["psql", url, "-qc",
                        "INSERT INTO scheduler_views(key) VALUES('slurm/perlmutter/queue') "
                        "ON CONFLICT DO NOTHING; UPDATE scheduler_views SET refresher = 'dead', "
                        f"claim_until_ms = {now_ms + 3000}, attempted_ms = {now_ms} "
                        "WHERE key = 'slurm/perlmutter/queue'"], check=True, capture_output=True)
        started = time.time()
        rows = self.jobs_via(self.b, [("cached", "false")])
        waited = time.time() - started
        self.assertIsInstance(rows, list)
        self.assertGreaterEqual(waited, 2.0, "b did not wait for the claim")

    def test_a_job_submitted_through_a_node_that_died_is_reported_by_the_other(self):
        jobid = self.submit(script("sleep 2"))  # through node a
        watched = f"SELECT jobid FROM slurm_watched_jobs WHERE jobid = '{jobid}'"
        self.assertEqual(self.b.query(watched), [(jobid,)], "the watch is not in the store")
        self.server.stop(signal.SIGKILL)
        try:
            charged = f'SELECT jobid, state, "user" FROM finished_jobs WHERE jobid = \'{jobid}\''
            self.assertTrue(wait_until(lambda: self.b.query(charged), timeout=60),
                            "node b never reported the job node a submitted")
            self.assertEqual(self.b.query(charged), [(jobid, "COMPLETED", self.user(None))])
            self.assertTrue(wait_until(lambda: not self.b.query(watched), timeout=10))
        finally:
            self.server.start()

    def test_a_submission_cut_off_by_its_nodes_death_ends_with_what_slurm_has(self):
        # What a node that died mid-submission leaves: a running submit task under a lapsed lease
        # with its checkpoint, and, for one of two such tasks, the job sbatch made before the
        # death. The surviving nodes end each with the truth instead of "check its effects".
        alice, home = self.user(None), self.home("alice")
        path, never = os.path.join(home, "cut-off.sh"), os.path.join(home, "never-sent.sh")
        as_alice = ["runuser", "-u", alice, "--"]
        subprocess.run(as_alice + ["sh", "-c", f"printf '#!/bin/bash\\ntrue\\n' > {path}"],
                       check=True)
        since = int(time.time()) - 1
        jobid = subprocess.run(as_alice + ["sbatch", "--parsable", "--hold", path], cwd=home,
                               capture_output=True, text=True, check=True).stdout.strip()
        jobid = jobid.split(";")[0]
        now = int(time.time())

        def orphan(script, at):
            mark = json.dumps({"script": script, "since": at, "reservation": "", "client_id": "",
                               "callback": {"url": "", "email": ""}})
            return self.b.query(
                "INSERT INTO tasks(owner, kind, system, status, created_at, updated_at, node, "
                f"lease_until, checkpoint) VALUES('{alice}', 'submit_job', 'perlmutter', 'new', "
                f"{now}, {now}, 'node-dead', {now - 60}, '{mark}') RETURNING id")[0][0]

        found, lost = orphan(path, since), orphan(never, now - 120)
        try:
            for task_id in (found, lost):
                self.assertTrue(wait_until(lambda: self.task(task_id)["status"] != "new",
                                           timeout=20), f"task {task_id} was never ended")
            t = self.task(found)
            self.assertEqual((t["status"], json.loads(t["result"])),
                             ("completed", {"status": "ok", "jobid": jobid, "error": None}))
            watched = f"SELECT jobid FROM slurm_watched_jobs WHERE jobid = '{jobid}'"
            self.assertEqual(self.b.query(watched), [(jobid,)], "the job is not watched")
            t = self.task(lost)
            self.assertEqual(t["status"], "failed")
            self.assertRegex(json.loads(t["result"])["error"],
                             r"^the sfapid node that ran this task \(node-dead\) stopped while "
                             r"it submitted the job, and it did not reach the scheduler \(no job "
                             rf"of yours from {never} since \S+\): submit it again\.$")
        finally:
            self.cancel(jobid)

    def server_url(self):
        with open(self.server.config_path) as f:
            return next(line for line in f if line.startswith("url = ")).split('"')[1]


if __name__ == "__main__":
    unittest.main()
