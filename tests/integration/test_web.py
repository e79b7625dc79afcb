"""The web pages' calls through the real server, as a browser makes them: sign-in with a real PAM
password and TOTP, sessions, CSRF, lockout, cookie flags, CSP, clients created with a public key
and used for tokens, enablement and access requests, the public status page. The browser itself
is in test_web_browser.py."""

import os
import pwd
import re
import subprocess
import time
import unittest

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from harness import PREFIX, ModuleUsers, Server, fetch_token
from web_helpers import Browser, set_password, totp

users = ModuleUsers("alice", "bob", "carol")
PASSWORDS = {"alice": "Alice-pw-1!", "bob": "Bob-pw-2!", "carol": "Carol-pw-3!"}


def setUpModule():
    users.create()
    for name, password in PASSWORDS.items():
        set_password(users.accounts[name], password)


tearDownModule = users.remove


def new_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return public, private


class WebTest(unittest.TestCase):
    # One address (loopback) makes every call here: its lockout must not end the suite.
    web = "enable_by_default = true\nmax_failures = 100\n"

    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra=f"[web]\n{cls.web}").start()
        cls.secrets = {}  # TOTP secrets by user, once enrolled
        cls.used_step = {}  # the last 30-second step a user's code was used in

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def account(self, name):
        return users.accounts[name]

    def enrolled(self, name, secret):
        self.secrets[name] = secret
        self.used_step[name] = int(time.time() // 30)

    def signed_in(self, name):
        b = Browser(self.server)
        if name not in self.secrets:
            self.enrolled(name, b.enrol(self.account(name), PASSWORDS[name]))
            return b
        r = b.sign_in(self.account(name), PASSWORDS[name])
        self.assertEqual(r.json()["stage"], "second_factor", r)
        # A code is good once: after the last one used, wait for the next 30-second step.
        while int(time.time() // 30) <= self.used_step[name]:
            time.sleep(0.5)
        self.used_step[name] = int(time.time() // 30)
        r = b.code(totp(self.secrets[name]))
        self.assertEqual(r.status, 200, r)
        return b

    def create_client(self, b, level="red", ranges=("127.0.0.1/32",), name="test"):
        public, private = new_key()
        r = b.call("POST", "/web/api/clients", {"name": name, "level": level,
                                                "ip_ranges": list(ranges), "public_key": public})
        return r, private

    def key_file(self, client_id, private):
        path = os.path.join(self.server.dir, client_id + ".pem")
        with open(path, "w") as f:
            f.write(client_id + "\n" + private)
        os.chmod(path, 0o600)
        return path

    def audit(self):
        return self.server.cli("audit", "--limit", "200").stdout


class SignIn(WebTest):
    def test_password_then_totp_enrolment_then_profile(self):
        b = Browser(self.server)
        r = b.sign_in(self.account("alice"), PASSWORDS["alice"])
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["stage"], "enrolling")
        self.assertEqual(body["user"], self.account("alice"))
        self.assertRegex(body["totp_secret"], r"^[A-Z2-7]{32}$")
        self.assertEqual(body["totp_uri"],
                         f"otpauth://totp/sfapid:{self.account('alice')}?secret={body['totp_secret']}"
                         "&issuer=sfapid&algorithm=SHA1&digits=6&period=30")
        # Half signed in: the profile is not shown yet, the QR code is.
        self.assertEqual(b.profile().status, 401)
        qr = b.call("GET", "/web/api/totp/qr.svg")
        self.assertEqual(qr.status, 200)
        self.assertEqual(qr.headers["content-type"], "image/svg+xml")
        self.assertTrue(qr.body.startswith(b"<svg "))
        half_cookie = b.cookie
        r = b.code(totp(body["totp_secret"]))
        self.assertEqual(r.status, 200, r)
        self.enrolled("alice", body["totp_secret"])
        self.assertEqual(r.json()["stage"], "signed_in")
        self.assertNotEqual(b.cookie, half_cookie)  # a new session id once signed in
        profile = b.profile()
        self.assertEqual(profile.status, 200, profile)
        p = profile.json()
        self.assertEqual(p["user"]["name"], self.account("alice"))
        self.assertEqual(p["access"]["enabled"], True)
        self.assertEqual(p["clients"], [])
        self.assertEqual(p["levels"]["red"], {"max_lifetime_days": 2.0, "max_ip_ranges": 2,
                                              "min_ipv4_prefix": 16, "min_ipv6_prefix": 48})
        self.assertEqual(p["your_address"], "127.0.0.1")
        audit = self.audit()
        self.assertIn("web-totp-enrolled", audit)
        self.assertIn("web-signed-in", audit)
        self.assertNotIn(body["totp_secret"], audit)
        self.assertNotIn(PASSWORDS["alice"], audit)
        self.assertNotIn(PASSWORDS["alice"], self.server.read_log())
        self.assertNotIn(body["totp_secret"], self.server.read_log())

    def test_wrong_password_and_unknown_user_read_the_same(self):
        b = Browser(self.server)
        for user, password in [(self.account("carol"), "wrong"), ("nosuchuser", "x")]:
            r = b.sign_in(user, password)
            self.assertEqual(r.status, 401)
            self.assertEqual(r.json(), {"error": "wrong user name or password"})
            self.assertNotIn("set-cookie", r.headers)

    def test_wrong_and_replayed_codes_are_refused(self):
        b = self.signed_in("bob")
        b2 = Browser(self.server)
        r = b2.sign_in(self.account("bob"), PASSWORDS["bob"])
        self.assertEqual(r.json()["stage"], "second_factor")
        self.assertNotIn("totp_secret", r.json())
        # The code bob just signed in with is used up.
        r = b2.code(totp(self.secrets["bob"], self.used_step["bob"] * 30))
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["error"], "this code was used already; wait for the next one")
        wrong = totp(self.secrets["bob"], time.time() + 3600)
        r = b2.code(wrong)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["error"], "wrong code")
        self.assertEqual(b2.profile().status, 401)
        self.assertIn("TOTP code replayed", self.audit())
        self.assertEqual(b.profile().status, 200)

    def test_cookie_flags_and_security_headers(self):
        b = Browser(self.server)
        r = b.sign_in(self.account("carol"), PASSWORDS["carol"])
        cookie = r.headers["set-cookie"]
        self.assertRegex(cookie, r"^sfapid_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; "
                                 r"SameSite=Strict; Max-Age=300$")
        for path in ["/", "/status", "/web/api/session", "/web/assets/profile.js"]:
            r = self.server.get(path)
            csp = r.headers.get("content-security-policy", "")
            self.assertIn("default-src 'none'", csp, path)
            self.assertIn("script-src 'self'", csp, path)
            self.assertNotIn("unsafe-inline", csp, path)
            self.assertIn("frame-ancestors 'none'", csp, path)
            self.assertEqual(r.headers.get("x-content-type-options"), "nosniff", path)
            self.assertEqual(r.headers.get("x-frame-options"), "DENY", path)
        self.assertEqual(self.server.get("/web/api/session").headers["cache-control"], "no-store")
        # No inline script or style anywhere in the page.
        page = self.server.get("/").body.decode()
        self.assertNotRegex(page, r"<script(?![^>]*\ssrc=)")
        self.assertNotIn("style=", page)
        self.assertNotIn("<style", page)

    def test_sign_out_ends_the_session(self):
        b = self.signed_in("alice")
        cookie = b.cookie
        self.assertEqual(b.call("POST", "/web/api/sign-out", {}).status, 200)
        self.assertIn("Max-Age=0", b.last.headers["set-cookie"])
        b.cookie = cookie  # a copy kept elsewhere is worth nothing now
        self.assertEqual(b.profile().status, 401)

    def test_sessions_survive_a_restart(self):
        b = self.signed_in("carol")
        self.server.stop()
        self.server.start()
        self.assertEqual(b.profile().status, 200)

    def test_bad_input_is_refused_in_the_error_shape(self):
        b = Browser(self.server)
        h = {"Host": f"127.0.0.1:{self.server.port}"}
        r = self.server.request("POST", "/web/api/sign-in", body=b"username=a&password=b",
                                headers={**h, "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((r.status, r.json()), (415, {"error": "send the fields as JSON "
                                                               "(Content-Type: application/json)"}))
        r = self.server.request("POST", "/web/api/sign-in", body=b"{not json",
                                headers={**h, "Content-Type": "application/json"})
        self.assertEqual((r.status, r.json()), (400, {"error": "the body is not a JSON object"}))
        r = b.call("POST", "/web/api/sign-in", {"username": ["x"], "password": "y"})
        self.assertEqual((r.status, r.json()),
                         (422, {"error": "username must be a string", "field": "username"}))
        r = b.call("POST", "/web/api/sign-in", {"username": "a", "password": "b"},
                   headers={"Origin": "http://evil.example"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.server.request("POST", "/web/api/sign-in", body=b"x" * 20000,
                                             headers={**h, "Content-Type": "application/json"}).status,
                         413)


class Lockout(WebTest):
    web = "max_failures = 3\n"

    def test_a_user_is_locked_out_after_three_failures(self):
        b = Browser(self.server)
        for _ in range(3):
            self.assertEqual(b.sign_in(self.account("carol"), "wrong").status, 401)
        # From another address too, and with the right password: locked.
        r = b.sign_in(self.account("carol"), PASSWORDS["carol"])
        self.assertEqual(r.status, 429, r)
        self.assertIn("too many failed sign-ins; try again in", r.json()["error"])
        self.assertGreater(int(r.headers["retry-after"]), 0)
        self.assertLessEqual(int(r.headers["retry-after"]), 15 * 60)
        self.assertIn("web-sign-in-locked", self.audit())


class Clients(WebTest):
    def test_create_use_and_revoke_a_client(self):
        b = self.signed_in("alice")
        r, private = self.create_client(b, level="yellow", name="laptop")
        self.assertEqual(r.status, 201, r)
        client = r.json()["client"]
        self.assertRegex(client["client_id"], r"^[a-z0-9]{13}$")
        self.assertEqual((client["name"], client["level"], client["ip_ranges"], client["state"]),
                         ("laptop", "yellow", ["127.0.0.1/32"], "valid"))
        self.assertIsNone(client["last_used_at"])
        # sfapi_client's pattern: a private_key_jwt assertion for a token, then GET /account.
        from authlib.integrations.httpx_client import OAuth2Client
        from authlib.oauth2.rfc7523 import PrivateKeyJWT
        path = self.key_file(client["client_id"], private)
        with open(path) as f:
            text = f.read()
        token_url = f"http://127.0.0.1:{self.server.port}/oauth2/token"
        session = OAuth2Client(client_id=client["client_id"], client_secret=text,
                               token_endpoint_auth_method=PrivateKeyJWT(token_url, alg="RS256"))
        token = session.fetch_token(token_url, grant_type="client_credentials")
        self.assertEqual(token["scope"], "yellow")
        account = session.get(f"http://127.0.0.1:{self.server.port}{PREFIX}/account/")
        self.assertEqual(account.status_code, 200, account.text)
        self.assertEqual(account.json()["name"], self.account("alice"))
        session.close()
        # And with the project's own script.
        repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        out = subprocess.run([os.path.join(repo, "scripts", "sfapi-token"), path, token_url],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        bearer = {"Authorization": "Bearer " + out.stdout.strip()}
        self.assertEqual(self.server.get(PREFIX + "/account/", headers=bearer).status, 200)

        listed = {c["client_id"]: c for c in b.profile().json()["clients"]}
        self.assertEqual(listed[client["client_id"]]["state"], "valid")
        self.assertIsNotNone(listed[client["client_id"]]["last_used_at"])
        self.assertIn("client-created", self.audit())

        r = b.call("DELETE", f"/web/api/clients/{client['client_id']}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["client"]["state"], "revoked")
        refused = self.server.get(PREFIX + "/account/", headers=bearer)
        self.assertEqual(refused.status, 401)
        self.assertIn("revoked", refused.json()["detail"])
        self.assertIn("client-revoked", self.audit())

    def test_the_server_enforces_the_level_rules(self):
        b = self.signed_in("bob")
        r, _ = self.create_client(b, level="red",
                                  ranges=("127.0.0.1/32", "10.0.0.0/8", "192.168.0.0/16"))
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json(), {"error": "red clients may have at most 2 IP ranges; 3 were given",
                                    "field": "ip_ranges"})
        # A pinned client is pinned: no catch-all range, in whatever spelling.
        for wide in [("0.0.0.0/0", "::/0"), ("::ffff:0:0/96",), ("::/48",)]:
            r, _ = self.create_client(b, level="red", ranges=wide)
            self.assertEqual(r.status, 422, (wide, r))
            self.assertEqual(r.json(), {"error": "red clients may name IPv4 ranges of /16 or narrower; "
                                                 f"'{wide[0]}' is wider", "field": "ip_ranges"})
        key = new_key()[0]
        for body, field in [({"name": "x", "level": "purple"}, "level"),
                            ({"name": "x", "level": "green", "ip_ranges": ["nonsense"]}, "ip_ranges"),
                            ({"name": "x", "level": "green", "ip_ranges": "10.0.0.0/8"}, "ip_ranges"),
                            ({"name": "x", "level": "green", "public_key": None}, "public_key"),
                            ({"name": "x", "level": "green", "public_key": "not a key"}, "public_key"),
                            ({"name": "", "level": "green"}, "name"),
                            ({"name": "x" * 201, "level": "green"}, "name")]:
            body = {"public_key": key, **body}
            r = b.call("POST", "/web/api/clients", body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertEqual(r.json()["field"], field, r)
        self.assertEqual(b.profile().json()["clients"], [])  # nothing stored

    def test_changes_without_the_csrf_token_are_refused(self):
        b = self.signed_in("carol")
        public, _ = new_key()
        body = {"name": "x", "level": "green", "public_key": public}
        r = b.call("POST", "/web/api/clients", body, csrf=False)
        self.assertEqual(r.status, 403)
        self.assertIn("CSRF", r.json()["error"])
        saved = b.csrf
        b.csrf = "x" * len(saved)
        self.assertEqual(b.call("POST", "/web/api/clients", body).status, 403)
        b.csrf = saved
        self.assertEqual(b.call("POST", "/web/api/clients", body,
                                headers={"Origin": "http://evil.example"}).status, 403)
        self.assertEqual(b.profile().json()["clients"], [])

    def test_a_session_shows_and_changes_only_its_own_user(self):
        alice = self.signed_in("alice")
        r, _ = self.create_client(alice, level="green", name="alice's")
        alice_client = r.json()["client"]["client_id"]
        bob = self.signed_in("bob")
        self.assertEqual(bob.profile().json()["user"]["name"], self.account("bob"))
        self.assertNotIn(alice_client, [c["client_id"] for c in bob.profile().json()["clients"]])
        r = bob.call("DELETE", f"/web/api/clients/{alice_client}")
        self.assertEqual(r.status, 404)
        self.assertIn(alice_client, [c["client_id"] for c in alice.profile().json()["clients"]
                                     if c["state"] == "valid"])
        # A cookie that is not a session, or bob's CSRF token with alice's cookie: refused.
        forged = Browser(self.server)
        forged.cookie, forged.csrf = "A" * 43, bob.csrf
        self.assertEqual(forged.profile().status, 401)
        mixed = Browser(self.server)
        mixed.cookie, mixed.csrf = alice.cookie, bob.csrf
        self.assertEqual(mixed.call("DELETE", f"/web/api/clients/{alice_client}").status, 403)


class Enablement(WebTest):
    web = "enable_by_default = false\nmfa = \"none\"\nmax_failures = 100\n"

    def signed_in(self, name):  # mfa = "none": the password is enough
        b = Browser(self.server)
        self.assertEqual(b.sign_in(self.account(name), PASSWORDS[name]).json()["stage"],
                         "signed_in")
        return b

    def test_a_user_asks_and_an_operator_approves_then_disables(self):
        carol = self.signed_in("carol")
        access = carol.profile().json()["access"]
        self.assertEqual(access, {"enabled": False, "why": "you have not been enabled for the API yet",
                                  "request": None})
        r, _ = self.create_client(carol)
        self.assertEqual(r.status, 403)
        r = carol.call("POST", "/web/api/access-requests", {"reason": "workflow runs"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["request"]["state"], "pending")
        self.assertEqual(carol.call("POST", "/web/api/access-requests", {"reason": "x"}).status, 409)
        listed = self.server.cli("access", "list").stdout
        self.assertIn(self.account("carol"), listed)
        request_id = listed.split()[0]
        self.server.cli("access", "approve", request_id, "--note", "welcome")
        access = carol.profile().json()["access"]
        self.assertTrue(access["enabled"])
        self.assertEqual(access["request"]["state"], "approved")
        self.assertEqual(access["request"]["note"], "welcome")
        r, private = self.create_client(carol)
        self.assertEqual(r.status, 201, r)
        client_id = r.json()["client"]["client_id"]
        token = fetch_token(self.server, self.key_file(client_id, private))
        self.assertEqual(self.server.get(PREFIX + "/account/",
                                         headers={"Authorization": "Bearer " + token}).status, 200)
        out = self.server.cli("user", "disable", self.account("carol")).stdout
        self.assertIn(f"revoked {client_id}", out)
        # Signed out too; signed in again (an operator's link: no second factor to wait for), she
        # sees her client revoked and herself disabled.
        self.assertEqual(carol.profile().status, 401)
        url = self.server.cli("web", "link", "--user", self.account("carol")).stdout.strip()
        carol = Browser(self.server)
        r = carol.call("POST", "/web/api/sign-in/link", {"link": url.rsplit("#link=", 1)[1]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(carol.profile().json()["clients"][0]["state"], "revoked")
        time.sleep(2.5)  # the server's view of clients refreshes every 2 s
        self.assertEqual(self.server.get(PREFIX + "/account/",
                                         headers={"Authorization": "Bearer " + token}).status, 401)
        self.assertFalse(carol.profile().json()["access"]["enabled"])
        self.assertEqual(self.create_client(carol)[0].status, 403)
        audit = self.audit()
        for outcome in ["access-requested", "access-approved", "user-disabled"]:
            self.assertIn(outcome, audit)

    def test_an_operator_enables_and_denies(self):
        bob = self.signed_in("bob")
        r = bob.call("POST", "/web/api/access-requests", {"reason": ""})
        self.assertEqual(r.status, 201, r)
        self.server.cli("access", "deny", str(r.json()["request"]["id"]), "--note", "ask your PI")
        access = bob.profile().json()["access"]
        self.assertEqual((access["enabled"], access["request"]["state"], access["request"]["note"]),
                         (False, "denied", "ask your PI"))
        self.assertEqual(self.server.cli("access", "approve", str(r.json()["request"]["id"]),
                                         check=False).returncode, 1)
        self.server.cli("user", "enable", self.account("bob"))
        self.assertTrue(bob.profile().json()["access"]["enabled"])

    def test_a_link_signs_in_once(self):
        url = self.server.cli("web", "link", "--user", self.account("alice")).stdout.strip()
        # The configured address (port 0 here: the kernel's pick, which the CLI cannot know).
        m = re.fullmatch(r"http://127\.0\.0\.1:\d+/#link=([A-Za-z0-9_-]{43})", url)
        self.assertIsNotNone(m, url)
        b = Browser(self.server)
        r = b.call("POST", "/web/api/sign-in/link", {"link": m.group(1)})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["stage"], "signed_in")
        self.assertEqual(b.profile().json()["user"]["name"], self.account("alice"))
        again = Browser(self.server).call("POST", "/web/api/sign-in/link", {"link": m.group(1)})
        self.assertEqual(again.status, 401)


class MappedAccounts(WebTest):
    """[runas] accounts maps the API user named as alice's account to bob's account, and an API
    user of a name no account has to carol's: a password proves an account and signs in as the API
    user that acts as that account, never as the one its name is mapped to."""

    @classmethod
    def setUpClass(cls):
        cls.api_carol = "api-" + users.accounts["carol"]
        cls.web = (WebTest.web + "mfa = \"none\"\n[runas]\naccounts = { "
                   f'"{users.accounts["alice"]}" = "{users.accounts["bob"]}", '
                   f'"{cls.api_carol}" = "{users.accounts["carol"]}" }}\n')
        super().setUpClass()

    def test_an_account_whose_name_is_mapped_away_has_no_api_user(self):
        b = Browser(self.server)
        r = b.sign_in(self.account("alice"), PASSWORDS["alice"])
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.json(), {"error": "this account has no API user: [runas] accounts maps "
                                             "its name to another account"})
        self.assertNotIn("set-cookie", r.headers)
        self.assertEqual(b.profile().status, 401)

    def test_an_account_signs_in_as_the_api_user_mapped_to_it(self):
        b = Browser(self.server)
        r = b.sign_in(self.account("carol"), PASSWORDS["carol"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["stage"], "signed_in")
        profile = b.profile().json()
        self.assertEqual(profile["user"]["name"], self.api_carol)
        self.assertEqual(profile["user"]["uid"], pwd.getpwnam(self.account("carol")).pw_uid)


class SecureCookies(WebTest):
    web = "secure_cookies = \"always\"\nmfa = \"none\"\nenable_by_default = true\n"

    def test_secure_flag(self):
        r = Browser(self.server).sign_in(self.account("alice"), PASSWORDS["alice"])
        self.assertIn("; Secure", r.headers["set-cookie"])


class StatusPage(WebTest):
    def test_systems_outages_and_notes_for_people(self):
        from datetime import datetime, timedelta, timezone
        now = datetime.now(timezone.utc).replace(microsecond=0)
        self.server.cli("status", "set", "dtns", "unavailable", "--description", "Disk <failure>")
        self.server.cli("outage", "add", "perlmutter", "--start", (now - timedelta(hours=1)).isoformat(),
                        "--end", (now + timedelta(hours=2)).isoformat(), "--description",
                        "Cooling work")
        self.server.cli("outage", "add", "globus", "--start", (now + timedelta(days=2)).isoformat(),
                        "--end", (now + timedelta(days=2, hours=4)).isoformat(), "--description",
                        "Upgrade")
        self.server.cli("note", "add", "perlmutter", "Scratch is slow")
        time.sleep(0.5)
        r = self.server.get("/status")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["content-type"], "text/html; charset=utf-8")
        page = r.body.decode()
        self.assertIn("Disk &lt;failure&gt;", page)  # escaped, never markup
        self.assertNotIn("<failure>", page)
        now_part = page.split("<h2>Outages now</h2>")[1].split("<h2>Planned outages</h2>")
        self.assertIn("Cooling work", now_part[0])
        self.assertIn("Upgrade", now_part[1].split("<h2>Notes</h2>")[0])
        self.assertIn("Scratch is slow", page)
        self.assertRegex(page, r'state-unavailable">unavailable')


if __name__ == "__main__":
    unittest.main()
