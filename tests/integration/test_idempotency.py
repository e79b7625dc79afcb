"""Idempotency-Key on the SFAPI routes that create things (an sfapid extension; NERSC's client
retries POSTs after timeouts and 5xx): the same request again gets the first reply and runs
nothing; another request with the key is 422; duplicates sent at once run once; a restart in
between changes nothing; a rebuilt upload (new multipart boundary) is the same request; the
OpenAPI document names the header. Runs on SQLite and, through tests/run-on-postgres, PostgreSQL."""

import concurrent.futures
import signal
import subprocess
import urllib.parse
import uuid

from compute_helpers import FORM, ComputeTest, script
from harness import PREFIX, ModuleUsers, client_token, upload_form, wait_until

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
            body, content_type = upload_form(b"hello", boundary, "f", "text/plain")
            replies.append(self.call("PUT", f"/utilities/upload/perlmutter/{path}", body=body,
                                     headers={"Content-Type": content_type,
                                              "Idempotency-Key": key}))
        self.assertEqual([r.headers.get("idempotency-key-reply") for r in replies], ["miss", "hit"])
        self.assertEqual(replies[1].json(), replies[0].json())

    def test_a_retry_after_a_crash_between_effect_and_reply_gets_the_same_task(self):
        key = str(uuid.uuid4())
        marks = f"{self.home()}/idem-crash-marks.txt"
        fields = [("executable", f"echo ran >> {marks}")]
        red = client_token(self.server, self.alice, "red")
        first = self.post("/utilities/command/perlmutter", fields, key, token=red)
        self.assertEqual(first.status, 200, first)
        self.wait_task(first.json()["task_id"])
        self.interrupt_keyed_request(self.alice, "POST /api/v1.2/utilities/command/{machine}", key)
        red = client_token(self.server, self.alice, "red")
        retry = self.post("/utilities/command/perlmutter", fields, key, token=red)
        # Run again under the first try's token: it finds that try's task, not a new one.
        self.assertEqual((retry.status, retry.headers.get("idempotency-key-reply")), (200, "miss"))
        self.assertEqual(retry.json(), first.json())
        self.assertEqual(self.wait_task(retry.json()["task_id"])["status"], "ok")
        with open(marks) as f:
            self.assertEqual(f.read(), "ran\n")  # the command ran once
        again = self.post("/utilities/command/perlmutter", fields, key, token=red)
        self.assertEqual((again.json(), again.headers.get("idempotency-key-reply")),
                         (first.json(), "hit"))
        # The same for a job submission: one job.
        key, job = str(uuid.uuid4()), script("sleep 300", "--hold", "-J idem-crash")
        first = self.submit_with(key, job)
        jobid = self.wait_task(first.json()["task_id"])["jobid"]
        self.interrupt_keyed_request(self.alice, "POST /api/v1.2/compute/jobs/{machine}", key)
        retry = self.submit_with(key, job)
        self.assertEqual(retry.json(), first.json())
        self.assertEqual([r["jobid"] for r in self.my_jobs("idem-crash")], [jobid])
        self.cancel(jobid)

    def test_a_submission_queued_at_a_crash_runs_after_the_restart(self):
        """A task accepted but not yet started when sfapid died runs when it comes back, once,
        under its first task id (its request is kept with it)."""
        marks = f"{self.home()}/queued-marks.txt"
        red = client_token(self.server, self.alice, "red")
        # More commands than alice may run at once ([tasks] max_running_per_user): some queue.
        # Each answer comes [tasks] wait_for_end_ms (200 ms) after its POST (none ends that
        # soon): the first two must still run when the last is posted.
        ids = []
        for i in range(12):
            r = self.post("/utilities/command/perlmutter",
                          [("executable", f"sleep 6 && echo {i} >> {marks}")], None, token=red)
            self.assertEqual(r.status, 200, r)
            ids.append(r.json()["task_id"])
        self.server.stop(signal.SIGKILL)
        subprocess.run(["pkill", "-KILL", "-u", self.alice, "-f", "sleep 6"])
        queued = [t for (t,) in self.server.query(
            "SELECT id FROM tasks WHERE status = 'new' AND checkpoint = '' AND request != ''")]
        self.assertTrue(queued, "no task was still queued at the kill")
        self.server.start()
        self.refresh_tokens()
        for task_id in ids:
            self.assertTrue(wait_until(lambda: self.task(task_id)["status"] != "new", timeout=60))
        ends = {t: self.task(t) for t in ids}
        for t in queued:
            self.assertEqual(ends[t]["status"], "completed", ends[t])
        started = [t for t in ids if t not in queued]
        for t in started:  # these had begun: they end failed, saying so, and never run twice
            self.assertEqual(ends[t]["status"], "failed", ends[t])
            self.assertIn("sfapid restarted while this task ran", ends[t]["result"])
        with open(marks) as f:
            lines = sorted(int(x) for x in f.read().split())
        self.assertEqual(lines, sorted(ids.index(t) for t in queued))

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
