"""Three sfapid nodes on PostgreSQL behind HAProxy in front of the real Slurm test cluster
(scripts/cluster-up with CLUSTER_SCHEDULER=slurm). Under a steady load of job submissions,
commands, uploads and queue polls through the balancer, one node is killed with SIGKILL and later
another is restarted gracefully: every request is answered or fails retryably and succeeds on
retry, every accepted task ends once with a truthful status, the jobs Slurm saw are the accepted
submissions (none missing, none twice), and the queue was read once per refresh for all nodes
(and once more after a user's own submission, for read-your-writes) — counted by slurmctld
itself (sdiag). Needs root, Slurm, PostgreSQL and HAProxy."""

import collections
import json
import os
import re
import subprocess
import time
import unittest

import slurm_cluster
from cluster_harness import Cluster, RetryingClient, require_cluster
from harness import ModuleUsers, client_key, fetch_token, upload_form, wait_until

PORT = 18480  # the balancer; nodes on 18481-18483
USERS = ModuleUsers("alice")
CLUSTER = Cluster(PORT, CLUSTER_SCHEDULER="slurm")
# What a task ended by a node's death or stop says (docs/operations.md).
NODE_GONE = (r"^(the sfapid node that ran this task \(node3\) stopped (before it finished|while"
             r" it submitted the job; jobs .* may be this submission)"
             r"|sfapid restarted while this task ran"
             r"|sfapid stopped (while this task ran|before this task started))")
# A submission cut off by its node's death that Slurm never saw (found out, not guessed).
NOT_SENT = (r"^the sfapid node that ran this task \(node3\) stopped while it submitted the job, "
            r"and it did not reach the scheduler")


def setUpModule():
    require_cluster()
    slurm_cluster.module_up(USERS)
    CLUSTER.up(USERS.accounts["alice"])


def tearDownModule():
    CLUSTER.down()
    slurm_cluster.module_down(USERS)


def job_info_rpcs():
    """How many times slurmctld was asked for the job list (squeue) since it started."""
    out = subprocess.run(["sdiag"], capture_output=True, text=True, check=True, timeout=30).stdout
    m = re.search(r"^\s*REQUEST_JOB_INFO\s+\(\s*\d+\) count:(\d+)", out, re.M)
    return int(m.group(1)) if m else 0


def slurm_jobs(user, prefix):
    """{job name: [job ids]} of the user's jobs named with prefix, as Slurm's accounting has them."""
    out = subprocess.run(["sacct", "-X", "-n", "-P", "-u", user, "-S", "now-1hour",
                          "-o", "JobID,JobName"], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    jobs = collections.defaultdict(list)
    for line in out.splitlines():
        jobid, _, name = line.partition("|")
        if name.startswith(prefix):
            jobs[name].append(jobid)
    return jobs


class KillUnderLoad(unittest.TestCase):
    def test_a_killed_node_and_a_graceful_restart_lose_nothing_and_run_nothing_twice(self):
        alice = USERS.accounts["alice"]
        home = USERS.home("alice")
        key = client_key(CLUSTER.nodes[0], alice)[0]
        client = RetryingClient(CLUSTER.lb, fetch_token(CLUSTER.lb, key))
        call = client.call
        prefix = f"sfc{os.getpid()}"
        submits, commands, uploads, retried_submits = [], [], [], set()

        def wait_task(task_id):
            deadline = time.time() + 2  # as a client does, a while before the next request
            while time.time() < deadline:
                r = call("GET", f"/tasks/{task_id}")
                if r is None or r.json()["status"] != "new":
                    return
                time.sleep(0.05)

        def load(worker, stop):
            n = 0
            while not stop.is_set():
                n += 1
                name = f"{prefix}w{worker}n{n}"
                # Sent again after a 502 (the dying node may have taken it): the key makes the
                # retry return the first task instead of submitting twice.
                r = call("POST", "/compute/jobs/perlmutter",
                         {"job": f"#!/bin/bash\n#SBATCH -J {name}\n#SBATCH -t 1\ntrue\n",
                          "isPath": "false"}, idempotency_key=name)
                if r is not None:
                    self.assertEqual(r.status, 200, r)
                    submits.append((r.json()["task_id"], name))
                    if r.tries > 1:
                        retried_submits.add(name)
                    wait_task(r.json()["task_id"])
                r = call("POST", "/utilities/command/perlmutter", {"executable": f"echo {name}"})
                if r is not None:
                    self.assertEqual(r.status, 200, r)
                    commands.append((r.json()["task_id"], name))
                    wait_task(r.json()["task_id"])
                body, content_type = upload_form(name.encode(), filename="u")
                r = call("PUT", f"/utilities/upload/perlmutter/{home}/{name}.up", body,
                         content_type=content_type)
                if r is not None:
                    self.assertEqual(r.status, 200, r)
                    uploads.append(name)
                r = call("GET", "/compute/jobs/perlmutter?kwargs=user%3D" + alice)
                if r is not None:
                    self.assertEqual((r.status, r.json()["status"]), (200, "OK"), r)

        rpcs_before = job_info_rpcs()
        started = time.time()
        CLUSTER.under_node_faults(load, warmup=3, settle=3)
        elapsed = time.time() - started
        rpcs = job_info_rpcs() - rpcs_before
        self.assertEqual(client.outcomes["failed"], [], "requests that failed even on retry")
        self.assertGreater(len(submits), 10)

        # Every accepted task ends once, with the truth.
        def ended(task_id):
            self.assertTrue(wait_until(lambda: call("GET", f"/tasks/{task_id}").json()["status"]
                                       != "new", timeout=90), f"task {task_id} never ended")
            return call("GET", f"/tasks/{task_id}").json()

        submitted, told_to_check, not_sent = {}, set(), set()
        for task_id, name in submits:
            t = ended(task_id)
            result = json.loads(t["result"])
            if t["status"] == "completed" and result.get("status") == "ok":
                submitted[name] = result["jobid"]  # also a job found after its node died
            elif re.match(NOT_SENT, result.get("error") or ""):
                self.assertEqual(t["status"], "failed", t)
                not_sent.add(name)
            else:
                self.assertEqual(t["status"], "failed", t)
                self.assertRegex(result["error"], NODE_GONE, t)
                told_to_check.add(name)
        for task_id, name in commands:
            t = ended(task_id)
            if t["status"] == "completed":
                self.assertEqual(json.loads(t["result"])["output"], name + "\n", t)
            else:
                self.assertRegex(json.loads(t["result"])["error"], NODE_GONE, t)
        for name in uploads:
            with open(os.path.join(home, name + ".up")) as f:
                self.assertEqual(f.read(), name)

        # The jobs Slurm saw: every submission reported done is there under its id (including
        # those a node's death cut off, found in Slurm by the node that ended the task); none
        # said not to have reached Slurm is there; nothing else is, but a submission whose task
        # ended "check its effects" (the dead node's sbatch may still have been running when
        # its own node restarted) — and no name twice, retried POSTs included (Idempotency-Key).
        self.assertTrue(wait_until(lambda: set(submitted) <= set(slurm_jobs(alice, prefix)),
                                   timeout=60), "a job reported submitted is not in Slurm")
        jobs = slurm_jobs(alice, prefix)
        for name, jobid in submitted.items():
            self.assertIn(jobid, jobs[name], name)
        unexplained = set(jobs) - set(submitted) - told_to_check
        self.assertEqual(unexplained, set(), "jobs in Slurm that no submission accounts for")
        self.assertEqual(not_sent & set(jobs), set(), "said not to have reached Slurm, but did")
        twice = {n: ids for n, ids in jobs.items() if len(ids) > 1}
        self.assertEqual(twice, {}, "submitted twice")
        self.assertEqual(len({t for t, _ in submits}), len(submits), "a task id handed out twice")
        # One queue read per refresh (1 s) for all three nodes, except that a user's read after
        # their own submission asks for a view taken after it (read-your-writes: at most one
        # more per submission, also shared), plus the edges of the window and restarts. Three
        # nodes reading for themselves would each do all of that.
        self.assertLessEqual(rpcs, elapsed / 1.0 + len(submits) + 6,
                             f"slurmctld listed jobs {rpcs} times in {elapsed:.1f} s for "
                             f"{len(submits)} submissions")
        print(f"\n  ({client.outcomes['answered']} answered, {client.outcomes['retried']} retried;"
              f" {len(submits)} submissions: {len(submitted)} jobs, {len(not_sent)} found not sent,"
              f" {len(told_to_check)} ended 'check its effects' ({len(set(jobs) & told_to_check)}"
              f" of them had reached Slurm),"
              f" {len(retried_submits)} POSTs retried; {len(commands)} commands,"
              f" {len(uploads)} uploads; {rpcs} job listings in {elapsed:.1f} s)", end=" ")


if __name__ == "__main__":
    unittest.main()
