"""The web pages' calls as a browser makes them (a cookie jar, the CSRF token), Unix accounts with
passwords for PAM, and TOTP codes (RFC 6238) computed as an authenticator app does."""

import base64
import hashlib
import hmac
import json
import re
import struct
import subprocess
import time


def totp(secret, at=None):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    step = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


def set_password(account, password):
    subprocess.run(["chpasswd"], input=f"{account}:{password}\n", text=True, check=True,
                   capture_output=True)


class Browser:
    """One browser's view of the web calls: the session cookie it was given, and the CSRF token."""

    def __init__(self, server):
        self.server = server
        self.cookie = ""
        self.csrf = ""
        self.last = None

    def call(self, method, path, body=None, csrf=True, headers=None):
        h = {"Host": f"127.0.0.1:{self.server.port}"}
        if self.cookie:
            h["Cookie"] = f"sfapid_session={self.cookie}"
        if csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        r = self.server.request(method, path, body=data, headers=h)
        cookie = r.headers.get("set-cookie", "")
        m = re.match(r"sfapid_session=([^;]*)", cookie)
        if m:
            self.cookie = m.group(1)
        if r.status == 200 and r.headers.get("content-type", "").startswith("application/json"):
            token = r.json().get("csrf_token") if isinstance(r.json(), dict) else None
            if token:
                self.csrf = token
        self.last = r
        return r

    def sign_in(self, user, password):
        return self.call("POST", "/web/api/sign-in", {"username": user, "password": password})

    def code(self, code):
        return self.call("POST", "/web/api/sign-in/totp", {"code": code})

    def enrol(self, user, password):
        """Signs in for the first time; returns the TOTP secret after the enrolment."""
        r = self.sign_in(user, password)
        assert r.status == 200 and r.json()["stage"] == "enrolling", r
        secret = r.json()["totp_secret"]
        r = self.code(totp(secret))
        assert r.status == 200 and r.json()["stage"] == "signed_in", r
        return secret

    def profile(self):
        return self.call("GET", "/web/api/profile")
