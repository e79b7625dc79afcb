"""[rate_limits] through the real server: per client and per source address, per route class,
answered 429 with Retry-After in each API's error shape, counted in /metrics (needs root)."""

import re
import socket
import time
import unittest
import urllib.parse

from harness import PREFIX, ModuleUsers, Server, client_key, fetch_token, token_request

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove


class RateLimitTest(unittest.TestCase):
    extra = ""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra=cls.extra).start()
        cls.alice = USERS.accounts["alice"]
        cls.bob = USERS.accounts["bob"]
        cls.keys = {u: client_key(cls.server, u)[0] for u in (cls.alice, cls.bob)}
        cls.tokens = {u: fetch_token(cls.server, k) for u, k in cls.keys.items()}

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def call(self, method, path, user=None, body=None, headers=None, token=None):
        h = {"Authorization": f"Bearer {token or self.tokens[user or self.alice]}"}
        h.update(headers or {})
        return self.server.request(method, path, body=body, headers=h)

    def until_limited(self, send, rate, burst, status=429):
        """Sends until a 429 (or `status`), at most what the bucket can allow in the time taken and
        a few more; returns that answer and how many went through before it."""
        start, passed = time.monotonic(), 0
        while passed <= burst + rate * (time.monotonic() - start) + 2:
            r = send()
            if r.status == status:
                return r, passed
            self.assertLess(r.status, 400, r)
            passed += 1
        self.fail(f"no 429 after {passed} requests")

    def assert_retry_after(self, r):
        wait = r.headers.get("retry-after")
        self.assertIsNotNone(wait, r.headers)
        self.assertRegex(wait, r"^[1-9][0-9]*$")
        return int(wait)

    def metric(self, cls, by):
        text = self.server.get("/metrics").body.decode()
        m = re.search(rf'^sfapid_rate_limited_total\{{class="{cls}",by="{by}"\}} (\d+)$', text, re.M)
        self.assertIsNotNone(m, text)
        return int(m.group(1))


class PerClient(RateLimitTest):
    extra = """
[rate_limits]
burst_seconds = 2
reads_per_client = 2
reads_per_address = 0
submits_per_client = 1
submits_per_address = 0
commands_per_client = 0.5
commands_per_address = 0
token_per_client = 1
token_per_address = 0
"""

    def test_a_client_over_its_read_rate_is_told_when_to_come_back_and_others_go_on(self):
        r, passed = self.until_limited(lambda: self.call("GET", PREFIX + "/tasks"), 2, 4)
        self.assertGreaterEqual(passed, 4)  # the burst went through
        wait = self.assert_retry_after(r)
        self.assertEqual(r.json(), {"detail": f"too many reads requests from client "
                                              f"{self.client_id(self.alice)}; try again in {wait} s "
                                              f"(rate_limits)"})
        # Another client, and another class of the same client, are not held back.
        self.assertEqual(self.call("GET", PREFIX + "/tasks", user=self.bob).status, 200)
        # After the wait it was told, the client goes on.
        time.sleep(wait)
        self.assertEqual(self.call("GET", PREFIX + "/tasks").status, 200)
        self.assertGreaterEqual(self.metric("reads", "client"), 1)

    def test_the_iri_api_answers_503_in_its_problem_shape(self):
        # The IRI spec allows no 429 (its conformance harness fails one): 503 with Retry-After.
        r, _ = self.until_limited(lambda: self.call("GET", "/api/v2/compute/resources", user=self.bob),
                                  2, 4, status=503)
        self.assert_retry_after(r)
        self.assertEqual(r.headers.get("content-type"), "application/problem+json")
        body = r.json()
        self.assertEqual(body["status"], 503)
        self.assertIn("too many reads requests", body["detail"])

    def test_commands_have_their_own_smaller_allowance(self):
        def command():
            return self.call("POST", PREFIX + "/utilities/command/perlmutter",
                             body=urllib.parse.urlencode({"executable": "true"}).encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        r, passed = self.until_limited(command, 0.5, 1)
        self.assertIn("too many commands requests", r.json()["detail"])
        self.assertGreaterEqual(self.metric("commands", "client"), 1)

    def test_a_client_fetching_tokens_too_fast_gets_429_and_no_token(self):
        key = client_key(self.server, self.alice)[0]
        body = None
        for _ in range(2 + 5):  # burst 2, 1 a second
            r = token_request(self.server, key)
            if r.status == 429:
                body = r.json()
                break
            self.assertEqual(r.status, 200, r)
        self.assertIsNotNone(body, "no 429 from the token endpoint")
        self.assert_retry_after(r)
        self.assertEqual(body["error"], "temporarily_unavailable")
        self.assertNotIn("access_token", body)
        self.assertIn("too many token requests from client", body["error_description"])
        self.assertGreaterEqual(self.metric("token", "client"), 1)

    def client_id(self, user):
        from jose_helpers import load_private_key
        return load_private_key(self.keys[user])[0]


class PerAddress(RateLimitTest):
    extra = """
[rate_limits]
burst_seconds = 1
reads_per_client = 0
reads_per_address = 3
submits_per_client = 0
submits_per_address = 1
token_per_client = 0
token_per_address = 2
"""

    def test_every_client_from_an_address_shares_its_allowance(self):
        r, _ = self.until_limited(lambda: self.call("GET", PREFIX + "/tasks"), 3, 3)
        self.assertIn("too many reads requests from address 127.0.0.1", r.json()["detail"])
        self.assertEqual(self.call("GET", PREFIX + "/tasks", user=self.bob).status, 429)
        # Before any token is checked: a made-up one costs no signature check and gets 429 too.
        self.assertEqual(self.call("GET", PREFIX + "/tasks", token="made.up.token").status, 429)
        self.assertGreaterEqual(self.metric("reads", "address"), 2)
        time.sleep(self.assert_retry_after(r))
        self.assertEqual(self.call("GET", PREFIX + "/tasks", user=self.bob).status, 200)

    def test_an_upload_over_the_limit_is_refused_before_its_body_is_read(self):
        def upload(size):
            # Headers only: the body is never sent; an answer means the server did not wait for it.
            with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
                s.sendall((f"PUT {PREFIX}/utilities/upload/perlmutter/tmp/x HTTP/1.1\r\n"
                           f"Host: x\r\nAuthorization: Bearer {self.tokens[self.alice]}\r\n"
                           f"Content-Type: multipart/form-data; boundary=b\r\n"
                           f"Content-Length: {size}\r\n\r\n").encode())
                s.settimeout(3)
                try:
                    return s.recv(4096).decode(errors="replace")
                except socket.timeout:
                    return ""
        # A whole small upload spends the address's one submit of this second...
        small = self.call("PUT", f"{PREFIX}/utilities/upload/perlmutter/tmp/x", body=b"--b--\r\n",
                          headers={"Content-Type": "multipart/form-data; boundary=b"})
        self.assertIn(small.status, (200, 422, 429))
        # ...so the next, announcing 50 MiB, is refused at its headers.
        answer = upload(50 * 1024 * 1024)
        self.assertTrue(answer.startswith("HTTP/1.1 429"), answer)
        self.assertRegex(answer, r"(?i)retry-after: [1-9]")

    def test_the_token_endpoint_is_limited_by_address_before_any_check(self):
        statuses = []
        for _ in range(2 + 5):
            r = self.server.request("POST", "/oauth2/token", body=b"grant_type=nonsense",
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
            statuses.append(r.status)
            if r.status == 429:
                break
        self.assertEqual(statuses[-1], 429, statuses)
        self.assertIn("too many token requests from address", r.json()["error_description"])
        self.assertGreaterEqual(self.metric("token", "address"), 1)


if __name__ == "__main__":
    unittest.main()
