"""A deployment as a facility runs it (scripts/cluster-up): three sfapid nodes sharing PostgreSQL
behind HAProxy, which checks each node's /readyz. A token from one node works on the others, a
revoked client is refused by all within 5 s, a key rotation is honoured by all; under steady load
through the balancer one node is killed with SIGKILL and another restarted gracefully: every
request is answered or fails retryably and succeeds on retry, and every accepted command task ends
exactly once. Needs root, PostgreSQL and HAProxy (skipped with the reason otherwise)."""

import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

from harness import PREFIX, SFAPID, ModuleUsers, Server, client_key, fetch_token, wait_until

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PORT = 18380  # the balancer; nodes on 18381-18383
TOKEN_URL = f"http://127.0.0.1:{PORT}/oauth2/token"  # every node's assertion audience
USERS = ModuleUsers("alice")
ENV = {}


def setUpModule():
    if os.geteuid() != 0:
        raise unittest.SkipTest("scripts/cluster-up starts PostgreSQL and needs root")
    if not shutil.which("haproxy"):
        raise unittest.SkipTest("HAProxy is not installed: run scripts/install-deps as root")
    USERS.create()
    ENV.update(os.environ, SFAPID_BINARY=SFAPID, CLUSTER_PORT=str(PORT),
               CLUSTER_DIR=tempfile.mkdtemp(prefix="sfapid-cluster-"),
               CLUSTER_SCHEMA=f"test_cluster_{os.getpid()}", SUDO_USER=USERS.accounts["alice"])
    r = subprocess.run([os.path.join(REPO, "scripts", "cluster-up"), "3"], env=ENV,
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"cluster-up failed:\n{r.stdout}\n{r.stderr}")
    ENV["printed"] = r.stdout


def tearDownModule():
    if os.environ.get("SFAPID_KEEP_CLUSTER"):  # to read the nodes' logs after a failure
        print(f"\n  cluster left running from {ENV.get('CLUSTER_DIR')}")
    elif "CLUSTER_DIR" in ENV:
        subprocess.run([os.path.join(REPO, "scripts", "cluster-down"), "--purge"], env=ENV,
                       capture_output=True, timeout=120)
    for proc in RESTARTED:  # nodes this module started again are its children: reap them
        proc.wait(30)
    USERS.remove()


class Endpoint(Server):
    """The balancer or one node of the cluster, with the harness's request helpers (the process
    is cluster-up's, not this object's)."""

    def __init__(self, port, node=1):
        self.dir = ENV["CLUSTER_DIR"]
        self.config_path = os.path.join(self.dir, f"node{node}.toml")
        self.log_path = os.path.join(self.dir, f"node{node}.log")
        self.port = port
        self.proc = None


LB = None
NODES = []
RESTARTED = []


def endpoints():
    global LB, NODES
    if LB is None:
        LB = Endpoint(PORT)
        NODES = [Endpoint(PORT + i, i) for i in (1, 2, 3)]
    return LB, NODES


def pid_of(node):
    with open(os.path.join(ENV["CLUSTER_DIR"], f"node{node}.pid")) as f:
        return int(f.read())


def start_node(node):
    with open(os.path.join(ENV["CLUSTER_DIR"], f"node{node}.log"), "a") as log:
        proc = subprocess.Popen([SFAPID, "--config", os.path.join(ENV["CLUSTER_DIR"], f"node{node}.toml"),
                                 "serve"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    RESTARTED.append(proc)
    with open(os.path.join(ENV["CLUSTER_DIR"], f"node{node}.pid"), "w") as f:
        f.write(str(proc.pid))
    ep = Endpoint(PORT + node, node)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if ep.get("/readyz", timeout=1).status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"node{node} did not come back")


def auth(token):
    return {"Authorization": f"Bearer {token}"}


class Cluster(unittest.TestCase):
    def setUp(self):
        self.lb, self.nodes = endpoints()
        self.alice = USERS.accounts["alice"]

    def test_the_printed_commands_work(self):
        printed = ENV["printed"]
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
                lambda: pyjwt.get_unverified_header(fetch_token(signer, key, TOKEN_URL))["kid"]
                == new_kid, timeout=10), f"node on {signer.port} never signed with the rotated key")
            token = fetch_token(signer, key, TOKEN_URL)
            for node in self.nodes:
                self.assertEqual(node.get(PREFIX + "/account/", headers=auth(token)).status, 200)

    def test_a_killed_node_and_a_graceful_restart_lose_no_request_and_no_task(self):
        key = client_key(self.nodes[0], self.alice)[0]
        token = fetch_token(self.lb, key)
        stop = threading.Event()
        lock = threading.Lock()
        outcomes = {"answered": 0, "retried": 0, "failed": []}
        accepted = []

        def call(method, path, body=None):
            """One request through the balancer; a retryable failure (a 502/503/504 or a broken
            connection) is retried. Returns the reply."""
            headers = auth(token)
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                body = urllib.parse.urlencode(body).encode()
            for attempt in range(10):
                try:
                    r = self.lb.request(method, PREFIX + path, body=body, headers=headers, timeout=30)
                    if r.status not in (502, 503, 504):
                        with lock:
                            outcomes["answered"] += 1
                        return r
                except OSError:
                    pass
                with lock:
                    outcomes["retried"] += 1
                time.sleep(0.2)
            with lock:
                outcomes["failed"].append((method, path))
            return None

        def load(worker):
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

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            workers = [pool.submit(load, w) for w in range(4)]
            time.sleep(2)
            os.kill(pid_of(3), signal.SIGKILL)
            time.sleep(4)
            start_node(3)
            time.sleep(2)
            graceful = pid_of(2)
            os.kill(graceful, signal.SIGTERM)
            self.assertTrue(wait_until(lambda: not os.path.exists(f"/proc/{graceful}"), 30))
            start_node(2)
            time.sleep(2)
            stop.set()
            for w in workers:
                w.result()
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
