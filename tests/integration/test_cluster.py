"""A deployment as a facility runs it (scripts/cluster-up): three sfapid nodes sharing PostgreSQL
behind HAProxy, which checks each node's /readyz. A token from one node works on the others, a
revoked client is refused by all within 5 s, a key rotation is honoured by all; under steady load
through the balancer one node is killed with SIGKILL and another restarted gracefully: every
request is answered or fails retryably and succeeds on retry, and every accepted command task ends
exactly once. Needs root, PostgreSQL and HAProxy (skipped with the reason otherwise)."""

import json
import subprocess
import time
import unittest

from cluster_harness import Cluster, RetryingClient, auth, require_cluster
from harness import PREFIX, ModuleUsers, client_key, fetch_token, wait_until

PORT = 18380  # the balancer; nodes on 18381-18383
USERS = ModuleUsers("alice")
CLUSTER = Cluster(PORT)


def setUpModule():
    require_cluster()
    USERS.create()
    CLUSTER.up(USERS.accounts["alice"])


def tearDownModule():
    CLUSTER.down()
    USERS.remove()


class ThreeNodes(unittest.TestCase):
    def setUp(self):
        self.lb, self.nodes = CLUSTER.lb, CLUSTER.nodes
        self.alice = USERS.accounts["alice"]

    def test_the_printed_commands_work(self):
        printed = CLUSTER.printed
        self.assertIn(f"API base URL:   http://127.0.0.1:{PORT}/api/v1.2/", printed)
        lines = printed.split("Try it:\n")[1].split("\n\n")[0].strip().splitlines()
        script = "set -e\n" + "\n".join(l.strip() for l in lines)
        r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f'"name":"{self.alice}"', r.stdout)
        self.assertIn('"status":"OK"', r.stdout)

    def test_a_token_from_the_balancer_works_on_every_node(self):
        key = client_key(self.nodes[0], self.alice)[0]
        token = fetch_token(self.lb, key)
        for node in self.nodes:
            r = node.get(PREFIX + "/account/", headers=auth(token))
            self.assertEqual((r.status, r.json().get("name")), (200, self.alice), node.port)

    def test_a_client_revoked_through_one_node_is_refused_by_all_within_5_s(self):
        key, client_id = client_key(self.nodes[0], self.alice)
        token = fetch_token(self.lb, key)
        for node in self.nodes:  # every node has used it, so every node holds it
            self.assertEqual(node.get(PREFIX + "/account/", headers=auth(token)).status, 200)
        self.nodes[1].cli("client", "revoke", client_id)
        revoked = time.time()
        for node in self.nodes:
            self.assertTrue(wait_until(
                lambda: node.get(PREFIX + "/account/", headers=auth(token)).status == 401,
                timeout=5 - (time.time() - revoked)), f"node on {node.port} still accepts it")

    def test_a_key_rotated_through_one_node_is_honoured_by_all(self):
        import jwt as pyjwt
        key = client_key(self.nodes[0], self.alice)[0]
        new_kid = self.nodes[2].cli("keys", "rotate").stdout.split()[-1]
        # Every node signs with the new key once it has seen it (its key refresh), and every node
        # accepts what any other signs.
        for signer in self.nodes:
            self.assertTrue(wait_until(
                lambda: pyjwt.get_unverified_header(fetch_token(signer, key, CLUSTER.token_url))["kid"]
                == new_kid, timeout=10), f"node on {signer.port} never signed with the rotated key")
            token = fetch_token(signer, key, CLUSTER.token_url)
            for node in self.nodes:
                self.assertEqual(node.get(PREFIX + "/account/", headers=auth(token)).status, 200)

    def test_a_killed_node_and_a_graceful_restart_lose_no_request_and_no_task(self):
        key = client_key(self.nodes[0], self.alice)[0]
        token = fetch_token(self.lb, key)
        client = RetryingClient(self.lb, token)
        call, lock, outcomes = client.call, client.lock, client.outcomes
        accepted = []

        def load(worker, stop):
            n = 0
            while not stop.is_set():
                n += 1
                r = call("GET", "/account/")
                if r is not None:
                    self.assertEqual(r.status, 200, r)
                r = call("POST", "/utilities/command/perlmutter", {"executable": f"echo w{worker}n{n}"})
                if r is not None:
                    self.assertEqual(r.status, 200, r)
                    task_id = r.json()["task_id"]
                    with lock:
                        accepted.append((task_id, f"w{worker}n{n}"))
                    # As a client does: poll the task a while before the next command (one on
                    # the killed node stays "new" until its lease runs out; checked at the end).
                    deadline = time.time() + 2
                    while time.time() < deadline:
                        r = call("GET", f"/tasks/{task_id}")
                        if r is None or r.json()["status"] != "new":
                            break
                        time.sleep(0.05)

        CLUSTER.under_node_faults(load, warmup=2, settle=2)
        self.assertEqual(outcomes["failed"], [], "requests that failed even on retry")
        self.assertGreater(len(accepted), 20)
        # Every accepted task ends once, with the truth: completed with its output, or (it ran on
        # the killed node) failed naming the node.
        ends = {}
        for task_id, word in accepted:
            self.assertTrue(wait_until(lambda: call("GET", f"/tasks/{task_id}").json()["status"] != "new",
                                       timeout=60), f"task {task_id} never ended")
            t = call("GET", f"/tasks/{task_id}").json()
            result = json.loads(t["result"])
            if t["status"] == "completed":
                self.assertEqual(result["output"], word + "\n", t)
            else:
                self.assertEqual(t["status"], "failed", t)
                # Ended by the survivors (node3's lease ran out), by node3 itself when it came
                # back first, or by node2 as it stopped (it lets what it accepted finish for the
                # grace period, then ends what is left, saying so).
                self.assertRegex(result["error"], r"^(the sfapid node that ran this task \(node3\)"
                                 r" stopped before it finished|sfapid restarted while this task ran"
                                 r"|sfapid stopped (while this task ran|before this task started))", t)
            ends[task_id] = t
        self.assertEqual(len(ends), len(accepted), "a task id was handed out twice")
        time.sleep(1)
        for task_id, t in ends.items():  # and they stay as they ended
            self.assertEqual(call("GET", f"/tasks/{task_id}").json(), t)
        print(f"\n  ({outcomes['answered']} answered, {outcomes['retried']} retried, "
              f"{len(accepted)} tasks, {sum(t['status'] == 'failed' for t in ends.values())} ended "
              f"by a node's death or stop)", end=" ")


if __name__ == "__main__":
    unittest.main()
