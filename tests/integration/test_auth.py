"""Authentication through the real server: API clients made with `sfapid client`, the token
endpoint as authlib (sfapi_client's library) and a bare curl + openssl script use it, and every
forgery and misuse we could think of."""

import json
import os
import stat
import subprocess
import time
import unittest
import urllib.parse

from cryptography.hazmat.primitives import serialization

from harness import PREFIX, Server, ServerTest
from jose_helpers import (authlib_claims, load_private_key, make_jwt, minimal_claims, new_ec_key,
                          new_rsa_key, public_pem)

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class AuthTest(ServerTest):
    server_options = 'trusted_proxies = ["127.0.0.1/32"]'
    # These tests are refused on purpose, many times from one address: the per-address limit on
    # refusals has its own test (test_hardening.RefusalFlood).
    extra = "[auth]\nmax_refusals_per_address = 0\n"

    @property
    def token_url(self):
        return f"http://127.0.0.1:{self.server.port}/oauth2/token"

    def new_client(self, *args, user="alice", level="red", key_type="rsa"):
        path = os.path.join(self.server.dir, f"key-{time.monotonic_ns()}.pem")
        self.server.cli("client", "create", "--user", user, "--level", level, "--key-type",
                        key_type, "--out", path, *args)
        return path

    def post_token(self, assertion, grant_type="client_credentials", headers=None, in_query=False):
        fields = {"grant_type": grant_type, "client_assertion_type": ASSERTION_TYPE,
                  "client_assertion": assertion}
        encoded = urllib.parse.urlencode(fields)
        hdrs = {"Content-Type": "application/x-www-form-urlencoded"}
        hdrs.update(headers or {})
        if in_query:
            return self.server.request("POST", "/oauth2/token?" + encoded, body=b"", headers=hdrs)
        return self.server.request("POST", "/oauth2/token", body=encoded.encode(), headers=hdrs)

    def token_for(self, key_path, headers=None):
        client_id, key = load_private_key(key_path)
        alg = "ES256" if "EC" in type(key).__name__ else "RS256"
        r = self.post_token(make_jwt(minimal_claims(client_id, self.token_url), key, alg),
                            headers=headers)
        self.assertEqual(r.status, 200, r)
        return r.json()["access_token"]

    def assertRefused(self, reply, error, description_part, status=401):
        self.assertEqual(reply.status, status, reply)
        body = reply.json()
        self.assertEqual(body["error"], error, body)
        self.assertIn(description_part, body["error_description"])
        self.assertEqual(reply.headers.get("cache-control"), "no-store")

    def call(self, token, path="/account/clients", headers=None):
        h = {"Authorization": f"Bearer {token}"}
        h.update(headers or {})
        return self.api(path, headers=h)


class ClientCreation(AuthTest):
    def test_key_file_is_what_sfapi_client_reads(self):
        path = self.new_client("--name", "laptop")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as f:
            lines = f.read().splitlines()
        self.assertRegex(lines[0], r"^[a-z0-9]{13}$")
        self.assertEqual(lines[1], "-----BEGIN RSA PRIVATE KEY-----")
        listing = self.server.cli("client", "list", "--user", "alice").stdout
        self.assertIn(lines[0], listing)
        self.assertRegex(listing, lines[0] + r"\s+alice\s+red\s+valid")

    def test_json_format_and_ec_keys(self):
        path = os.path.join(self.server.dir, "k.json")
        self.server.cli("client", "create", "--user", "bob", "--level", "green", "--key-type",
                        "ec", "--format", "json", "--out", path)
        with open(path) as f:
            data = json.load(f)
        self.assertRegex(data["client_id"], r"^[a-z0-9]{13}$")
        self.assertEqual(data["secret"]["kty"], "EC")
        self.assertEqual(set(data["secret"]) >= {"crv", "x", "y", "d"}, True)

    def test_never_overwrites_a_key_file(self):
        path = self.new_client()
        before = open(path).read()
        r = self.server.cli("client", "create", "--user", "alice", "--out", path, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("exists; remove it or choose another --out", r.stderr)
        self.assertEqual(open(path).read(), before)

    def test_level_rules(self):
        r = self.server.cli("client", "create", "--user", "a", "--level", "red", "--ip",
                            "10.0.0.0/8", "--ip", "10.1.0.0/16", "--ip", "10.2.0.0/16",
                            check=False)
        self.assertIn("red clients may have at most 2 IP ranges; 3 were given", r.stderr)
        r = self.server.cli("client", "create", "--user", "a", "--level", "red", "--lifetime",
                            "3d", check=False)
        self.assertIn("red clients live at most 172800 seconds", r.stderr)
        r = self.server.cli("client", "create", "--user", "a", "--ip", "10.0.0.0/40", check=False)
        self.assertIn("'10.0.0.0/40' is not an IP range", r.stderr)
        r = self.server.cli("client", "create", "--user", "a", "--lifetime", "soon", check=False)
        self.assertIn("--lifetime 'soon' is not a duration", r.stderr)

    def test_registering_a_public_key(self):
        key = new_ec_key()
        pub = os.path.join(self.server.dir, "pub.pem")
        with open(pub, "wb") as f:
            f.write(public_pem(key))
        r = self.server.cli("client", "create", "--user", "carol", "--level", "yellow",
                            "--public-key", pub)
        client_id = r.stdout.strip()
        self.assertRegex(client_id, r"^[a-z0-9]{13}$")
        reply = self.post_token(make_jwt(minimal_claims(client_id, self.token_url), key, "ES256"))
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json()["scope"], "yellow")
        weak = os.path.join(self.server.dir, "weak.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:1024", "-out", weak + ".priv"], check=True,
                       capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", weak + ".priv", "-pubout", "-out", weak],
                       check=True)
        r = self.server.cli("client", "create", "--user", "carol", "--public-key", weak,
                            check=False)
        self.assertIn("RSA keys must have at least 2048 bits; this one has 1024", r.stderr)


class TokenRoundTrips(AuthTest):
    def test_authlib_private_key_jwt_rsa_and_ec(self):
        from authlib.integrations.httpx_client import OAuth2Client
        from authlib.oauth2.rfc7523 import PrivateKeyJWT
        for key_type, alg in [("rsa", "RS256"), ("ec", "ES256")]:
            path = self.new_client(key_type=key_type)
            with open(path) as f:
                text = f.read()
            client_id = text.splitlines()[0]
            # As sfapi_client does: the whole file, id line included, is the key.
            session = OAuth2Client(client_id=client_id, client_secret=text,
                                   token_endpoint_auth_method=PrivateKeyJWT(self.token_url,
                                                                            alg=alg))
            token = session.fetch_token(self.token_url, grant_type="client_credentials")
            self.assertEqual(token["token_type"], "Bearer")
            self.assertEqual(token["expires_in"], 600)
            self.assertEqual(token["scope"], "red")
            r = session.get(f"http://127.0.0.1:{self.server.port}{PREFIX}/account/clients")
            self.assertEqual(r.status_code, 200, r.text)
            self.assertIn(client_id, [c["clientId"] for c in r.json()])
            session.close()

    def test_bare_minimal_assertions_rsa_and_ec(self):
        for key_type, alg in [("rsa", "RS256"), ("ec", "ES256")]:
            client_id, key = load_private_key(self.new_client(key_type=key_type))
            r = self.post_token(make_jwt(minimal_claims(client_id, self.token_url), key, alg))
            self.assertEqual(r.status, 200, r)
            body = r.json()
            self.assertEqual(set(body), {"access_token", "token_type", "expires_in", "scope"})
            self.assertEqual(body["access_token"].count("."), 2)

    def test_curl_and_openssl_script(self):
        path = self.new_client()
        r = subprocess.run([os.path.join(REPO, "scripts", "sfapi-token"), path, self.token_url],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        token = r.stdout.strip()
        self.assertEqual(self.call(token).status, 200)

    def test_parameters_in_the_query_string(self):
        client_id, key = load_private_key(self.new_client())
        r = self.post_token(make_jwt(minimal_claims(client_id, self.token_url), key), in_query=True)
        self.assertEqual(r.status, 200, r)

    def test_audience_with_trailing_slash(self):
        client_id, key = load_private_key(self.new_client())
        claims = minimal_claims(client_id, self.token_url + "/")
        self.assertEqual(self.post_token(make_jwt(claims, key)).status, 200)

    def test_access_token_claims_and_jwks(self):
        import jwt as pyjwt
        token = self.token_for(self.new_client(user="dave", level="green"))
        jwks = self.server.get("/oauth2/jwks").json()
        header = pyjwt.get_unverified_header(token)
        self.assertEqual(header["alg"], "ES256")
        key = [k for k in jwks["keys"] if k["kid"] == header["kid"]][0]
        claims = pyjwt.decode(token, pyjwt.PyJWK(key).key, algorithms=["ES256"])
        self.assertEqual(claims["sub"], "dave")
        self.assertEqual(claims["scope"], "green")
        self.assertEqual(claims["iss"], f"http://127.0.0.1:{self.server.port}")
        self.assertEqual(claims["exp"] - claims["iat"], 600)
        self.assertTrue(claims["jti"])
        discovery = self.server.get("/.well-known/openid-configuration").json()
        self.assertEqual(discovery["token_endpoint"], self.token_url)
        self.assertEqual(discovery["token_endpoint_auth_methods_supported"], ["private_key_jwt"])


class TokenRefusals(AuthTest):
    def setUp(self):
        self.path = self.new_client()
        self.client_id, self.key = load_private_key(self.path)

    def good_claims(self):
        return minimal_claims(self.client_id, self.token_url)

    def test_alg_none(self):
        r = self.post_token(make_jwt(self.good_claims(), alg="none"))
        self.assertRefused(r, "invalid_client", "signed with none, but this RSA key requires RS256")

    def test_hs256_keyed_with_the_public_key(self):
        secret = public_pem(self.key)
        r = self.post_token(make_jwt(self.good_claims(), alg="HS256", hmac_secret=secret))
        self.assertRefused(r, "invalid_client", "signed with HS256, but this RSA key requires RS256")

    def test_wrong_key(self):
        r = self.post_token(make_jwt(self.good_claims(), new_rsa_key()))
        self.assertRefused(r, "invalid_client", "signature does not verify")

    def test_key_named_by_the_token_is_ignored(self):
        attacker = new_rsa_key()
        jwk = json.loads(__import__("jwt").algorithms.RSAAlgorithm.to_jwk(attacker.public_key()))
        r = self.post_token(make_jwt(self.good_claims(), attacker, header={"jwk": jwk, "kid": "x"}))
        self.assertRefused(r, "invalid_client", "signature does not verify")

    def test_wrong_iss_or_sub(self):
        for field, value in [("iss", "aaaaaaaaaaaaa"), ("sub", "aaaaaaaaaaaaa")]:
            claims = self.good_claims()
            claims[field] = value
            r = self.post_token(make_jwt(claims, self.key))
            self.assertRefused(r, "invalid_client", "iss and sub must both be the client id")

    def test_unknown_client(self):
        claims = minimal_claims("zzzzzzzzzzzzz", self.token_url)
        r = self.post_token(make_jwt(claims, self.key))
        self.assertRefused(r, "invalid_client", "unknown client zzzzzzzzzzzzz")

    def test_wrong_audience(self):
        for aud in ["https://oidc.nersc.gov/c2id/token", self.token_url + "x", None]:
            claims = self.good_claims()
            claims["aud"] = aud
            r = self.post_token(make_jwt(claims, self.key))
            self.assertRefused(r, "invalid_client", "aud must be the token endpoint")

    def test_expired_and_too_far_ahead(self):
        claims = self.good_claims()
        claims["exp"] = int(time.time()) - 120
        self.assertRefused(self.post_token(make_jwt(claims, self.key)), "invalid_client",
                           "the assertion expired")
        claims["exp"] = int(time.time()) + 3 * 86400
        self.assertRefused(self.post_token(make_jwt(claims, self.key)), "invalid_client",
                           "exp is too far ahead")
        del claims["exp"]
        self.assertRefused(self.post_token(make_jwt(claims, self.key)), "invalid_client",
                           "the assertion has no exp")
        claims = self.good_claims()
        claims["iat"] = int(time.time()) + 3600
        self.assertRefused(self.post_token(make_jwt(claims, self.key)), "invalid_client",
                           "iat is in the future")

    def test_replayed_jti(self):
        assertion = make_jwt(authlib_claims(self.client_id, self.token_url), self.key)
        self.assertEqual(self.post_token(assertion).status, 200)
        self.assertRefused(self.post_token(assertion), "invalid_client", "replayed jti")

    def test_revoked_client(self):
        self.server.cli("client", "revoke", self.client_id)
        r = self.post_token(make_jwt(self.good_claims(), self.key))
        self.assertRefused(r, "invalid_client", f"client {self.client_id} was revoked")

    def test_expired_client(self):
        client_id, key = load_private_key(self.new_client("--lifetime", "1s"))
        time.sleep(1.5)
        r = self.post_token(make_jwt(minimal_claims(client_id, self.token_url), key))
        self.assertRefused(r, "invalid_client", f"client {client_id} expired at")

    def test_ip_outside_the_ranges(self):
        client_id, key = load_private_key(self.new_client("--ip", "10.9.9.9/32"))
        r = self.post_token(make_jwt(minimal_claims(client_id, self.token_url), key))
        self.assertRefused(r, "invalid_client", "requests from 127.0.0.1 are not allowed")
        # Through a trusted proxy, the forwarded address is the caller's.
        r = self.post_token(make_jwt(minimal_claims(client_id, self.token_url), key),
                            headers={"X-Forwarded-For": "10.9.9.9"})
        self.assertEqual(r.status, 200, r)

    def test_malformed_assertions(self):
        good = make_jwt(self.good_claims(), self.key)
        head, payload, sig = good.split(".")
        # Cut inside the signature: no longer canonical base64url, or no longer the key's signature.
        for cut in [good[:-20], good[:-21], good[:-22], good[:-4]]:
            self.assertRefused(self.post_token(cut), "invalid_client", "the JWT signature ")
        padded = good + "=="
        self.assertRefused(self.post_token(padded), "invalid_request", "characters outside base64url", status=400)
        cases = [
            (f"{head}.{payload[:len(payload) // 2]}.{sig}", "cannot be decoded"),
            (good[: len(head) + 10], "three parts"),
            ("not.a.jwt!", "characters outside base64url"),
            ("a.b", "three parts"),
            ("%%%%.$$$$.####", "characters outside base64url"),
            ("eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", "cannot be decoded"),
            ("", "client_assertion is missing"),
            ("A" * (1024 * 1024), "longer than 16384 bytes"),
        ]
        for assertion, message in cases:
            r = self.post_token(assertion)
            self.assertRefused(r, "invalid_request", message, status=400)

    def test_wrong_grant_and_assertion_type(self):
        good = make_jwt(self.good_claims(), self.key)
        self.assertRefused(self.post_token(good, grant_type="password"), "unsupported_grant_type",
                           "grant_type must be client_credentials", status=400)
        r = self.server.request("POST", "/oauth2/token", body=b"grant_type=client_credentials",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertRefused(r, "invalid_request", "client_assertion_type must be", status=400)
        r = self.server.request("POST", "/oauth2/token", body=b"grant_type=%zz",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertRefused(r, "invalid_request", "malformed %-escape", status=400)

    def test_refusals_are_audited(self):
        self.post_token(make_jwt(self.good_claims(), new_rsa_key()))
        self.post_token(make_jwt(self.good_claims(), self.key))
        audit = self.server.cli("audit", "--limit", "2").stdout.splitlines()
        self.assertRegex(audit[0], rf"issued\s+client={self.client_id} user=alice ip=127\.0\.0\.1")
        self.assertRegex(audit[1], rf"refused client={self.client_id} user=alice ip=127\.0\.0\.1 "
                                   r"invalid_client: the JWT signature does not verify")
        self.assertIn(f"token refused: client={self.client_id}", self.server.read_log())


class AccessTokens(AuthTest):
    def signing_key(self):
        kid, pem = self.server.query(
            "SELECT kid, private_pem FROM signing_keys ORDER BY created_ns DESC LIMIT 1")[0]
        return kid, serialization.load_pem_private_key(pem.encode(), None)

    def server_claims(self, **changes):
        client_id, _ = load_private_key(self.new_client())
        now = int(time.time())
        claims = {"iss": f"http://127.0.0.1:{self.server.port}", "sub": "alice",
                  "client_id": client_id, "scope": "red", "iat": now, "exp": now + 600, "jti": "j"}
        claims.update(changes)
        return claims

    def assertInvalidToken(self, reply, message):
        self.assertEqual(reply.status, 401, reply)
        self.assertIn(message, reply.json()["detail"])
        self.assertTrue(reply.headers["www-authenticate"].startswith('Bearer error="invalid_token"'))
        self.assertIn(message, reply.headers["www-authenticate"])

    def test_no_token(self):
        r = self.api("/account/clients")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json(), {"detail": "Not authenticated"})
        # The body stays FastAPI's word for word; the header says where tokens come from.
        self.assertEqual(r.headers["www-authenticate"],
                         f'Bearer realm="sfapid", token_url="{self.token_url}"')
        r = self.api("/account/clients", headers={"Authorization": "Basic YTpi"})
        self.assertInvalidToken(r, "must be 'Bearer <access token>'")

    def test_expired(self):
        kid, key = self.signing_key()
        claims = self.server_claims(exp=int(time.time()) - 5)
        r = self.call(make_jwt(claims, key, "ES256", header={"kid": kid}))
        self.assertInvalidToken(r, "the token has expired")

    def test_tampered_payload(self):
        token = self.token_for(self.new_client(level="green"))
        head, payload, sig = token.split(".")
        claims = json.loads(__import__("base64").urlsafe_b64decode(payload + "=="))
        claims["scope"] = "red"
        from jose_helpers import b64url
        r = self.call(f"{head}.{b64url(json.dumps(claims))}.{sig}")
        self.assertInvalidToken(r, "the token signature is invalid")

    def test_unknown_kid_and_foreign_issuer(self):
        from jose_helpers import new_ec_key
        r = self.call(make_jwt(self.server_claims(), new_ec_key(), "ES256", header={"kid": "nope"}))
        self.assertInvalidToken(r, "unknown kid")
        kid, key = self.signing_key()
        r = self.call(make_jwt(self.server_claims(iss="https://elsewhere"), key, "ES256",
                               header={"kid": kid}))
        self.assertInvalidToken(r, "issued for another server")
        r = self.call(make_jwt(self.server_claims(), key, "none", header={"kid": kid}))
        self.assertInvalidToken(r, "the token signature is invalid")

    def test_revocation_reaches_live_tokens(self):
        path = self.new_client()
        client_id = open(path).readline().strip()
        token = self.token_for(path)
        self.assertEqual(self.call(token).status, 200)
        self.server.cli("client", "revoke", client_id)
        reply = self.wait_for(lambda: (lambda r: r if r.status == 401 else None)(self.call(token)),
                              timeout=10, what="revocation to reach the server")
        self.assertInvalidToken(reply, "the token's client was revoked")

    def test_ip_outside_the_ranges_is_403(self):
        path = self.new_client("--ip", "10.1.1.1/32")
        token = self.token_for(path, headers={"X-Forwarded-For": "10.1.1.1"})
        self.assertEqual(self.call(token, headers={"X-Forwarded-For": "10.1.1.1"}).status, 200)
        r = self.call(token, headers={"X-Forwarded-For": "10.2.2.2"})
        self.assertEqual(r.status, 403)
        self.assertIn("requests from 10.2.2.2 are not allowed", r.json()["detail"])

    def test_body_is_not_read_before_the_token_is_checked(self):
        # 50 MB announced, nothing sent: the answer must come at once, not after a body or a timeout.
        sock = self.server.connect()
        sock.sendall(b"PUT " + PREFIX.encode() + b"/utilities/upload/perlmutter//tmp/x HTTP/1.1\r\n"
                     b"Host: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                     b"Content-Length: 50000000\r\n\r\n")
        sock.settimeout(5)
        reply = sock.recv(4096)
        sock.close()
        self.assertTrue(reply.startswith(b"HTTP/1.1 401"), reply[:100])
        self.assertIn(b"Connection: close", reply)
        self.assertIn(b'{"detail":"Not authenticated"}', reply)

    def test_public_routes_take_no_token_but_refuse_a_bad_one(self):
        self.assertEqual(self.api("/status").status, 200)
        r = self.api("/status", headers={"Authorization": "Bearer garbage"})
        self.assertInvalidToken(r, "malformed token")

    def test_account_clients_lists_only_the_callers(self):
        mine = self.new_client("--name", "mine", "--comments", "for tests", user="erin")
        self.new_client(user="frank")
        body = self.call(self.token_for(mine)).json()
        self.assertEqual(len(body), 1)
        self.assertEqual(set(body[0]), {"name", "clientId", "expiresAt", "comments"})
        self.assertEqual(body[0]["name"], "mine")
        self.assertEqual(body[0]["comments"], "for tests")
        self.assertEqual(body[0]["clientId"], open(mine).readline().strip())

    def test_levels_in_the_openapi_document(self):
        doc = self.api("/openapi.json").json()
        self.assertEqual(doc["paths"]["/account/clients"]["get"]["x-sfapi-level"], "green")
        self.assertEqual(doc["paths"]["/status"]["get"]["x-sfapi-level"], "public")
        self.assertEqual(doc["components"]["securitySchemes"]["BearerAuth"]["scheme"], "bearer")


class SigningKeyRotation(unittest.TestCase):
    def test_rotation_keeps_old_tokens_valid(self):
        server = Server().start()
        try:
            path = os.path.join(server.dir, "k.pem")
            server.cli("client", "create", "--user", "alice", "--level", "green", "--out", path)
            client_id, key = load_private_key(path)
            url = f"http://127.0.0.1:{server.port}/oauth2/token"
            def token():
                body = urllib.parse.urlencode({
                    "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                    # A jti: two assertions within one second would otherwise be one (a replay).
                    "client_assertion": make_jwt({**minimal_claims(client_id, url),
                                                  "jti": os.urandom(8).hex()}, key)}).encode()
                return server.request("POST", "/oauth2/token", body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded"}).json()["access_token"]
            old = token()
            out = server.cli("keys", "rotate").stdout
            new_kid = out.split()[-1]
            new = token()
            import jwt as pyjwt
            self.assertEqual(pyjwt.get_unverified_header(new)["kid"], new_kid)
            self.assertNotEqual(pyjwt.get_unverified_header(old)["kid"], new_kid)
            for t in [old, new]:
                r = server.get(PREFIX + "/account/clients", headers={"Authorization": f"Bearer {t}"})
                self.assertEqual(r.status, 200, r)
            self.assertEqual(len(server.get("/oauth2/jwks").json()["keys"]), 2)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
