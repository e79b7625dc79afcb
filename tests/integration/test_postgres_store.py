"""sfapid on a PostgreSQL store ([store] url), run by tests/run-on-postgres: state shared by two
servers on the same database (a client made through one is used on the other; an outage set
through the CLI is served by both), `sfapid store migrate`, and the clear errors an operator gets
for an unreachable database and for one at a newer schema. Skipped without SFAPID_TEST_PG_URL."""

import os
import subprocess
import unittest

from harness import PREFIX, SFAPID, Server, client_key, fetch_token


@unittest.skipUnless(os.environ.get("SFAPID_TEST_PG_URL"),
                     "needs PostgreSQL: run through tests/run-on-postgres (make test does, as root)")
class PostgresStore(unittest.TestCase):
    def setUp(self):
        # Behind one load balancer every node names the same public issuer (and token URL).
        shared = '[auth]\nissuer = "http://sfapid.cluster.test"\n'
        self.a = Server(extra=shared).start()
        # A second node on the same database: its config names the same [store] url.
        self.b = Server(extra=shared)
        with open(self.a.config_path) as f:
            url_line = next(line for line in f if line.startswith("url = "))
        with open(self.b.config_path) as f:
            text = f.read()
        with open(self.b.config_path, "w") as f:
            f.write(text.replace(text[text.index('url = "'):].splitlines()[0], url_line.strip()))
        self.b.start()
        self.url = url_line.split('"')[1]

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
            self.assertTrue(self.wait(lambda: server.get(PREFIX + "/status/dtns").json()["status"]
                                      == "degraded"))

    def wait(self, predicate, timeout=5):
        import time
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return True
            time.sleep(0.1)
        return False

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


if __name__ == "__main__":
    unittest.main()
