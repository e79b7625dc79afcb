"""A deployment as a facility runs it, for a test module: scripts/cluster-up's PostgreSQL, N sfapid
nodes and HAProxy in front; the balancer and each node as harness endpoints; a node killed,
stopped and started again; and a client that retries what failed retryably, counting outcomes."""

import concurrent.futures
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

from harness import PREFIX, SFAPID, Server, wait_until

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def require_cluster():
    if os.geteuid() != 0:
        raise unittest.SkipTest("scripts/cluster-up starts PostgreSQL and needs root")
    if not shutil.which("haproxy"):
        raise unittest.SkipTest("HAProxy is not installed: run scripts/install-deps as root")


class Endpoint(Server):
    """The balancer or one node of the cluster, with the harness's request helpers (the process
    is cluster-up's, not this object's)."""

    def __init__(self, directory, port, node=1):
        self.dir = directory
        self.config_path = os.path.join(self.dir, f"node{node}.toml")
        self.log_path = os.path.join(self.dir, f"node{node}.log")
        self.port = port
        self.proc = None


class Cluster:
    """scripts/cluster-up with `nodes` nodes behind the balancer on `port` (nodes on port+1..);
    `env` adds to cluster-up's environment (e.g. CLUSTER_SCHEDULER)."""

    def __init__(self, port, nodes=3, **env):
        self.port = port
        self.count = nodes
        self.env = dict(os.environ, SFAPID_BINARY=SFAPID, CLUSTER_PORT=str(port),
                        CLUSTER_DIR=tempfile.mkdtemp(prefix="sfapid-cluster-"),
                        CLUSTER_SCHEMA=f"test_cluster_{port}_{os.getpid()}", **env)
        self.dir = self.env["CLUSTER_DIR"]
        self.token_url = f"http://127.0.0.1:{port}/oauth2/token"  # every assertion's audience
        self.lb = Endpoint(self.dir, port)
        self.nodes = [Endpoint(self.dir, port + i, i) for i in range(1, nodes + 1)]
        self.printed = ""
        self.restarted = []

    def up(self, user):
        """Starts it, with `user`'s red client printed (SUDO_USER)."""
        r = subprocess.run([os.path.join(REPO, "scripts", "cluster-up"), str(self.count)],
                           env=dict(self.env, SUDO_USER=user), capture_output=True, text=True,
                           timeout=300)
        if r.returncode != 0:
            raise RuntimeError(f"cluster-up failed:\n{r.stdout}\n{r.stderr}")
        self.printed = r.stdout
        return self

    def down(self):
        if os.environ.get("SFAPID_KEEP_CLUSTER"):  # to read the nodes' logs after a failure
            print(f"\n  cluster left running from {self.dir}")
        else:
            subprocess.run([os.path.join(REPO, "scripts", "cluster-down"), "--purge"],
                           env=self.env, capture_output=True, timeout=120)
        for proc in self.restarted:  # nodes started again here are this process's children
            proc.wait(30)

    def pid_of(self, node):
        with open(os.path.join(self.dir, f"node{node}.pid")) as f:
            return int(f.read())

    def start_node(self, node):
        """Starts node `node` (1-based) again on its config and waits until it is ready."""
        with open(os.path.join(self.dir, f"node{node}.log"), "a") as log:
            proc = subprocess.Popen([SFAPID, "--config", self.nodes[node - 1].config_path, "serve"],
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        self.restarted.append(proc)
        with open(os.path.join(self.dir, f"node{node}.pid"), "w") as f:
            f.write(str(proc.pid))
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if self.nodes[node - 1].get("/readyz", timeout=1).status == 200:
                    return proc
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"node{node} did not come back")


    def under_node_faults(self, load, workers=4, warmup=2, settle=2):
        """Runs load(worker, stop) in `workers` threads while node 3 is killed with SIGKILL (after
        `warmup` s) and started again, then node 2 is stopped with SIGTERM (it drains) and started
        again; sets `stop` `settle` s later and returns when every worker has."""
        stop = threading.Event()
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            running = [pool.submit(load, w, stop) for w in range(workers)]
            time.sleep(warmup)
            os.kill(self.pid_of(3), signal.SIGKILL)
            time.sleep(4)
            self.start_node(3)
            time.sleep(2)
            graceful = self.pid_of(2)
            os.kill(graceful, signal.SIGTERM)
            if not wait_until(lambda: not os.path.exists(f"/proc/{graceful}"), 30):
                stop.set()
                raise AssertionError("node 2 did not stop within 30 s of SIGTERM")
            self.start_node(2)
            time.sleep(settle)
            stop.set()
            for r in running:
                r.result()


def auth(token):
    return {"Authorization": f"Bearer {token}"}


class RetryingClient:
    """Requests through the balancer with a token; a retryable failure (502/503/504 or a broken
    connection) is tried again, up to 10 times, and a 409 with Retry-After (a keyed request still
    in flight) or a 429 (over a rate limit, as NERSC's client retries it) after that wait, for up to
    2 minutes. Counts what was answered, retried and failed."""

    def __init__(self, lb, token, patience=None):
        """`patience`: seconds a request waits out 409s (a key still held) before the 409 is
        returned; None: as long as the 2 minutes allow."""
        self.lb = lb
        self.token = token
        self.patience = patience
        self.lock = threading.Lock()
        self.outcomes = {"answered": 0, "retried": 0, "failed": []}

    def call(self, method, path, body=None, content_type=None, idempotency_key=None):
        """The reply (its `tries`: how many it took), or None when every try failed retryably.
        `body`: form fields, or bytes of `content_type`; `idempotency_key` makes a retry of a
        creating request safe (the same reply instead of a second run)."""
        headers = auth(self.token)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if body is not None and content_type is None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(body).encode()
        elif content_type is not None:
            headers["Content-Type"] = content_type
        tries, deadline = 0, time.time() + 120
        held_since = None
        while tries < 10 and time.time() < deadline:
            tries += 1
            wait = 0.2
            try:
                r = self.lb.request(method, PREFIX + path, body=body, headers=headers, timeout=30)
                if r.status == 409 and self.patience is not None:
                    held_since = held_since or time.time()
                    if time.time() - held_since >= self.patience:
                        r.tries = tries
                        return r
                if r.status in (409, 429) and r.headers.get("retry-after"):
                    # A keyed request still held by the node that took it (if that node died,
                    # until its lock runs out), or a client over its rate limit: come back when
                    # told, without counting a try.
                    tries, wait = tries - 1, float(r.headers["retry-after"])
                elif r.status not in (502, 503, 504):
                    with self.lock:
                        self.outcomes["answered"] += 1
                    r.tries = tries
                    return r
            except OSError:
                pass
            with self.lock:
                self.outcomes["retried"] += 1
            time.sleep(wait)
        with self.lock:
            self.outcomes["failed"].append((method, path))
        return None
