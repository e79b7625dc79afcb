"""Starts the real sfapid binary on a loopback port with a throw-away data directory, and talks
HTTP to it with nothing but the standard library. Every integration test goes through this."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

SFAPID = os.environ.get("SFAPID_BINARY", "sfapid")
PREFIX = "/api/v1.2"

DEFAULT_SYSTEMS = """
[[systems]]
name = "perlmutter"
full_name = "Perlmutter"
system_type = "compute"
description = "Test compute system"
[systems.scheduler]
backend = "local"

[[systems]]
name = "dtns"
full_name = "Data Transfer Nodes"
system_type = "filesystem"

[[systems]]
name = "globus"
system_type = "service"
"""


def postgres_store():
    """With SFAPID_TEST_PG_URL (tests/run-on-postgres), a [store] table putting this server in a
    schema of its own in that PostgreSQL database; "" for SQLite."""
    url = os.environ.get("SFAPID_TEST_PG_URL")
    if not url:
        return ""
    schema = f"s{os.getpid()}_{os.urandom(4).hex()}"
    subprocess.run(["psql", url, "-qc", f"CREATE SCHEMA {schema}"], check=True,
                   capture_output=True)
    return f'[store]\nurl = "{url}?options=-csearch_path%3D{schema}"\n'


def wait_until(predicate, timeout=5):
    """True as soon as predicate() is, False when it is not within timeout seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def share_store(first, second):
    """Points `second` (not started yet) at the PostgreSQL schema of `first`: two nodes of one
    deployment, as behind a load balancer. Returns the shared URL."""
    with open(first.config_path) as f:
        url_line = next(line for line in f if line.startswith("url = ")).strip()
    with open(second.config_path) as f:
        text = f.read()
    with open(second.config_path, "w") as f:
        f.write(text.replace(text[text.index('url = "'):].splitlines()[0], url_line))
    return url_line.split('"')[1]


class Server:
    """One sfapid process. `server_options` are extra lines for the [server] table."""

    def __init__(self, server_options="", extra="", systems=DEFAULT_SYSTEMS, status_options=""):
        self.dir = tempfile.mkdtemp(prefix="sfapid-test-")
        self.data_dir = os.path.join(self.dir, "data")
        self.config_path = os.path.join(self.dir, "sfapid.toml")
        with open(self.config_path, "w") as f:
            f.write(f'data_dir = "{self.data_dir}"\n{extra}\n[server]\nport = 0\n{server_options}\n'
                    f"[status]\nprobe_interval_seconds = 0.2\nrefresh_interval_seconds = 0.1\n"
                    f"{status_options}\n{postgres_store()}{systems}")
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.dir, "sfapid.log")

    def start(self):
        """Starts sfapid; again after stop() it restarts on the same data (the log starts anew)."""
        if getattr(self, "log", None):
            self.log.close()
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen([SFAPID, "serve", "--config", self.config_path],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            m = re.search(r"listening on http://[^:]+:(\d+)/", self.read_log())
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("sfapid exited early:\n" + self.read_log())
            time.sleep(0.02)
        raise RuntimeError("sfapid did not start:\n" + self.read_log())

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def cleanup(self):
        self.stop()
        if self.proc:
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def cli(self, *args, check=True):
        """Runs an operator command against this server's configuration."""
        r = subprocess.run([SFAPID, "--config", self.config_path, *args], capture_output=True,
                           text=True, timeout=30)
        if check and r.returncode != 0:
            raise AssertionError(f"sfapid {' '.join(args)} failed ({r.returncode}): {r.stderr}")
        return r

    def query(self, sql):
        """Rows of a query on this server's store (SQLite file or PostgreSQL schema), as tuples
        of strings: for tests that look at what the server keeps."""
        url = self.store_url()
        if not url:
            import sqlite3
            db = sqlite3.connect(os.path.join(self.data_dir, "sfapid.db"))
            try:
                rows = [tuple(str(v) for v in row) for row in db.execute(sql)]
                db.commit()
                return rows
            finally:
                db.close()
        base, schema = url.split("?options=-csearch_path%3D")
        out = subprocess.run(["psql", base, "-qAtX", "-F", "\x1f", "-R", "\x1e", "-c",
                              f"SET search_path = {schema}; {sql}"],
                             capture_output=True, text=True, check=True).stdout
        return [tuple(r.split("\x1f")) for r in out.rstrip("\n").split("\x1e") if r]

    def store_url(self):
        with open(self.config_path) as f:
            m = re.search(r'^url = "([^"]*)"', f.read(), re.M)
        return m.group(1) if m else ""

    def request(self, method, path, body=None, headers=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return Reply(resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), data)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)


def read_all(sock, timeout=10):
    """Everything a raw socket receives until the peer closes it or `timeout` passes quietly."""
    sock.settimeout(timeout)
    chunks = []
    while True:
        try:
            data = sock.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"Reply({self.status}, {self.body[:300]!r})"


class ServerTest(unittest.TestCase):
    """A test case with one server for the whole class."""

    server_options = ""
    extra = ""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.server_options, cls.extra).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def api(self, path, **kw):
        return self.server.get(PREFIX + path, **kw)

    def wait_for(self, predicate, timeout=5, what="condition"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        self.fail(f"timed out waiting for {what}")


class UnixUsers:
    """Real Unix accounts for a test module (needs root): name -> account, homes in a temp dir."""

    def __init__(self, *names):
        if os.geteuid() != 0:
            raise unittest.SkipTest("creating Unix users needs root; run the suite as root")
        tag = os.urandom(3).hex()
        self.base = tempfile.mkdtemp(prefix="sfapid-homes-")
        os.chmod(self.base, 0o755)
        self.accounts = {}
        for name in names:
            account = f"sfa{tag}{name}"[:32]
            home = os.path.join(self.base, account)
            subprocess.run(["useradd", "-m", "-d", home, "-s", "/bin/bash", account], check=True,
                           capture_output=True)
            self.accounts[name] = account

    def home(self, name):
        return os.path.join(self.base, self.accounts[name])

    def remove(self):
        for account in self.accounts.values():
            subprocess.run(["pkill", "-KILL", "-u", account], capture_output=True)
            subprocess.run(["userdel", "-r", account], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)


class ModuleUsers:
    """Real Unix users for a whole test module: `users = ModuleUsers("alice", "bob")`, then
    `setUpModule = users.create` and `tearDownModule = users.remove`; afterwards `users.accounts`
    and `users.home(name)` as in UnixUsers."""

    def __init__(self, *names):
        self.names = names
        self.created = None

    def create(self):
        self.created = UnixUsers(*self.names)

    def remove(self):
        if self.created:
            self.created.remove()

    @property
    def accounts(self):
        return self.created.accounts

    def home(self, name):
        return self.created.home(name)


def upload_form(content, boundary="sfapidtestboundary", filename="upload",
                content_type="application/octet-stream"):
    """A multipart/form-data body with one field "file" holding `content` (bytes), and the
    Content-Type header that goes with it: (body, header value)."""
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def token_request(server, key_path, audience=None):
    """POSTs a minimal RS256/ES256 assertion for a key file to the token endpoint (for `audience`,
    default the server's own token URL; behind a balancer, the balancer's); the reply."""
    import urllib.parse
    from jose_helpers import load_private_key, make_jwt, minimal_claims
    client_id, key = load_private_key(key_path)
    alg = "ES256" if "EC" in type(key).__name__ else "RS256"
    url = audience or f"http://127.0.0.1:{server.port}/oauth2/token"
    body = urllib.parse.urlencode({
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        # A jti, so that two tokens fetched within one second are two assertions, not a replay.
        "client_assertion": make_jwt({**minimal_claims(client_id, url),
                                      "jti": os.urandom(8).hex()}, key, alg)}).encode()
    return server.request("POST", "/oauth2/token", body=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})


def fetch_token(server, key_path, audience=None):
    """A token for a key file (token_request, which must succeed)."""
    r = token_request(server, key_path, audience)
    assert r.status == 200, r
    return r.json()["access_token"]


def client_key(server, user, level="red"):
    """Creates a client for `user` and returns (key file path, client id)."""
    from jose_helpers import load_private_key
    path = os.path.join(server.dir, f"{user}-{level}-{time.monotonic_ns()}.pem")
    server.cli("client", "create", "--user", user, "--level", level, "--out", path)
    return path, load_private_key(path)[0]


def client_token(server, user, level="red"):
    return fetch_token(server, client_key(server, user, level)[0])
