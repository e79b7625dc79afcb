"""Idempotency-Key on the SFAPI routes that create things (an sfapid extension; NERSC's client
retries POSTs after timeouts and 5xx): the same request again gets the first reply and runs
nothing; another request with the key is 422; duplicates sent at once run once; a restart in
between changes nothing; a rebuilt upload (new multipart boundary) is the same request; the
OpenAPI document names the header. Runs on SQLite and, through tests/run-on-postgres, PostgreSQL."""

import concurrent.futures
import urllib.parse
import uuid

from compute_helpers import FORM, ComputeTest, script
from harness import PREFIX, ModuleUsers, client_token

USERS = ModuleUsers("alice", "bob")


def setUpModule():
    USERS.create()


def tearDownModule():
    USERS.remove()


class IdempotencyKey(ComputeTest):
    users = USERS

    def post(self, path, fields, key, user=None, token=None):
        headers = dict(FORM, **({"Idempotency-Key": key} if key else {}))
        return self.call("POST", path, user, body=urllib.parse.urlencode(fields).encode(),
                         headers=headers, token=token)

    def submit_with(self, key, job, user=None):
        return self.post("/compute/jobs/perlmutter", [("job", job), ("isPath", "false")], key, user)

    def my_jobs(self, name):
        return [r for r in self.jobs(user=self.alice) if r["name"] == name]

    def test_a_resent_submission_runs_once_and_gets_the_first_reply(self):
        key, job = str(uuid.uuid4()), script("sleep 300", "--hold", "-J idem-once")
        first = self.submit_with(key, job)
        self.assertEqual((first.status, first.headers.get("idempotency-key-reply")), (200, "miss"))
        task_id = first.json()["task_id"]
        jobid = self.wait_task(task_id)["jobid"]
        again = self.submit_with(key, job)
        self.assertEqual((again.status, again.headers.get("idempotency-key-reply")), (200, "hit"))
        self.assertEqual(again.json(), first.json())
        self.assertEqual([r["jobid"] for r in self.my_jobs("idem-once")], [jobid])
        self.cancel(jobid)

    def test_another_request_with_the_key_is_refused_and_changes_nothing(self):
        key = str(uuid.uuid4())
        first = self.submit_with(key, script("true", "--hold", "-J idem-a"))
        self.wait_task(first.json()["task_id"])
        other = self.submit_with(key, script("true", "--hold", "-J idem-b"))
        self.assertEqual(other.status, 422)
        self.assertEqual(other.json(), {"detail": [{
            "loc": ["header", "Idempotency-Key"],
            "msg": "this Idempotency-Key was already used for a different request (method, path "
                   "or body); use a new key for a new request",
            "type": "value_error"}]})
        self.assertEqual(self.my_jobs("idem-b"), [])
        # Keys are per user: bob's request with alice's key is his own.
        bob = self.submit_with(key, script("true", "--hold", "-J idem-bob"), user="bob")
        self.assertEqual((bob.status, bob.headers.get("idempotency-key-reply")), (200, "miss"))
        for r in self.my_jobs("idem-a"):
            self.cancel(r["jobid"])
        self.cancel(self.wait_task(bob.json()["task_id"], user="bob")["jobid"], user="bob")

    def test_duplicates_sent_at_once_run_once(self):
        key, job = str(uuid.uuid4()), script("true", "--hold", "-J idem-race")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            replies = list(pool.map(lambda _: self.submit_with(key, job), range(8)))
        ok = [r for r in replies if r.status == 200]
        self.assertEqual([r.headers.get("idempotency-key-reply") for r in ok].count("miss"), 1)
        self.assertEqual(len({r.json()["task_id"] for r in ok}), 1)
        for r in replies:
            if r.status != 200:  # still running: come back shortly
                self.assertEqual((r.status, r.headers.get("retry-after")), (409, "2"), r)
                self.assertEqual(r.json(), {"detail": "a request with this Idempotency-Key is "
                                                      "still being processed; retry shortly"})
        jobid = self.wait_task(ok[0].json()["task_id"])["jobid"]
        self.assertEqual([r["jobid"] for r in self.my_jobs("idem-race")], [jobid])
        self.cancel(jobid)

    def test_a_restart_in_between_changes_nothing(self):
        key, job = str(uuid.uuid4()), script("true", "--hold", "-J idem-restart")
        first = self.submit_with(key, job)
        jobid = self.wait_task(first.json()["task_id"])["jobid"]
        self.server.stop()
        self.server.start()
        self.refresh_tokens()
        again = self.submit_with(key, job)
        self.assertEqual((again.json(), again.headers.get("idempotency-key-reply")),
                         (first.json(), "hit"))
        self.assertEqual([r["jobid"] for r in self.my_jobs("idem-restart")], [jobid])
        self.cancel(jobid)

    def test_commands_and_rebuilt_uploads(self):
        key = str(uuid.uuid4())
        fields = [("executable", "echo once")]
        red = client_token(self.server, self.alice, "red")  # commands need a red client
        first = self.post("/utilities/command/perlmutter", fields, key, token=red)
        again = self.post("/utilities/command/perlmutter", fields, key, token=red)
        self.assertEqual(first.status, 200, first)
        self.assertEqual(again.json(), first.json())
        self.assertEqual(again.headers.get("idempotency-key-reply"), "hit")
        path = f"{self.home()}/idem-upload.txt"
        replies = []
        for boundary in ("firstboundary1", "secondboundary2"):  # a client that rebuilds the body
            body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                    f"filename=\"f\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
                    f"--{boundary}--\r\n").encode()
            replies.append(self.call("PUT", f"/utilities/upload/perlmutter/{path}", body=body,
                                     headers={"Content-Type":
                                              f"multipart/form-data; boundary={boundary}",
                                              "Idempotency-Key": key}))
        self.assertEqual([r.headers.get("idempotency-key-reply") for r in replies], ["miss", "hit"])
        self.assertEqual(replies[1].json(), replies[0].json())

    def test_bad_keys_are_refused_and_no_key_runs_as_ever(self):
        r = self.submit_with("k" * 256, script("true", "--hold"))
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["detail"][0]["loc"], ["header", "Idempotency-Key"])
        plain = [self.submit_with(None, script("true", "--hold", "-J idem-none")) for _ in range(2)]
        self.assertNotIn("idempotency-key-reply", plain[0].headers)
        self.assertNotEqual(plain[0].json(), plain[1].json())
        for p in plain:
            self.cancel(self.wait_task(p.json()["task_id"])["jobid"])

    def test_the_openapi_document_names_the_header_on_creating_routes(self):
        doc = self.server.get(PREFIX + "/openapi.json").json()
        with_key = sorted(f"{m.upper()} {p}" for p, ops in doc["paths"].items()
                          for m, op in ops.items()
                          if any(q.get("name") == "Idempotency-Key" for q in op.get("parameters", [])))
        self.assertEqual(with_key, sorted([
            "POST /compute/jobs/{machine}", "POST /compute/reservations/{machine}",
            "PUT /utilities/upload/{machine}/{path}", "POST /utilities/command/{machine}",
            "POST /storage/globus/transfer", "POST /utilities/uploads"]))
