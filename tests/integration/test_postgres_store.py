"""sfapid on a PostgreSQL store ([store] url), run by tests/run-on-postgres: state shared by two
servers on the same database (a client made through one is used on the other; an outage set
through the CLI is served by both), `sfapid store migrate`, and the clear errors an operator gets
for an unreachable database and for one at a newer schema, tasks owned by nodes, the local
scheduler's owner, and `sfapid store copy` from SQLite. Skipped without SFAPID_TEST_PG_URL."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

import signal
import time
import urllib.parse

from event_stream import EventStream
from harness import (PREFIX, SFAPID, ModuleUsers, Server, client_key, fetch_token, share_store,
                     wait_until)

USERS = ModuleUsers("alice")


def setUpModule():
    if os.environ.get("SFAPID_TEST_PG_URL"):
        USERS.create()


def tearDownModule():
    USERS.remove()


def two_nodes(extra=""):
    """Two sfapid nodes on one PostgreSQL schema, as behind a load balancer: the same public
    issuer, each its own node name."""
    shared = '[auth]\nissuer = "http://sfapid.cluster.test"\n' + extra
    a = Server('node_name = "node-a"', extra=shared).start()
    b = Server('node_name = "node-b"', extra=shared)
    url = share_store(a, b)
    b.start()
    return a, b, url


@unittest.skipUnless(os.environ.get("SFAPID_TEST_PG_URL"),
                     "needs PostgreSQL: run through tests/run-on-postgres (make test does, as root)")
class PostgresStore(unittest.TestCase):
    def setUp(self):
        self.a, self.b, self.url = two_nodes()

    def tearDown(self):
        self.a.cleanup()
        self.b.cleanup()

    def test_two_servers_share_clients_keys_and_status(self):
        key, client_id = client_key(self.a, "root-less-user")
        token = fetch_token(self.b, key)  # the client made through a's CLI, a token from b,
        # signed with the key both share, so a accepts it too
        for server in (self.a, self.b):
            r = server.get(PREFIX + "/account/clients", headers={"Authorization": "Bearer " + token})
            self.assertEqual(r.status, 200, r)
            self.assertIn(client_id, [c["clientId"] for c in r.json()])
        # A rotation through one node signs the next token on the other.
        new_kid = self.a.cli("keys", "rotate").stdout.split()[-1]
        import jwt as pyjwt
        self.assertEqual(pyjwt.get_unverified_header(fetch_token(self.b, key))["kid"], new_kid)
        self.a.cli("status", "set", "dtns", "degraded", "--description", "shared")
        for server in (self.a, self.b):
            self.assertTrue(wait_until(lambda: server.get(PREFIX + "/status/dtns").json()["status"]
                                      == "degraded"))

    def test_migrate_command(self):
        out = self.a.cli("store", "migrate").stdout
        self.assertRegex(out, r"^PostgreSQL store at schema version (\d+) \(this sfapid's: \1\)\n$")

    def test_a_newer_schema_is_refused_with_a_clear_error(self):
        subprocess.run(["psql", self.url.split("?")[0], "-qc",
                        f"SET search_path = {self.url.split('%3D')[1]}; "
                        "INSERT INTO schema_version VALUES (999)"], check=True, capture_output=True)
        r = self.a.cli("store", "migrate", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("the database is at schema version 999, newer than this sfapid knows", r.stderr)
        self.assertIn("upgrade sfapid", r.stderr)

    def test_an_unreachable_database_is_a_clear_error(self):
        bad = self.a.config_path + ".bad"
        with open(self.a.config_path) as f:
            text = f.read()
        start = text.index('url = "')
        end = text.index("\n", start)
        with open(bad, "w") as f:
            f.write(text[:start] + 'url = "postgresql://sfapid:secret-pw@127.0.0.1:1/sfapid"'
                    + text[end:])
        r = subprocess.run([SFAPID, "serve", "--config", bad], capture_output=True, text=True,
                           timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cannot reach PostgreSQL", r.stderr + r.stdout)
        self.assertIn("([store] url)", r.stderr + r.stdout)
        self.assertNotIn("secret-pw", r.stderr + r.stdout)  # the password stays out of logs


@unittest.skipUnless(os.environ.get("SFAPID_TEST_PG_URL"),
                     "needs PostgreSQL: run through tests/run-on-postgres (make test does, as root)")
class EventsAcrossNodes(unittest.TestCase):
    """An event made on one node reaches a stream and a long-poll on the other at once: the store
    NOTIFYs and the other node LISTENs. Both nodes read the store only every 60 s without a
    wake-up, so nothing else could bring it in time."""

    def setUp(self):
        self.a, self.b, _ = two_nodes("[events]\npoll_interval_seconds = 60\n"
                                      "heartbeat_seconds = 0.5\n")
        self.addCleanup(self.a.cleanup)
        self.addCleanup(self.b.cleanup)
        self.key = client_key(self.a, USERS.accounts["alice"])[0]
        self.token = fetch_token(self.a, self.key)

    def test_a_task_made_through_one_node_is_an_event_on_the_other(self):
        stream = EventStream(self.b, self.token, query="kind=task")
        self.addCleanup(stream.close)
        self.assertEqual(stream.resp.status, 200)
        headers = {"Authorization": "Bearer " + self.token,
                   "Content-Type": "application/x-www-form-urlencoded"}
        r = self.a.request("POST", PREFIX + "/utilities/command/perlmutter",
                           body=b"executable=sleep+1", headers=headers)
        self.assertEqual(r.status, 200, r)
        task_id = r.json()["task_id"]
        started = time.monotonic()
        # A long-poll through b on the task a runs answers when it ends.
        polled = self.b.request("GET", PREFIX + f"/tasks/{task_id}?wait=30&until=completed",
                                headers={"Authorization": "Bearer " + self.token}, timeout=40)
        self.assertEqual((polled.status, polled.json()["status"]), (200, "completed"), polled)
        self.assertLess(time.monotonic() - started, 20)
        events = stream.events_of("task", task_id, lambda d: d["status"] != "new")
        self.assertEqual([e["data"]["status"] for e in events], ["new", "completed"])
        self.assertLess(time.monotonic() - started, 20)


@unittest.skipUnless(os.environ.get("SFAPID_TEST_PG_URL"),
                     "needs PostgreSQL: run through tests/run-on-postgres (make test does, as root)")
class TaskOwnership(unittest.TestCase):
    """A task belongs to the node that accepted it; another node's start leaves it alone, a cancel
    through another node stops it, and when its node dies the survivor ends it, once."""

    def setUp(self):
        self.a, self.b, _ = two_nodes("[tasks]\nlease_seconds = 3\n")
        self.alice = USERS.accounts["alice"]
        self.key = client_key(self.a, self.alice)[0]
        self.tokens = {}

    def tearDown(self):
        self.a.cleanup()
        self.b.cleanup()
        subprocess.run(["pkill", "-u", self.alice, "-f", "sleep 30[0-9]"], capture_output=True)

    def call(self, node, method, path, body=None):
        # One token per node run (a restarted node is a new issuer): a token per call would run
        # into the token endpoint's rate limit while a test polls.
        run = (id(node), node.port)
        if run not in self.tokens:
            self.tokens[run] = fetch_token(node, self.key)
        headers = {"Authorization": "Bearer " + self.tokens[run]}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(body).encode()
        return node.request(method, PREFIX + path, body=body, headers=headers)

    def command(self, node, executable):
        r = self.call(node, "POST", "/utilities/command/perlmutter", {"executable": executable})
        self.assertEqual(r.status, 200, r)
        task_id = r.json()["task_id"]
        self.assertTrue(wait_until(lambda: sleeping(self.alice, executable)), "the command never ran")
        return task_id

    def task(self, node, task_id):
        r = self.call(node, "GET", f"/tasks/{task_id}")
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_another_nodes_restart_leaves_a_running_task_alone(self):
        task_id = self.command(self.a, "sleep 301")
        self.b.stop()
        self.b.start()
        time.sleep(4)  # past a lease: node-a renews it
        self.assertEqual(self.task(self.b, task_id)["status"], "new")
        self.assertTrue(sleeping(self.alice, "sleep 301"))
        rows = self.a.query(f"SELECT node FROM tasks WHERE id = {task_id}")
        self.assertEqual(rows, [("node-a",)])

    def test_a_cancel_through_another_node_stops_the_command(self):
        task_id = self.command(self.a, "sleep 302")
        r = self.call(self.b, "DELETE", f"/tasks/{task_id}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "cancelled")
        self.assertTrue(wait_until(lambda: not sleeping(self.alice, "sleep 302"), timeout=10),
                        "the command still runs on node-a")
        self.assertEqual(self.task(self.a, task_id)["status"], "cancelled")

    def test_a_dead_nodes_task_is_ended_by_the_survivor(self):
        task_id = self.command(self.a, "sleep 303")
        self.a.stop(signal.SIGKILL)
        self.assertTrue(wait_until(lambda: self.task(self.b, task_id)["status"] != "new", timeout=15),
                        "node-b never ended the dead node's task")
        t = self.task(self.b, task_id)
        self.assertEqual(t["status"], "failed")
        result = json.loads(t["result"]) if isinstance(t["result"], str) else t["result"]
        self.assertEqual(result["status"], "error")
        self.assertRegex(result["error"],
                         r"^the sfapid node that ran this task \(node-a\) stopped before it "
                         r"finished: its lease ran out at \S+\. Check its effects and run it "
                         r"again if needed\.$")
        self.assertIn("task(s) left unfinished by a stopped node now failed", self.b.read_log())
        # Its node, restarted, does not end it a second time.
        self.a.start()
        self.assertEqual(self.task(self.a, task_id)["result"], t["result"])


@unittest.skipUnless(os.environ.get("SFAPID_TEST_PG_URL"),
                     "needs PostgreSQL: run through tests/run-on-postgres (make test does, as root)")
class LocalSchedulerOwner(unittest.TestCase):
    """A system on the local scheduler runs on one node: the first to start; the other refuses its
    jobs naming it, until an operator moves it (`sfapid store owner`)."""

    def setUp(self):
        self.a, self.b, _ = two_nodes()
        self.key = client_key(self.a, USERS.accounts["alice"])[0]

    def tearDown(self):
        self.a.cleanup()
        self.b.cleanup()

    def jobs(self, node):
        r = node.get(PREFIX + "/compute/jobs/perlmutter",
                     headers={"Authorization": "Bearer " + fetch_token(node, self.key)})
        self.assertEqual(r.status, 200, r)
        return r.json()

    def refusal(self, owner, other):
        return (f"perlmutter's jobs run on the local scheduler of sfapid node {owner}, not on this "
                f"node ({other}): send this request to {owner} (behind a load balancer, route "
                f"/compute/jobs/perlmutter and its reservations to it)")

    def test_the_first_node_runs_it_and_the_other_refuses_naming_it(self):
        self.assertEqual(self.jobs(self.a), {"status": "OK", "output": [], "error": None})
        self.assertEqual(self.jobs(self.b), {"status": "ERROR", "output": [],
                                             "error": self.refusal("node-a", "node-b")})
        # A submission through node-b is refused the same way, in its task.
        token = fetch_token(self.b, self.key)
        r = self.b.request("POST", PREFIX + "/compute/jobs/perlmutter",
                           body=urllib.parse.urlencode({"job": "#!/bin/bash\ntrue\n",
                                                        "isPath": "false"}).encode(),
                           headers={"Authorization": "Bearer " + token,
                                    "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r)
        task_id = r.json()["task_id"]
        self.assertTrue(wait_until(lambda: self.b.get(PREFIX + f"/tasks/{task_id}", headers={
            "Authorization": "Bearer " + token}).json()["status"] != "new"))
        task = self.b.get(PREFIX + f"/tasks/{task_id}",
                          headers={"Authorization": "Bearer " + token}).json()
        result = json.loads(task["result"])
        self.assertEqual((result["status"], result["jobid"]), ("error", None), result)
        # In the words sbatch's refusals come in, as every scheduler refusal does.
        self.assertEqual(result["error"], "sbatch: error: Batch job submission failed: "
                         + self.refusal("node-a", "node-b"))

    def test_an_operator_moves_it_to_another_node(self):
        self.a.stop()
        self.b.stop()
        r = self.b.cli("store", "owner", "perlmutter", "node-b")
        self.assertIn("perlmutter's local scheduler now runs on node-b", r.stdout)
        refused = self.b.cli("store", "owner", "dtns", "node-b", check=False)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("'dtns' is not a system on the local scheduler", refused.stderr)
        self.b.start()
        self.a.start()
        self.assertEqual(self.jobs(self.b)["status"], "OK")
        self.assertEqual(self.jobs(self.a)["error"], self.refusal("node-b", "node-a"))


def sleeping(user, command):
    return subprocess.run(["pgrep", "-u", user, "-f", "^" + command + "$"],
                          capture_output=True).returncode == 0


REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


@unittest.skipUnless(os.environ.get("SFAPID_TEST_PG_URL"),
                     "needs PostgreSQL: run through tests/run-on-postgres (make test does, as root)")
class PgUpScript(unittest.TestCase):
    """scripts/pg-up on a cluster of its own (another directory and port than the shared one)."""

    def test_a_started_server_does_not_hold_the_setup_lock(self):
        # The server pg-up starts must not inherit the lock's descriptor: it held it for its whole
        # life once, and every later pg-up (each test module's) waited for it forever.
        parent = tempfile.mkdtemp(prefix="sfapid-pgup-")
        os.chmod(parent, 0o755)
        env = dict(os.environ, PG_TEST_DIR=os.path.join(parent, "pg"), PG_TEST_PORT="25499")
        try:
            first = self.pg_up(env)
            self.assertRegex(first, r"^postgresql://sfapid:\w+@127\.0\.0\.1:25499/sfapid$")
            lock = subprocess.run(["flock", "-n", env["PG_TEST_DIR"] + ".lock", "true"])
            self.assertEqual(lock.returncode, 0, "the running server holds pg-up's lock")
            self.assertEqual(self.pg_up(env), first)  # idempotent, and it does not wait
        finally:
            subprocess.run([os.path.join(REPO, "scripts", "pg-down"), "--purge"], env=env,
                           capture_output=True, timeout=120)
            shutil.rmtree(parent, ignore_errors=True)

    def pg_up(self, env):
        r = subprocess.run([os.path.join(REPO, "scripts", "pg-up")], env=env, capture_output=True,
                           text=True, timeout=150)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip().splitlines()[-1]


if __name__ == "__main__":
    unittest.main()


def on_sqlite(server):
    """Takes `server` (not started) off the test's PostgreSQL schema onto its own SQLite file."""
    with open(server.config_path) as f:
        text = f.read()
    with open(server.config_path, "w") as f:
        f.write(text.replace(text[text.index('url = "'):].splitlines()[0], 'url = ""'))
    return os.path.join(server.data_dir, "sfapid.db")


@unittest.skipUnless(os.environ.get("SFAPID_TEST_PG_URL"),
                     "needs PostgreSQL: run through tests/run-on-postgres (make test does, as root)")
class StoreCopy(unittest.TestCase):
    """An installation moves from its SQLite file to PostgreSQL with `sfapid store copy`: its
    clients, signing keys, tasks and status arrive, so users' key files and even their tokens keep
    working on the new node."""

    def setUp(self):
        shared = '[auth]\nissuer = "http://sfapid.cluster.test"\n'
        self.old = Server(extra=shared)
        self.sqlite = on_sqlite(self.old)
        self.old.start()
        self.new = Server(extra=shared)  # a schema of its own on the test's PostgreSQL
        self.alice = USERS.accounts["alice"]

    def tearDown(self):
        self.old.cleanup()
        self.new.cleanup()

    def test_an_installation_moves_to_postgresql(self):
        key, client_id = client_key(self.old, self.alice)
        token = fetch_token(self.old, key)
        auth = {"Authorization": "Bearer " + token}
        r = self.old.request("POST", PREFIX + "/utilities/command/perlmutter",
                             body=b"executable=echo+moved",
                             headers={**auth, "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r)
        task_id = r.json()["task_id"]
        self.assertTrue(wait_until(lambda: self.old.get(f"{PREFIX}/tasks/{task_id}", headers=auth)
                                   .json()["status"] == "completed"))
        task = self.old.get(f"{PREFIX}/tasks/{task_id}", headers=auth).json()
        self.old.cli("outage", "add", "dtns", "--start", "2030-01-01T00:00:00Z",
                     "--end", "2030-01-01T04:00:00Z", "--description", "Scheduled Maintenance")
        self.old.stop()

        out = self.new.cli("store", "copy", "--from", "sqlite:" + self.sqlite).stdout
        self.assertRegex(out, r"(?m)^clients +1 rows$")
        self.assertRegex(out, r"(?m)^outages +1 rows$")
        self.assertRegex(out, r"(?m)^copied \d+ rows in \d+ tables at schema version \d+$")
        self.new.start()
        # The token made by the old node is still good: the signing keys moved with the clients.
        self.assertEqual(self.new.get(f"{PREFIX}/tasks/{task_id}", headers=auth).json(), task)
        new_token = fetch_token(self.new, key)  # and the key file gets new tokens
        r = self.new.get(PREFIX + "/account/clients",
                         headers={"Authorization": "Bearer " + new_token})
        self.assertEqual([c["clientId"] for c in r.json()], [client_id])
        outages = self.new.get(PREFIX + "/status/outages/planned/dtns").json()
        self.assertEqual([o["description"] for o in outages], ["Scheduled Maintenance"])
        # New rows continue after the copied ones.
        self.assertEqual(self.new.cli("outage", "add", "dtns", "--start", "2030-02-01T00:00:00Z",
                                      "--end", "2030-02-01T04:00:00Z", "--description",
                                      "Next").stdout.strip(), "outage 2 added for dtns")

    def test_bad_copies_are_refused_and_change_nothing(self):
        self.old.stop()
        self.new.cli("store", "copy", "--from", "sqlite:" + self.sqlite)
        self.new.cli("outage", "add", "dtns", "--start", "2030-02-01T00:00:00Z",
                     "--end", "2030-02-01T04:00:00Z", "--description", "Kept")
        again = self.new.cli("store", "copy", "--from", "sqlite:" + self.sqlite, check=False)
        self.assertEqual(again.returncode, 1)
        self.assertRegex(again.stderr, r"^sfapid: error: store copy: the target already holds "
                                       r"data \(\w+ has \d+ rows\): copy only into an empty "
                                       r"database\n$")
        missing = self.new.cli("store", "copy", "--from", "sqlite:/nonexistent/sfapid.db",
                               check=False)
        self.assertEqual(missing.stderr, "sfapid: error: store copy: source: no SQLite store at "
                                         "'/nonexistent/sfapid.db'\n")
        self.assertFalse(os.path.exists("/nonexistent/sfapid.db"))
        other = self.new.cli("store", "copy", "--from", "sqlite:" + self.sqlite,
                             "--to", "mysql://db/sfapid", check=False)
        self.assertIn("a store is named sqlite:PATH or postgresql://", other.stderr)
        self.assertEqual(other.returncode, 1)
        listed = self.new.cli("outage", "list", "dtns").stdout
        self.assertEqual(len(listed.splitlines()), 1)  # the refused copies added nothing
        self.assertIn("Kept", listed)
