"""Job-end notifications through the real server: callbackUrl POSTs received by a test HTTP
server and checked against the client's callback secret, retried while the receiver is down;
callbackEmail messages in the outbox; and `sfapid usage` charging finished jobs to their account
(needs root for real Unix users)."""

import hashlib
import hmac
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from compute_helpers import ComputeTest, script
from harness import ModuleUsers, client_token

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove

BODY_KEYS = {"event", "delivery_id", "sent_at", "machine", "jobid", "user", "account", "state",
             "exit_code", "submit_time", "start_time", "end_time"}


class Receiver:
    """A loopback HTTP server that records every POST (path, headers, body) and answers 200, or
    the statuses in `answers` first, one per request."""

    def __init__(self, port=0, answers=(), bind="127.0.0.1"):
        self.requests = []
        received = self.requests
        statuses = list(answers)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(statuses.pop(0) if statuses else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer((bind, port), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Callbacks(ComputeTest):
    users = USERS
    scheduler = {"nodes": 1, "cpus_per_node": 2}
    extra = ("[callbacks]\nfirst_retry_seconds = 0.2\nmax_retry_seconds = 1\n"
             "blocked_networks = []  # the test receivers are on loopback\n"
             "block_host_addresses = false\n")

    def secret(self, user=None):
        client_id = self.keys[self.user(user)][1]
        out = self.server.cli("client", "callback-secret", client_id).stdout.strip()
        self.assertTrue(out, "callback-secret printed nothing")
        return out.split()[-1]

    def wait_requests(self, receiver, count, timeout=15):
        deadline = time.time() + timeout
        while len(receiver.requests) < count and time.time() < deadline:
            time.sleep(0.05)
        self.assertGreaterEqual(len(receiver.requests), count, "no callback arrived")
        return receiver.requests

    def check_signed(self, headers, body, secret):
        self.assertEqual(headers.get("x-sfapi-event"), "job.ended")
        signature = headers.get("x-sfapi-signature", "")
        self.assertTrue(signature.startswith("sha256="), signature)
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature, "sha256=" + expected):
            hints = []
            try:
                if hmac.compare_digest(signature, "sha256=" + hmac.new(bytes.fromhex(secret), body,
                                                                      hashlib.sha256).hexdigest()):
                    hints.append("it is keyed with the hex-decoded secret")
            except ValueError:
                pass
            self.fail(f"bad signature {signature} for the printed secret {secret!r} {hints}")
        self.assertTrue(headers.get("content-type", "").startswith("application/json"), headers)
        payload = json.loads(body)
        self.assertEqual(set(payload), BODY_KEYS, payload)
        self.assertEqual(headers.get("x-sfapi-delivery"), payload["delivery_id"])
        self.assertEqual(payload["event"], "job.ended")
        for key in ("submit_time", "end_time", "sent_at"):
            self.assertIsNotNone(payload[key], key)
        if payload["state"] != "CANCELLED":  # a job cancelled while pending never started
            self.assertIsNotNone(payload["start_time"], "start_time")
        return payload

    def test_signed_callback_on_completion_and_failure(self):
        receiver = Receiver()
        try:
            secret = self.secret()
            done = self.submit(script("echo hi", "-A cbproj"), callbackUrl=receiver.url("/hook/done"))
            failed = self.submit(script("exit 3"), callbackUrl=receiver.url("/hook/failed?x=1"))
            self.wait_ended(done)
            self.wait_ended(failed, "FAILED")
            requests = self.wait_requests(receiver, 2)
            time.sleep(1.5)  # no duplicates of a delivery that was answered 200
            self.assertEqual(len(receiver.requests), 2, [r[0] for r in receiver.requests])
            by_path = {path: (headers, body) for path, headers, body in requests}
            self.assertEqual(set(by_path), {"/hook/done", "/hook/failed?x=1"})
            payload = self.check_signed(*by_path["/hook/done"], secret)
            self.assertEqual({k: payload[k] for k in ("machine", "jobid", "user", "account", "state", "exit_code")},
                             {"machine": "perlmutter", "jobid": done, "user": self.alice, "account": "cbproj",
                              "state": "COMPLETED", "exit_code": "0:0"})
            payload = self.check_signed(*by_path["/hook/failed?x=1"], secret)
            self.assertEqual((payload["jobid"], payload["state"], payload["exit_code"], payload["account"]),
                             (failed, "FAILED", "3:0", "default"))
            ids = {json.loads(b)["delivery_id"] for _, _, b in requests}
            self.assertEqual(len(ids), 2)
        finally:
            receiver.close()

    def test_an_array_is_announced_once_when_its_last_task_ends(self):
        receiver = Receiver()
        try:
            secret = self.secret()
            array = self.submit(script("sleep 0.$SLURM_ARRAY_TASK_ID; exit $SLURM_ARRAY_TASK_ID",
                                       "--array=0-2"),
                                callbackUrl=receiver.url("/array"))
            for task in range(3):
                self.wait_ended(f"{array}_{task}", "COMPLETED" if task == 0 else "FAILED")
            requests = self.wait_requests(receiver, 1)
            time.sleep(1.5)
            self.assertEqual(len(receiver.requests), 1, [r[0] for r in receiver.requests])
            payload = self.check_signed(requests[0][1], requests[0][2], secret)
            self.assertEqual((payload["jobid"], payload["state"]), (array, "FAILED"))
        finally:
            receiver.close()

    def test_retried_while_the_receiver_is_down(self):
        port = free_port()  # nothing listens here yet: connections are refused
        jobid = self.submit(script("true"), callbackUrl=f"http://127.0.0.1:{port}/late")
        self.wait_ended(jobid)
        time.sleep(2.5)  # several attempts fail
        receiver = Receiver(port)
        try:
            requests = self.wait_requests(receiver, 1, timeout=10)
            time.sleep(1.5)
            self.assertEqual(len(receiver.requests), 1, "a delivered callback was sent again")
            path, headers, body = requests[0]
            self.assertEqual(path, "/late")
            payload = self.check_signed(headers, body, self.secret())
            self.assertEqual((payload["jobid"], payload["state"]), (jobid, "COMPLETED"))
        finally:
            receiver.close()

    def test_retried_after_an_error_answer(self):
        receiver = Receiver(answers=[503, 500])
        try:
            jobid = self.submit(script("true"), callbackUrl=receiver.url("/flaky"))
            self.wait_ended(jobid)
            requests = self.wait_requests(receiver, 3, timeout=15)
            time.sleep(1.5)
            self.assertEqual(len(receiver.requests), 3, "not retried until a 2xx, or sent again after it")
            secret = self.secret()
            payloads = [self.check_signed(headers, body, secret) for _, headers, body in requests]
            self.assertEqual(len({p["delivery_id"] for p in payloads}), 1, "a retry is a new delivery")
            self.assertEqual({p["jobid"] for p in payloads}, {jobid})
        finally:
            receiver.close()

    def test_cancelled_job_is_announced(self):
        receiver = Receiver()
        try:
            jobid = self.submit(script("true", "--hold"), callbackUrl=receiver.url("/cancelled"))
            self.assertEqual(self.cancel(jobid)["status"], "ok")
            (_, headers, body), = self.wait_requests(receiver, 1)
            payload = self.check_signed(headers, body, self.secret())
            self.assertEqual((payload["jobid"], payload["state"]), (jobid, "CANCELLED"))
        finally:
            receiver.close()

    def test_gives_up_after_callback_timeout(self):
        port = free_port()
        jobid = self.submit(script("true"), callbackUrl=f"http://127.0.0.1:{port}/never",
                            callbackTimeout=1)
        self.wait_ended(jobid)
        time.sleep(3)  # well past the 1 s the callback may be retried
        receiver = Receiver(port)
        try:
            time.sleep(3)
            self.assertEqual(receiver.requests, [], "a callback was sent after its callbackTimeout")
        finally:
            receiver.close()

    def test_each_client_signs_with_its_own_secret(self):
        receiver = Receiver()
        try:
            self.assertNotEqual(self.secret(self.alice), self.secret(self.bob))
            # sfapid extension: a client reads its own secret over the API, as the CLI prints it.
            for user in (self.alice, self.bob):
                r = self.call("GET", "/compute/callbacks/secret", user)
                self.assertEqual(r.status, 200, r)
                body = r.json()
                self.assertEqual((body["client_id"], body["secret"]), (self.keys[user][1], self.secret(user)))
            green = client_token(self.server, self.alice, "green")
            self.assertEqual(self.call("GET", "/compute/callbacks/secret", token=green).status, 403)
            jobid = self.submit(script("true"), user=self.bob, callbackUrl=receiver.url("/bob"))
            self.wait_ended(jobid)
            (_, headers, body), = self.wait_requests(receiver, 1)
            payload = self.check_signed(headers, body, self.secret(self.bob))
            self.assertEqual(payload["user"], self.bob)
        finally:
            receiver.close()

    def test_callback_email_goes_to_the_outbox(self):
        jobid = self.submit(script("true"), callbackEmail="alice@example.org", callbackTimeout=600)
        self.wait_ended(jobid)
        outbox = os.path.join(self.server.data_dir, "outbox")
        deadline = time.time() + 15
        found = None
        while found is None and time.time() < deadline:
            for name in sorted(os.listdir(outbox)) if os.path.isdir(outbox) else []:
                with open(os.path.join(outbox, name), errors="replace") as f:
                    text = f.read()
                if "To: alice@example.org" in text and re.search(rf"\b{jobid}\b", text):
                    found = text
            time.sleep(0.1)
        self.assertIsNotNone(found, f"no message to alice@example.org about job {jobid} in {outbox}: "
                             f"{os.listdir(outbox) if os.path.isdir(outbox) else 'no folder'}")

    def test_usage_charges_the_account(self):
        jobid = self.submit(script("sleep 1.5", "-A usageproj"))
        self.wait_ended(jobid)
        deadline = time.time() + 10
        out = ""
        while time.time() < deadline:
            out = self.server.cli("usage").stdout
            if "usageproj" in out:
                break
            time.sleep(0.2)
        lines = [line.split() for line in out.splitlines()]
        self.assertIn(["perlmutter", "usageproj", "1"], [words[:3] for words in lines], out)
        only = self.server.cli("usage", "--account", "usageproj").stdout
        self.assertIn("usageproj", only)
        self.assertNotIn(" default ", only)


class MailCommand(ComputeTest):
    """mail_command set: callbackEmail messages go to the command's standard input."""

    users = USERS
    scheduler = {"nodes": 1, "cpus_per_node": 2}

    @classmethod
    def setUpClass(cls):
        cls.mail_dir = tempfile.mkdtemp(prefix="sfapid-mail-")
        cls.extra = ("[callbacks]\nfirst_retry_seconds = 0.2\nmax_retry_seconds = 1\n"
                     f'mail_command = ["/bin/sh", "-c", "cat > {cls.mail_dir}/mail-$$.eml"]\n')
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.mail_dir, ignore_errors=True)

    def test_mail_goes_to_the_command(self):
        jobid = self.submit(script("exit 2"), callbackEmail="bob@example.org")
        self.wait_ended(jobid, "FAILED")
        deadline = time.time() + 15
        messages = []
        while not messages and time.time() < deadline:
            for name in os.listdir(self.mail_dir):
                with open(os.path.join(self.mail_dir, name), errors="replace") as f:
                    text = f.read()
                if "To: bob@example.org" in text:
                    messages.append(text)
            time.sleep(0.1)
        self.assertEqual(len(messages), 1, os.listdir(self.mail_dir))
        self.assertRegex(messages[0], rf"\b{jobid}\b")
        self.assertIn("FAILED", messages[0])
        outbox = os.path.join(self.server.data_dir, "outbox")
        self.assertFalse(os.path.isdir(outbox) and os.listdir(outbox), "mail went to the outbox too")


class BlockedNetworks(ComputeTest):
    """With the default callbacks.blocked_networks, a callback to the server's own loopback (or any
    private network) is never sent: users cannot make sfapid a proxy into its network. Every other
    spelling of loopback, and names resolving to it, are in test_hardening."""

    users = USERS
    scheduler = {"nodes": 1, "cpus_per_node": 2}
    extra = "[callbacks]\nfirst_retry_seconds = 0.2\nmax_retry_seconds = 1\n"

    def test_loopback_callback_is_refused_at_submit(self):
        receiver = Receiver()
        try:
            r = self.post_form("/compute/jobs/perlmutter",
                               [("job", script("true")), ("isPath", "false"),
                                ("callbackUrl", receiver.url("/internal-admin"))])
            self.assertEqual(r.status, 422, r)
            self.assertEqual(r.json()["detail"][0]["loc"], ["body", "callbackUrl"])
            self.assertIn("127.0.0.0/8", r.json()["detail"][0]["msg"])
            self.assertEqual(receiver.requests, [], "a callback reached a blocked network")
        finally:
            receiver.close()

    def test_an_address_of_the_host_in_no_blocked_network_is_refused_too(self):
        # The host's own addresses outside the listed networks (a public one, say; here one of
        # TEST-NET-2 given to the loopback interface for the test) reach services listening on
        # every address, over loopback.
        address = "198.51.100.77"
        subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], check=True)
        receiver = Receiver(bind="0.0.0.0")
        try:
            r = self.post_form("/compute/jobs/perlmutter",
                               [("job", script("true")), ("isPath", "false"),
                                ("callbackUrl", f"http://{address}:{receiver.port}/hook")])
            self.assertEqual(r.status, 422, r)
            self.assertEqual(r.json()["detail"][0]["loc"], ["body", "callbackUrl"])
            self.assertIn(f"{address} is an address of this host", r.json()["detail"][0]["msg"])
            self.assertEqual(receiver.requests, [])
        finally:
            receiver.close()
            subprocess.run(["ip", "addr", "del", f"{address}/32", "dev", "lo"], check=True)
