"""Commands, files and tasks through the real server, as real Unix users (needs root)."""

import base64
import json
import os
import signal
import subprocess
import time
import unittest
import urllib.parse

from harness import PREFIX, ModuleUsers, Server, client_token, upload_form, wait_until

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove


def systems(extra_roots=""):
    return f"""
[[systems]]
name = "perlmutter"
system_type = "compute"

[[systems]]
name = "dtns"
system_type = "filesystem"
roots = [{extra_roots}]

[[systems]]
name = "globus"
system_type = "service"
"""


class UtilitiesTest(unittest.TestCase):
    server_options = ""
    extra = ""
    roots = '"/"'

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.server_options, cls.extra, systems=systems(cls.roots)).start()
        cls.alice = USERS.accounts["alice"]
        cls.bob = USERS.accounts["bob"]
        cls.tokens = {cls.alice: client_token(cls.server, cls.alice),
                      cls.bob: client_token(cls.server, cls.bob)}

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def call(self, method, path, user=None, body=None, headers=None):
        h = {"Authorization": f"Bearer {self.tokens[user or self.alice]}"}
        h.update(headers or {})
        return self.server.request(method, PREFIX + path, body=body, headers=h)

    def command(self, executable, user=None, machine="perlmutter"):
        r = self.call("POST", f"/utilities/command/{machine}", user,
                      body=urllib.parse.urlencode({"executable": executable}).encode(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(set(body), {"task_id", "status", "error"})
        self.assertEqual(body["status"], "OK")
        self.assertIsInstance(body["task_id"], str)
        return body["task_id"]

    def task(self, task_id, user=None):
        r = self.call("GET", f"/tasks/{task_id}", user)
        self.assertEqual(r.status, 200, r)
        t = r.json()
        self.assertEqual(set(t), {"id", "status", "result"})
        return t

    def wait_task(self, task_id, user=None, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.task(task_id, user)
            if t["status"] != "new":
                return t
            time.sleep(0.05)
        self.fail(f"task {task_id} did not end")

    def run_ok(self, executable, user=None):
        t = self.wait_task(self.command(executable, user), user)
        self.assertEqual(t["status"], "completed", t)
        return json.loads(t["result"])

    def upload(self, path, content, user=None, machine="perlmutter", filename="upload"):
        body, content_type = upload_form(content, filename=filename)
        r = self.call("PUT", f"/utilities/upload/{machine}/{path}", user, body=body,
                      headers={"Content-Type": content_type})
        self.assertEqual(r.status, 200, r)
        return r.json()

    def download(self, path, user=None, binary=None, machine="perlmutter"):
        q = "" if binary is None else f"?binary={binary}"
        r = self.call("GET", f"/utilities/download/{machine}/{path}{q}", user)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def ls(self, path, user=None, machine="perlmutter"):
        r = self.call("GET", f"/utilities/ls/{machine}/{path}", user)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(set(body), {"status", "entries", "error"})
        return body


class Commands(UtilitiesTest):
    def test_runs_as_the_user_in_their_home(self):
        result = self.run_ok('echo "$(id -un) $(id -gn) $PWD $HOME"')
        self.assertEqual(result, {"status": "ok", "output":
                                  f"{self.alice} {self.alice} {USERS.home('alice')} {USERS.home('alice')}\n",
                                  "error": "", "exit_code": 0})
        self.assertEqual(self.run_ok("echo hello")["output"], "hello\n")
        # No capability of root survives: the user cannot read root's files or become root.
        r = self.run_ok("cat /etc/shadow; id -u; sudo -n true 2>/dev/null || echo nosudo")
        self.assertIn("Permission denied", r["error"])
        self.assertNotEqual(r["output"].split()[0], "0")

    def test_failing_command_completes_with_status_error(self):
        result = self.run_ok("bash -lc 'echo failing >&2; exit 1'")
        self.assertEqual(result, {"status": "error", "output": "", "error": "failing\n", "exit_code": 1})

    def test_a_long_command_is_answered_when_the_wait_for_its_end_is_over(self):
        # [tasks] wait_for_end_ms is 200 by default: the answer says the wait ran out, and the
        # task runs on.
        r = self.call("POST", "/utilities/command/perlmutter",
                      body=urllib.parse.urlencode({"executable": "sleep 30"}).encode(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("x-sfapid-waited"), "timeout")
        task_id = r.json()["task_id"]
        self.assertEqual(self.task(task_id)["status"], "new")
        self.assertEqual(self.call("DELETE", f"/tasks/{task_id}").status, 200)
        self.assertEqual(self.wait_task(task_id)["status"], "cancelled")

    def test_partial_output_while_running(self):
        task_id = self.command("for i in 1 2 3 4 5; do echo $i; sleep 1; done")
        t = self.wait_for_partial(task_id, "1\n")
        self.assertEqual(t["status"], "new")
        self.assertIsNone(json.loads(t["result"])["exit_code"])
        t = self.wait_task(task_id)
        self.assertEqual(json.loads(t["result"])["output"], "1\n2\n3\n4\n5\n")

    def wait_for_partial(self, task_id, text):
        deadline = time.time() + 4
        while time.time() < deadline:
            t = self.task(task_id)
            if t["result"] and json.loads(t["result"])["output"].startswith(text):
                return t
            time.sleep(0.1)
        self.fail("no partial result seen")

    def test_cancel_kills_the_process_group(self):
        task_id = self.command("sleep 300 & sleep 301; echo never")
        self.wait_for_process("sleep 301")
        r = self.call("DELETE", f"/tasks/{task_id}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "cancelled")
        time.sleep(0.5)
        self.assertEqual(self.task(task_id)["status"], "cancelled")
        for pattern in ["sleep 300", "sleep 301"]:
            self.assertNotEqual(subprocess.run(["pgrep", "-u", self.alice, "-f", pattern]).returncode, 0,
                                f"{pattern} still runs")

    def wait_no_process(self, pattern, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if subprocess.run(["pgrep", "-u", self.alice, "-f", pattern],
                              capture_output=True).returncode != 0:
                return
            time.sleep(0.1)
        self.fail(f"{pattern} still runs as {self.alice}")

    def test_what_a_command_leaves_running_ends_with_it(self):
        # setsid leaves the command's process group, the redirections its output: only the
        # task's cgroup still holds it (as root, with cgroup v2), as a Slurm job's does.
        task_id = self.command("setsid sleep 3031 >/dev/null 2>&1 </dev/null & "
                               "sleep 0.5; echo started")
        t = self.wait_task(task_id)
        self.assertEqual(t["status"], "completed", t)
        self.assertEqual(json.loads(t["result"])["output"], "started\n")
        self.wait_no_process("sleep 3031")

    def test_cancel_ends_what_left_the_process_group(self):
        task_id = self.command("setsid sleep 3032 >/dev/null 2>&1 </dev/null & sleep 3033")
        self.wait_for_process("sleep 3032")
        self.wait_for_process("sleep 3033")
        r = self.call("DELETE", f"/tasks/{task_id}")
        self.assertEqual((r.status, r.json()["status"]), (200, "cancelled"), r)
        self.wait_no_process("sleep 3033")
        self.wait_no_process("sleep 3032")

    def wait_for_process(self, pattern):
        deadline = time.time() + 5
        while time.time() < deadline:
            if subprocess.run(["pgrep", "-u", self.alice, "-f", pattern], capture_output=True).returncode == 0:
                return
            time.sleep(0.05)
        self.fail(f"{pattern} did not start")

    def test_tasks_are_private(self):
        task_id = self.command("true")
        self.wait_task(task_id)
        r = self.call("GET", f"/tasks/{task_id}", user=self.bob)
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json(), {"detail": f"Task {task_id} not found"})
        self.assertEqual(self.call("DELETE", f"/tasks/{task_id}", user=self.bob).status, 404)
        mine = [t["id"] for t in self.call("GET", "/tasks").json()["tasks"]]
        self.assertIn(task_id, mine)
        self.assertNotIn(task_id, [t["id"] for t in self.call("GET", "/tasks", user=self.bob).json()["tasks"]])
        self.assertEqual(self.call("GET", "/tasks/notanumber").status, 404)

    def test_bad_requests(self):
        r = self.call("POST", "/utilities/command/nosuch", body=b"executable=true",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 404)
        self.assertIn("Unknown machine 'nosuch'", r.json()["detail"])
        r = self.call("POST", "/utilities/command/globus", body=b"executable=true",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 400)
        self.assertIn("'globus' is a service resource", r.json()["detail"])
        r = self.call("POST", "/utilities/command/perlmutter", body=b"other=1",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["detail"][0]["loc"], ["body", "executable"])
        r = self.call("POST", "/utilities/command/perlmutter", body=b"executable=%zz",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 422)

    def test_levels(self):
        green = client_token(self.server, self.alice, "green")
        h = {"Authorization": f"Bearer {green}", "Content-Type": "application/x-www-form-urlencoded"}
        r = self.server.request("POST", PREFIX + "/utilities/command/perlmutter", body=b"executable=true", headers=h)
        self.assertEqual(r.status, 403)
        self.assertIn("needs a red client", r.json()["detail"])
        r = self.server.request("GET", PREFIX + f"/utilities/ls/perlmutter/{USERS.home('alice')}", headers=h)
        self.assertEqual(r.status, 200)

    def test_unknown_unix_account_is_403(self):
        token = client_token(self.server, "nosuchaccount")
        r = self.server.request("GET", PREFIX + "/utilities/ls/perlmutter//tmp",
                                headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(r.status, 403)
        self.assertIn("has no Unix account", r.json()["detail"])


class Files(UtilitiesTest):
    def setUp(self):
        self.home = USERS.home("alice")

    def test_ls_directory_file_symlink_and_missing(self):
        self.run_ok("mkdir -p d/sub && echo hi > d/b.txt && echo x > d/a.txt && ln -sfn b.txt d/link")
        listing = self.ls(f"/{self.home}/d")  # the double slash sfapi_client sends
        self.assertEqual(listing["status"], "OK")
        names = [e["name"] for e in listing["entries"]]
        self.assertEqual(names, [".", "..", "a.txt", "b.txt", "link -> b.txt", "sub"])
        entry = listing["entries"][3]
        self.assertEqual(set(entry), {"perms", "hardlinks", "user", "group", "size", "date", "name"})
        self.assertEqual((entry["perms"], entry["user"], entry["size"]), ("-rw-r--r--", self.alice, 3))
        self.assertTrue(listing["entries"][0]["perms"].startswith("d"))
        one = self.ls(f"{self.home}/d/b.txt")["entries"]
        self.assertEqual([e["name"] for e in one], [f"{self.home}/d/b.txt"])
        link = self.ls(f"{self.home}/d/link")["entries"]
        self.assertEqual(len(link), 1)
        self.assertEqual(link[0]["name"], f"{self.home}/d/link -> b.txt")
        self.assertTrue(link[0]["perms"].startswith("l"))
        encoded = urllib.parse.quote(f"{self.home}/d/b.txt", safe="")
        self.assertEqual(self.ls(encoded)["entries"][0]["name"], f"{self.home}/d/b.txt")
        missing = self.ls(f"{self.home}/nope")
        self.assertEqual(missing, {"status": "ERROR", "entries": [], "error":
                                   f"ls: cannot access '{self.home}/nope': No such file or directory"})

    def test_upload_then_download_text_binary_and_empty(self):
        out = self.upload(f"{self.home}/t.txt", "héllo\nwörld\n".encode())
        self.assertEqual(out["status"], "OK")
        self.assertIsNone(out["error"])
        d = self.download(f"{self.home}/t.txt")
        self.assertEqual(d, {"status": "OK", "file": "héllo\nwörld\n", "is_binary": False, "error": None})
        data = os.urandom(70000)
        self.upload(f"{self.home}/r.bin", data)
        for flag in ["true", "True", "1"]:
            d = self.download(f"{self.home}/r.bin", binary=flag)
            self.assertTrue(d["is_binary"])
            self.assertEqual(base64.b64decode(d["file"]), data)
        d = self.download(f"{self.home}/r.bin", binary="false")  # not UTF-8: base64 anyway
        self.assertTrue(d["is_binary"])
        self.assertEqual(base64.b64decode(d["file"]), data)
        self.upload(f"{self.home}/empty", b"")
        self.assertEqual(self.download(f"{self.home}/empty")["file"], "")
        st = os.stat(f"{self.home}/r.bin")
        self.assertEqual((st.st_uid, st.st_size), (int(subprocess.check_output(["id", "-u", self.alice])), 70000))
        r = self.call("GET", f"/utilities/download/perlmutter/{self.home}/t.txt?binary=maybe")
        self.assertEqual(r.status, 422)

    def test_upload_overwrites_and_writes_through_symlinked_folders(self):
        self.run_ok("mkdir -p real && ln -sfn real linked && echo old > real/f && chmod 640 real/f")
        self.upload(f"{self.home}/linked/f", b"new\n")
        with open(f"{self.home}/real/f") as f:
            self.assertEqual(f.read(), "new\n")
        self.assertEqual(oct(os.stat(f"{self.home}/real/f").st_mode & 0o777), "0o640")
        self.assertTrue(os.path.islink(f"{self.home}/linked"))
        self.assertEqual(self.upload(f"{self.home}/nodir/f", b"x")["status"], "ERROR")
        err = self.upload(self.home, b"x")
        self.assertIn("is a directory", err["error"])

    def test_other_users_files_are_refused(self):
        secret = f"{self.home}/secret"
        self.upload(secret, b"alice only\n")
        os.chmod(secret, 0o600)
        bob = self.bob
        d = self.download(secret, user=bob)
        self.assertEqual(d["status"], "ERROR")
        self.assertIn("Permission denied", d["error"])
        u = self.upload(secret, b"bob was here\n", user=bob)
        self.assertEqual(u["status"], "ERROR")
        with open(secret) as f:
            self.assertEqual(f.read(), "alice only\n")
        r = self.run_ok(f"cat {secret}", user=bob)
        self.assertIn("Permission denied", r["error"])
        self.assertEqual(self.download("/etc/shadow")["status"], "ERROR")

    def test_missing_download_and_upload_field(self):
        d = self.download(f"{self.home}/nope")
        self.assertEqual(d["status"], "ERROR")
        self.assertIn("No such file or directory", d["error"])
        r = self.call("PUT", f"/utilities/upload/perlmutter/{self.home}/x", body=b"--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n",
                      headers={"Content-Type": "multipart/form-data; boundary=b"})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["detail"][0]["loc"], ["body", "file"])
        r = self.call("PUT", f"/utilities/upload/perlmutter/{self.home}/x", body=b"garbage",
                      headers={"Content-Type": "multipart/form-data; boundary=b"})
        self.assertEqual(r.status, 422)


class Roots(UtilitiesTest):
    @classmethod
    def setUpClass(cls):
        cls.roots = f'"{USERS.home("alice")}"'
        super().setUpClass()

    def test_paths_outside_the_roots_are_refused(self):
        home = USERS.home("alice")
        self.run_ok(f"mkdir -p in && echo x > in/f && ln -sfn /etc in/out && ln -sfn {home}/in/f in/ok")
        self.assertEqual(self.ls(f"{home}/in", machine="dtns")["status"], "OK")
        self.assertEqual(self.download(f"{home}/in/ok", machine="dtns")["file"], "x\n")
        for path in [f"{home}/../", f"{home}/in/../../{os.path.basename(USERS.home('bob'))}",
                     f"{home}/%2e%2e/%2e%2e/etc", f"{home}/in/out/hostname", "/etc/hostname"]:
            body = self.ls(path, machine="dtns")
            self.assertEqual(body["status"], "ERROR", path)
            self.assertIn("outside the folders this system exposes", body["error"])
        self.assertIn("outside", self.download(f"{home}/in/out/hostname", machine="dtns")["error"])
        self.assertIn("outside", self.upload(f"{home}/in/out/evil", b"x", machine="dtns")["error"])
        self.assertIn("NUL byte", self.ls(f"{home}/in%00/f", machine="dtns")["error"])
        # A worker that refuses a path exits without reading the upload: the server must survive
        # the broken pipe (it once died of SIGPIPE here).
        for path in [f"{home}/in/out/evil2", f"{home}/in%00b"]:
            r = self.upload(path, os.urandom(300 * 1024), machine="dtns")
            self.assertEqual(r["status"], "ERROR")
        self.assertEqual(self.server.get("/healthz").status, 200)
        self.assertIsNone(self.server.proc.poll())
        # perlmutter exposes "/": the same paths are allowed there (Unix permissions decide).
        self.assertEqual(self.ls("/etc/hostname")["status"], "OK")

    def test_a_symlink_flipped_during_requests_never_leads_out_of_the_roots(self):
        # A folder outside the roots that alice may read and write: only the roots keep her out.
        # Her link flips between it and a folder in her home as fast as a process can; the old
        # check-then-open let ~40% of reads through to the outside file.
        home = USERS.home("alice")
        self.run_ok("mkdir -p race-in && echo inside > race-in/secret")
        outside = f"/tmp/sfapid-outside-{os.getpid()}"
        os.makedirs(outside, exist_ok=True)
        os.chmod(outside, 0o777)
        with open(f"{outside}/secret", "w") as f:
            f.write("outside\n")
        os.chmod(f"{outside}/secret", 0o644)
        flipper = subprocess.Popen(["python3", "-c", (
            "import os,sys\n"
            "link, a, b = sys.argv[1:]\n"
            "while True:\n"
            "    for t in (a, b):\n"
            "        try: os.unlink(link + '.next')\n"
            "        except FileNotFoundError: pass\n"
            "        os.symlink(t, link + '.next'); os.replace(link + '.next', link)\n"),
            f"{home}/race", f"{home}/race-in", outside])
        try:
            # Reads take about a millisecond: the flipping must have begun before they do.
            self.assertTrue(wait_until(lambda: os.path.islink(f"{home}/race"), timeout=10))
            # More requests while none went through the inside state yet: on a busy machine the
            # flipper may sit descheduled on the outside one for a while.
            def requests(count, request):
                answers = []
                while len(answers) < count or (not any(a["status"] == "OK" for a in answers)
                                               and len(answers) < 10 * count):
                    answers.append(request())
                return answers
            reads = requests(60, lambda: self.download(f"{home}/race/secret", machine="dtns"))
            writes = requests(30, lambda: self.upload(f"{home}/race/written", b"w", machine="dtns"))
        finally:
            flipper.kill()
            flipper.wait()
        self.assertEqual({r["file"] for r in reads if r["status"] == "OK"}, {"inside\n"})
        self.assertTrue(any(r["status"] == "OK" for r in reads), reads[:3])
        self.assertTrue(any(r["status"] == "OK" for r in writes), writes[:3])
        self.assertEqual(sorted(os.listdir(outside)), ["secret"])
        subprocess.run(["rm", "-rf", outside], check=True)


class AnswerOnceEnded(UtilitiesTest):
    """[tasks] wait_for_end_ms: a request that starts a task answers once the task has ended (or
    the wait is over), so the client's first read of the task finds it done, as sfapi_client's
    read right after its POST does. 10 s here, far above any machine's time for these."""
    extra = "[tasks]\nwait_for_end_ms = 10000\n"

    def post_command(self, executable, headers=None):
        return self.call("POST", "/utilities/command/perlmutter",
                         body=urllib.parse.urlencode({"executable": executable}).encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  **(headers or {})})

    def test_a_short_command_is_done_at_the_first_read(self):
        for i in range(5):
            t = self.task(self.command(f"echo done {i}"))
            self.assertEqual(t["status"], "completed", t)
            self.assertEqual(json.loads(t["result"])["output"], f"done {i}\n")

    def test_a_failed_task_ends_the_wait_too(self):
        t = self.task(self.command("exit 3"))
        self.assertEqual(t["status"], "completed", t)
        self.assertEqual(json.loads(t["result"])["exit_code"], 3)

    def test_the_kept_reply_of_an_idempotency_key_is_the_answer_given(self):
        # The command outlasts the first read, so the answer comes from the wait (header).
        key = {"Idempotency-Key": "answer-once-ended"}
        first = self.post_command("sleep 0.3; echo once", key)
        self.assertEqual(first.status, 200, first)
        self.assertEqual(first.headers.get("x-sfapid-waited"), "changed")
        self.assertEqual(first.headers.get("idempotency-key-reply"), "miss")
        task_id = first.json()["task_id"]
        self.assertEqual(first.json(), {"task_id": task_id, "status": "OK", "error": None})
        again = self.post_command("sleep 0.3; echo once", key)
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.body, first.body)
        self.assertEqual(again.headers["idempotency-key-reply"], "hit")
        self.assertEqual(self.task(task_id)["status"], "completed")


class Limits(UtilitiesTest):
    extra = ("[utilities]\ncommand_timeout_seconds = 1\ncommand_output_max_bytes = 1000\n"
             "upload_max_bytes = 1000\ndownload_max_bytes = 2000\n")

    def test_timeout_and_output_cap(self):
        t = self.wait_task(self.command("echo started; sleep 10"))
        self.assertEqual(t["status"], "failed")
        r = json.loads(t["result"])
        self.assertEqual(r["output"], "started\n")
        self.assertIn("ran longer than 1 seconds and was stopped", r["error"])
        t = self.wait_task(self.command("yes | head -c 100000"))
        self.assertEqual(t["status"], "failed")
        r = json.loads(t["result"])
        self.assertIn("wrote more than 1000 bytes of output", r["error"])
        self.assertLessEqual(len(r["output"]), 1000)

    def test_upload_and_download_limits(self):
        home = USERS.home("alice")
        r = self.upload(f"{home}/big", b"x" * 1001)
        self.assertEqual(r["status"], "ERROR")
        self.assertIn("uploads are limited to 1000 bytes", r["error"])
        self.assertFalse(os.path.exists(f"{home}/big"))
        self.run_ok("head -c 3000 /dev/zero > big2")
        d = self.download(f"{home}/big2")
        self.assertEqual(d["status"], "ERROR")
        self.assertIn("downloads are limited to 2000 bytes", d["error"])
        # Beyond the route's body limit the server refuses before reading.
        r = self.call("PUT", f"/utilities/upload/perlmutter/{home}/big3", body=b"x" * 100000,
                      headers={"Content-Type": "multipart/form-data; boundary=b"})
        self.assertEqual(r.status, 413)


class Restart(unittest.TestCase):
    def test_running_tasks_fail_after_a_crash_and_on_stop(self):
        alice = USERS.accounts["alice"]
        for how in [signal.SIGKILL, signal.SIGTERM]:
            # On SIGTERM a running task has the grace period to finish; this one would not.
            server = Server("shutdown_grace_seconds = 1", systems=systems('"/"'))
            server.start()
            try:
                token = client_token(server, alice)
                h = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"}
                r = server.request("POST", PREFIX + "/utilities/command/perlmutter",
                                   body=b"executable=echo+begun%3B+sleep+60", headers=h)
                task_id = r.json()["task_id"]
                time.sleep(0.8)
                server.stop(how)
                subprocess.run(["pkill", "-KILL", "-u", alice, "-f", "sleep 60"])
                server.proc = None
                server.start()
                # A new port is a new issuer: the old token is not valid any more.
                h["Authorization"] = f"Bearer {client_token(server, alice)}"
                t = server.request("GET", PREFIX + f"/tasks/{task_id}", headers=h).json()
                self.assertEqual(t["status"], "failed", how)
                expected = "sfapid restarted while this task ran" if how == signal.SIGKILL else \
                    "sfapid stopped while this task ran"
                self.assertIn(expected, json.loads(t["result"])["error"])
            finally:
                server.cleanup()


if __name__ == "__main__":
    unittest.main()
