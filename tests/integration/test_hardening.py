"""Regression tests for what a 312-attempt attack run got past (issue 14), each through the real
server: store files readable by other local users, callbacks into IPv6 loopback, request
smuggling, credentials in the access log, replayable jti-less assertions, unbounded refusals and
connections from one address (test_http_server.ConnectionsPerAddress), one user holding every task worker, and daemon accounts acting as
API users. Needs root for the parts that use real Unix users."""

import json
import os
import pwd
import socket
import stat
import subprocess
import threading
import time
import unittest
import urllib.parse

from compute_helpers import ComputeTest, script
from harness import PREFIX, ModuleUsers, Server, ServerTest, client_key, fetch_token, read_all
from jose_helpers import load_private_key, make_jwt, minimal_claims

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def as_user(account, *argv):
    return subprocess.run(["runuser", "-u", account, "--", *argv], capture_output=True, text=True)


# --- 1. the store and everything under data_dir is private -------------------------------------

@unittest.skipIf(os.environ.get("SFAPID_TEST_PG_URL"), "the SQLite store's files; not on PostgreSQL")
class StoreFilesArePrivate(unittest.TestCase):
    def setUp(self):
        self.server = Server()
        # Only data_dir's own mode may protect it: its parent is open to everyone, as /var/lib is.
        os.chmod(self.server.dir, 0o755)

    def tearDown(self):
        self.server.cleanup()

    def assert_private(self):
        data = self.server.data_dir
        self.assertEqual(mode(data), 0o700)
        for name in ("sfapid.db", "sfapid.db-wal", "sfapid.db-shm"):
            path = os.path.join(data, name)
            if os.path.exists(path):
                self.assertEqual(mode(path), 0o600, name)
        self.assertTrue(os.path.exists(os.path.join(data, "sfapid.db")))

    def test_another_user_cannot_read_the_database(self):
        self.server.start()
        alice = USERS.accounts["alice"]
        client_key(self.server, alice)  # a write: the -wal file exists now
        self.assert_private()
        for sub in (os.path.join("spool", "perlmutter"),):
            self.assertEqual(mode(os.path.join(self.server.data_dir, sub)), 0o700, sub)
        bob = USERS.accounts["bob"]
        for name in ("sfapid.db", "sfapid.db-wal"):
            r = as_user(bob, "cat", os.path.join(self.server.data_dir, name))
            self.assertNotEqual(r.returncode, 0, f"{bob} read {name}")
            self.assertIn("Permission denied", r.stderr)
        # Even knowing the name, the folder cannot be entered.
        r = as_user(bob, "ls", self.server.data_dir)
        self.assertIn("Permission denied", r.stderr)

    def test_the_cli_before_the_first_serve_makes_private_files(self):
        self.server.cli("client", "create", "--user", "carol", "--out",
                        os.path.join(self.server.dir, "carol.pem"))
        self.assert_private()

    def test_modes_left_open_are_repaired_at_start_with_a_log_line(self):
        self.server.start()
        client_key(self.server, "carol")
        self.server.stop()
        data = self.server.data_dir
        os.chmod(data, 0o755)
        os.chmod(os.path.join(data, "sfapid.db"), 0o644)
        self.server.start()
        self.assert_private()
        log = self.server.read_log()
        self.assertRegex(log, r"folder .*data was mode 0755, open to other accounts; repaired to 0700")
        self.assertRegex(log, r"file .*sfapid\.db was mode 0644, open to other accounts; repaired")


# --- 2. callbacks never reach loopback, in any spelling ----------------------------------------

class Ipv6Receiver:
    """An HTTP listener on [::1] that records whatever connects to it."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("::1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.sock.settimeout(0.2)
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            conn.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


class CallbacksNeverReachLoopback(ComputeTest):
    """The default callbacks.blocked_networks, with a listener on [::1]."""

    users = USERS
    scheduler = {"nodes": 1, "cpus_per_node": 2}
    extra = "[callbacks]\nfirst_retry_seconds = 0.2\nmax_retry_seconds = 1\n"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receiver = Ipv6Receiver()

    @classmethod
    def tearDownClass(cls):
        cls.receiver.close()
        super().tearDownClass()

    def deliveries(self):
        return [(t, s, int(a), e) for t, s, a, e in self.server.query(
            "SELECT target, state, attempts, last_error FROM callback_deliveries")]

    def test_literal_loopback_addresses_are_refused_at_submit(self):
        port = self.receiver.port
        hosts = ["[::]", "[0:0:0:0:0:0:0:0]", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
                 "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::1]", "[::ffff:0.0.0.0]",
                 "[64:ff9b:1::1]", "[fe80::1]", "0.0.0.0", "127.1", "2130706433", "0x7f000001",
                 "0177.0.0.1", "10.1.2.3"]
        for host in hosts:
            url = f"http://{host}:{port}/literal"
            r = self.post_form("/compute/jobs/perlmutter",
                               [("job", script("true")), ("isPath", "false"), ("callbackUrl", url)])
            self.assertEqual(r.status, 422, f"{url}: {r}")
            detail = r.json()["detail"][0]
            self.assertEqual(detail["loc"], ["body", "callbackUrl"], url)
            self.assertIn("callbacks may not reach", detail["msg"], url)
        self.assertEqual([d for d in self.deliveries() if "/literal" in d[0]], [])
        self.assertEqual(self.receiver.connections, 0)

    def test_a_name_for_loopback_is_refused_at_connect_once_and_never_retried(self):
        # "localhost" resolves to 127.0.0.1 and ::1: every address is checked before connecting.
        url = f"http://localhost:{self.receiver.port}/hook"
        jobid = self.submit(script("true"), callbackUrl=url)
        self.wait_ended(jobid)
        rows = self.wait_for_refused()
        self.assertEqual(len(rows), 1, rows)
        target, state, attempts, last_error = rows[0]
        self.assertEqual((target, state, attempts), (url, "refused", 1), rows)
        self.assertIn("blocked_networks", last_error)
        time.sleep(1.5)  # several retry periods (max_retry_seconds = 1): none happens
        self.assertEqual(self.deliveries()[0][1:3], ("refused", 1))
        self.assertEqual(self.receiver.connections, 0)

    def wait_for_refused(self):
        deadline = time.time() + 15
        while time.time() < deadline:
            rows = [r for r in self.deliveries() if r[1] != "pending"]
            if rows:
                return rows
            time.sleep(0.1)
        self.fail(f"no delivery ended: {self.deliveries()}")


# --- 3. strict framing: nothing can be smuggled behind a proxy ---------------------------------

class StrictFraming(ServerTest):
    SMUGGLED = b"GET " + PREFIX.encode() + b"/meta/config HTTP/1.1\r\nHost: x\r\n\r\n"

    def send_raw(self, head, body=b""):
        s = self.server.connect()
        try:
            s.sendall(head + body)
            return read_all(s)
        finally:
            s.close()

    def assert_refused_alone(self, reply, why):
        self.assertTrue(reply.startswith(b"HTTP/1.1 400"), reply[:200])
        self.assertEqual(reply.count(b"HTTP/1.1 "), 1, f"a second request was answered: {reply!r}")
        self.assertIn(why.encode(), reply)
        self.assertIn(b"Connection: close", reply)

    def test_content_length_with_a_transfer_encoding_is_refused(self):
        # A proxy that frames by Transfer-Encoding and a server that frames by Content-Length
        # disagree on where the request ends: the bytes after it were answered as a second request.
        for te in ["identity", "xchunked", "chunked, identity", "chunked"]:
            for first, second in ((f"Content-Length: 0", f"Transfer-Encoding: {te}"),
                                  (f"Transfer-Encoding: {te}", f"Content-Length: 0")):
                head = (f"POST /oauth2/token HTTP/1.1\r\nHost: x\r\n{first}\r\n{second}\r\n"
                        "\r\n").encode()
                reply = self.send_raw(head, self.SMUGGLED)
                self.assert_refused_alone(reply, "Malformed HTTP request")

    def test_transfer_encoding_must_end_with_chunked(self):
        for te in ["identity", "gzip", "chunked, gzip", "chunked, chunked"]:
            head = (f"POST {PREFIX}/status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: {te}\r\n"
                    "\r\n").encode()
            self.assert_refused_alone(self.send_raw(head, b"0\r\n\r\n" + self.SMUGGLED),
                                      "chunked")

    def test_transfer_encoding_in_http_1_0_and_two_content_lengths_are_refused(self):
        head = (f"POST {PREFIX}/status HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                "\r\n").encode()
        self.assert_refused_alone(self.send_raw(head, b"0\r\n\r\n" + self.SMUGGLED), "HTTP/1.0")
        head = (f"POST {PREFIX}/status HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                f"Content-Length: {len(self.SMUGGLED)}\r\n\r\n").encode()
        reply = self.send_raw(head, self.SMUGGLED)
        self.assertTrue(reply.startswith(b"HTTP/1.1 400"), reply[:200])
        self.assertEqual(reply.count(b"HTTP/1.1 "), 1, reply)

    def test_plain_chunked_and_content_length_requests_still_work(self):
        body = b"grant_type=nope"
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        head = (b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n")
        reply = self.send_raw(head, chunked)
        self.assertTrue(reply.startswith(b"HTTP/1.1 400"), reply[:200])
        self.assertIn(b"unsupported_grant_type", reply)
        head = (f"GET {PREFIX}/status/perlmutter HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                "Connection: close\r\n\r\n").encode()
        self.assertTrue(self.send_raw(head).startswith(b"HTTP/1.1 200"))


# --- 4. no credentials in the access log -------------------------------------------------------

class AccessLogRedaction(ServerTest):
    def test_query_strings_of_every_method_are_redacted(self):
        secret_assertion = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0YXNzZXJ0aW9u.c2ln"
        r = self.server.get(f"/oauth2/token?grant_type=client_credentials&client_assertion="
                            f"{secret_assertion}")
        self.assertEqual(r.status, 405)
        r = self.api("/status?access_token=tok3nSECRET")
        self.assertEqual(r.status, 200)
        r = self.server.request("DELETE", PREFIX + "/status?client_assertion=" + secret_assertion)
        self.assertEqual(r.status, 405)
        r = self.api("/status/perlmutter?cached=false&secret=s3cr3tvalue")
        self.wait_for(lambda: self.server.read_log().count("(redacted)") >= 4, what="log lines")
        log = self.server.read_log()
        for secret in (secret_assertion, "tok3nSECRET", "s3cr3tvalue", "c2VjcmV0"):
            self.assertNotIn(secret, log)
        self.assertIn('"GET /oauth2/token?(redacted)" 405', log)
        self.assertIn('"GET /api/v1.2/status/perlmutter?cached=false&(redacted)" 200', log)


# --- 5. an assertion is good for one token, with or without jti --------------------------------

class AssertionReplay(ServerTest):
    def token_request(self, assertion, headers=None):
        body = urllib.parse.urlencode({"grant_type": "client_credentials",
                                       "client_assertion_type": JWT_BEARER,
                                       "client_assertion": assertion}).encode()
        return self.server.request("POST", "/oauth2/token", body=body,
                                   headers={**FORM, **(headers or {})})

    def test_an_assertion_without_jti_is_refused_the_second_time(self):
        for key_type in ("rsa", "ec"):
            path = os.path.join(self.server.dir, f"replay-{key_type}.pem")
            self.server.cli("client", "create", "--user", "carol", "--key-type", key_type,
                            "--out", path)
            client_id, key = load_private_key(path)
            alg = "ES256" if key_type == "ec" else "RS256"
            url = f"http://127.0.0.1:{self.server.port}/oauth2/token"
            assertion = make_jwt(minimal_claims(client_id, url), key, alg)
            self.assertEqual(self.token_request(assertion).status, 200)
            r = self.token_request(assertion)  # as replayed from a log
            self.assertEqual(r.status, 401, r)
            self.assertEqual(r.json()["error"], "invalid_client")
            self.assertIn("already used", r.json()["error_description"])
            # A fresh assertion (a later exp) still works.
            time.sleep(1.05)
            fresh = make_jwt(minimal_claims(client_id, url), key, alg)
            self.assertEqual(self.token_request(fresh).status, 200)

    def test_an_es256_signature_re_encoded_is_still_a_replay(self):
        # ECDSA's (r, n - s) verifies as well as (r, s): the replay key is the signed part.
        import base64
        path = os.path.join(self.server.dir, "malleable.pem")
        self.server.cli("client", "create", "--user", "carol", "--key-type", "ec", "--out", path)
        client_id, key = load_private_key(path)
        url = f"http://127.0.0.1:{self.server.port}/oauth2/token"
        assertion = make_jwt(minimal_claims(client_id, url), key, "ES256")
        self.assertEqual(self.token_request(assertion).status, 200)
        head, claims, sig = assertion.split(".")
        raw = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
        n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
        s = int.from_bytes(raw[32:], "big")
        flipped = raw[:32] + (n - s).to_bytes(32, "big")
        sig2 = base64.urlsafe_b64encode(flipped).rstrip(b"=").decode()
        r = self.token_request(f"{head}.{claims}.{sig2}")
        self.assertEqual(r.status, 401, r)
        self.assertIn("already used", r.json()["error_description"])


# --- 6. floods from one address are bounded --------------------------------------------------

class RefusalFlood(ServerTest):
    server_options = 'trusted_proxies = ["127.0.0.1/32"]'
    extra = "[auth]\nmax_refusals_per_address = 5\nrefusal_window_seconds = 60\n"

    def token_request(self, assertion, ip):
        body = urllib.parse.urlencode({"grant_type": "client_credentials",
                                       "client_assertion_type": JWT_BEARER,
                                       "client_assertion": assertion}).encode()
        return self.server.request("POST", "/oauth2/token", body=body,
                                   headers={**FORM, "X-Forwarded-For": ip})

    def audit_rows(self, ip):
        return int(self.server.query(f"SELECT count(*) FROM auth_audit WHERE ip = '{ip}'")[0][0])

    def test_an_address_refused_too_often_gets_429_unchecked_and_unaudited(self):
        attacker = "198.51.100.7"
        answers = [self.token_request("not.a.jwt", attacker) for _ in range(12)]
        self.assertEqual([a.status for a in answers[:5]], [400] * 5)
        for a in answers[5:]:
            self.assertEqual(a.status, 429, a)
            self.assertEqual(a.json()["error"], "temporarily_unavailable")
            self.assertIn("too many refused token requests", a.json()["error_description"])
            self.assertTrue(1 <= int(a.headers["retry-after"]) <= 60, a.headers)
        self.assertEqual(self.audit_rows(attacker), 5)
        # Everyone else goes on: a valid client from another address gets its token.
        path = os.path.join(self.server.dir, "other.pem")
        self.server.cli("client", "create", "--user", "carol", "--ip", "198.51.100.0/24",
                        "--out", path)
        client_id, key = load_private_key(path)
        url = f"http://127.0.0.1:{self.server.port}/oauth2/token"
        r = self.token_request(make_jwt(minimal_claims(client_id, url), key, "RS256"),
                               "198.51.100.8")
        self.assertEqual(r.status, 200, r)

    def test_refusal_log_lines_are_sampled_under_a_flood(self):
        for i in range(60):
            self.token_request("not.a.jwt", f"203.0.113.{i + 1}")
        time.sleep(1.1)
        self.token_request("not.a.jwt", "203.0.113.200")
        self.wait_for(lambda: "refusals not logged" in self.server.read_log(), what="summary")
        lines = [l for l in self.server.read_log().splitlines()
                 if "token refused" in l and "203.0.113." in l]
        self.assertLess(len(lines), 60, "every refusal of the flood was logged")


class AuditRetention(unittest.TestCase):
    def test_old_audit_records_are_pruned_at_start(self):
        server = Server(extra="[auth]\naudit_retention_days = 30\n").start()
        try:
            server.request("POST", "/oauth2/token", body=b"grant_type=x", headers=FORM)
            server.stop()
            old = int(time.time()) - 31 * 86400
            server.query("INSERT INTO auth_audit(at, client_id, \"user\", ip, outcome, reason) "
                         f"VALUES({old}, 'x', '', '192.0.2.1', 'refused', 'old')")
            self.assertEqual(server.query("SELECT count(*) FROM auth_audit"), [("2",)])
            server.start()
            reasons = [r[0] for r in server.query("SELECT reason FROM auth_audit")]
            self.assertEqual(len(reasons), 1, reasons)
            self.assertNotIn("old", reasons)
            self.assertIn("pruned 1 token audit record(s) older than 30 days", server.read_log())
        finally:
            server.cleanup()


# --- 7. one user never holds every task worker -------------------------------------------------

class FairTasks(ComputeTest):
    users = USERS
    scheduler = {"nodes": 1, "cpus_per_node": 2}
    extra = "[tasks]\nworkers = 4\nmax_running_per_user = 2\njob_workers = 2\n"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for name in (cls.alice, cls.bob):  # commands need red clients
            cls.tokens[name] = fetch_token(cls.server, client_key(cls.server, name, "red")[0])

    def command(self, executable, user=None):
        r = self.post_form("/utilities/command/perlmutter", [("executable", executable)], user)
        self.assertEqual(r.status, 200, r)
        return r.json()["task_id"]

    def test_long_commands_of_one_user_do_not_starve_others_or_job_submissions(self):
        long = [self.command("echo started; sleep 60") for _ in range(4)]
        try:
            # alice's share (2) runs; her other two wait.
            def started():
                return [t for t in long if "started" in (self.task(t)["result"] or "")]
            deadline = time.time() + 15
            while time.time() < deadline and len(started()) < 2:
                time.sleep(0.05)
            self.assertEqual(len(started()), 2)
            # bob's command and alice's own job submission run meanwhile.
            quick = self.wait_task(self.command("echo hi", self.bob), self.bob, timeout=15)
            self.assertEqual(quick["output"], "hi\n")
            jobid = self.submit(script("true"))
            self.assertRegex(jobid, r"^[0-9]+$")
            statuses = [self.task(t)["status"] for t in long]
            self.assertEqual(statuses, ["new"] * 4, "alice's commands ended early")
            self.assertEqual(len(started()), 2, "alice ran more than her share")
        finally:
            for t in long:
                self.call("DELETE", f"/tasks/{t}")

    def test_the_cap_must_be_below_the_worker_count(self):
        config = os.path.join(self.server.dir, "bad.toml")
        with open(config, "w") as f:
            f.write("[tasks]\nworkers = 4\nmax_running_per_user = 4\n")
        r = subprocess.run([os.environ.get("SFAPID_BINARY", "sfapid"), "config", "check", config],
                           capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("max_running_per_user", r.stderr + r.stdout)
        self.assertIn("must be below workers", r.stderr + r.stdout)


# --- 8. daemon accounts are never API users ----------------------------------------------------

class DaemonAccounts(ServerTest):
    def create(self, user):
        return self.server.cli("client", "create", "--user", user, "--out",
                               os.path.join(self.server.dir, f"{user}-{time.time_ns()}.pem"),
                               check=False)

    def test_client_create_refuses_root_and_daemon_accounts(self):
        cases = {"root": "is root", "nobody": "deny_accounts"}
        try:
            if pwd.getpwnam("slurm").pw_uid >= 60000:
                cases["slurm"] = "system account"
        except KeyError:
            pass
        for user, why in cases.items():
            r = self.create(user)
            self.assertNotEqual(r.returncode, 0, user)
            self.assertIn(why, r.stderr, user)
            self.assertIn("never acts as root, system or daemon accounts", r.stderr)
        # An ordinary account, and an API user with no account yet, are fine.
        self.assertEqual(self.create(USERS.accounts["alice"]).returncode, 0)
        self.assertEqual(self.create("notyetanaccount").returncode, 0)

    def test_an_account_without_a_login_shell_is_never_acted_as(self):
        name = "sfanolog" + os.urandom(2).hex()
        path, _ = client_key(self.server, name)  # no account yet: the client may be made
        subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", name], check=True)
        try:
            token = fetch_token(self.server, path)
            r = self.server.request("POST", PREFIX + "/utilities/command/perlmutter",
                                    body=b"executable=id",
                                    headers={**FORM, "Authorization": f"Bearer {token}"})
            self.assertEqual(r.status, 403, r)
            self.assertIn("no login shell", r.json()["detail"])
        finally:
            subprocess.run(["userdel", name], capture_output=True)


if __name__ == "__main__":
    unittest.main()
