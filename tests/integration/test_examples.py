"""Every workflow in examples/ (Python on httpx + authlib, and bash on curl) runs as a user would
run it, against the real server with the embedded default's project setup, as a real Unix user
(needs root), and does what it says: its exit code and what it prints are checked, and so are
the files it leaves on the system."""

import hashlib
import json
import os
import re
import subprocess
import tempfile
import unittest
from datetime import datetime, timedelta, timezone

from harness import DEFAULT_SYSTEMS, PREFIX, ModuleUsers, Server, client_key, fetch_token

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "examples")
USERS = ModuleUsers("ada")
setUpModule = USERS.create
tearDownModule = USERS.remove

# As the embedded default: a project "default" that every user given a client joins.
PROJECT = """
[[projects]]
repo_name = "default"
cpu_hours = 100000
pis = ["$USER"]
admit_client_users = true
"""


class ExampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra=PROJECT, systems=DEFAULT_SYSTEMS).start()
        cls.user = USERS.accounts["ada"]
        # A key file as make run hands out: red, so every example (commands too) may run.
        cls.key, cls.client_id = client_key(cls.server, cls.user, "red")
        os.chmod(cls.key, 0o600)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def folder(self, name):
        """An empty folder of the user's, for SFAPI_DIR."""
        path = os.path.join(USERS.home("ada"), name)
        subprocess.run(["su", "-s", "/bin/bash", "-c", f"mkdir -p {path}", self.user], check=True,
                       cwd="/")
        return path

    def run_example(self, kind, name, *args, sfapi_dir=None, expect=0):
        program = os.path.join(EXAMPLES, kind, name + (".py" if kind == "python" else ".sh"))
        command = ["/usr/bin/python3", program] if kind == "python" else [program]
        env = dict(os.environ, SFAPI_KEY=self.key, SFAPI_POLL_SECONDS="0.2",
                   SFAPI_URL=f"http://127.0.0.1:{self.server.port}/api/v1.2")
        if sfapi_dir:
            env["SFAPI_DIR"] = sfapi_dir
        r = subprocess.run(command + list(args), capture_output=True, text=True, env=env,
                           timeout=120, cwd="/")
        if expect is not None:
            self.assertEqual(r.returncode, expect,
                             f"{kind}/{name} exited {r.returncode}\nstdout:\n{r.stdout}\n"
                             f"stderr:\n{r.stderr}\nsfapid log:\n"
                             + "\n".join(self.server.read_log().splitlines()[-10:]))
        return r.stdout

    def each(self):
        return [("python",), ("bash",)]

    def test_check_status(self):
        for (kind,) in self.each():
            with self.subTest(kind):
                out = self.run_example(kind, "check_status", "2")
                self.assertIn("perlmutter is active", out)
                self.assertIn("good to submit a 2 h job", out)
        # An outage in an hour: a 2 h job should wait.
        start = datetime.now(timezone.utc) + timedelta(hours=1)
        added = self.server.cli("outage", "add", "perlmutter", "--start", start.isoformat(),
                                "--end", (start + timedelta(hours=4)).isoformat(),
                                "--description", "Maintenance").stdout
        outage_id = re.search(r"outage (\d+) added", added).group(1)
        try:
            for (kind,) in self.each():
                with self.subTest(kind, outage=True):
                    out = self.wait_for_outage(kind)
                    self.assertIn("planned: Maintenance from ", out)
                    self.assertIn("not a good time for a 2 h job", out)
        finally:
            self.server.cli("outage", "remove", outage_id)

    def wait_for_outage(self, kind):
        """The example's output once the server serves the new outage (it refreshes in 0.1 s);
        it must then exit 1."""
        for _ in range(50):
            out = self.run_example(kind, "check_status", "2", expect=None)
            if "planned:" in out:
                self.assertIn("not a good time", out)
                return self.run_example(kind, "check_status", "2", expect=1)
        self.fail("the planned outage never showed")

    def test_submit_and_wait(self):
        for (kind,) in self.each():
            with self.subTest(kind):
                out = self.run_example(kind, "submit_and_wait")
                jobid = re.search(r"submitted job (\d+)", out).group(1)
                self.assertIn(f"job {jobid} ended COMPLETED (exit code 0:0); it printed:", out)
                self.assertIn(f"hello from {os.uname().nodename}, job {jobid}", out)
                self.assertTrue(os.path.exists(f"{USERS.home('ada')}/slurm-{jobid}.out"))

    def test_upload_run_download(self):
        for (kind,) in self.each():
            with self.subTest(kind):
                folder = self.folder(f"urd-{kind}")
                out = self.run_example(kind, "upload_run_download", sfapi_dir=folder)
                jobid = re.search(r"submitted job (\d+)", out).group(1)
                self.assertRegex(out, r"\[(RUNNING|COMPLETED)\] added 3")
                self.assertIn(f"job {jobid} ended COMPLETED; sum.txt says 6", out)
                with open(f"{folder}/sum.txt") as f:
                    self.assertEqual(f.read(), "6\n")
                self.assertEqual(os.stat(f"{folder}/sum.txt").st_uid,
                                 int(subprocess.check_output(["id", "-u", self.user])))

    def test_dependent_jobs(self):
        for (kind,) in self.each():
            with self.subTest(kind):
                out = self.run_example(kind, "dependent_jobs")
                ids = [re.search(rf"{step}: job (\d+)", out).group(1)
                       for step in ("prepare", "simulate", "analyse")]
                times = []
                for step, jobid in zip(("prepare", "simulate", "analyse"), ids):
                    m = re.search(rf"{step}: job {jobid} COMPLETED, started (\S+), ended (\S+)", out)
                    self.assertIsNotNone(m, out)
                    times.append((m.group(1), m.group(2)))
                # Each started no earlier than the one before it ended.
                self.assertLessEqual(times[0][1], times[1][0])
                self.assertLessEqual(times[1][1], times[2][0])

    def test_job_array(self):
        for (kind,) in self.each():
            with self.subTest(kind):
                out = self.run_example(kind, "job_array")
                jobid = re.search(r"submitted array (\d+)", out).group(1)
                for task in range(4):
                    self.assertIn(f"{jobid}_{task} COMPLETED: task {task} of array {jobid}: "
                                  f"parameter {task * 10}", out)

    def test_transfer(self):
        for (kind,) in self.each():
            with self.subTest(kind):
                folder = self.folder(f"transfer-{kind}")
                out = self.run_example(kind, "transfer", sfapi_dir=folder)
                self.assertIn("transfer SUCCEEDED: 19 bytes", out)
                with open(f"{folder}/archive/results.csv") as f:
                    self.assertEqual(f.read(), "step,energy\n1,-3.5\n")

    def test_large_file_upload_and_download_resume(self):
        """Python only (the bash side is curl -C -, shown in docs/large-files.md)."""
        local = tempfile.mkdtemp()
        self.addCleanup(subprocess.run, ["rm", "-rf", local])
        data = os.urandom(20 * 1024 * 1024 + 12345)  # two whole 8 MiB chunks and a short one
        source = os.path.join(local, "big.bin")
        with open(source, "wb") as f:
            f.write(data)
        remote = os.path.join(self.folder("large"), "big.bin")
        token = {"Authorization": f"Bearer {fetch_token(self.server, self.key)}"}
        # An upload cut after its first chunk: the example finds it and sends the rest.
        r = self.server.request("POST", PREFIX + "/utilities/uploads", headers=token, body=json.dumps(
            {"machine": "perlmutter", "path": remote, "size": len(data)}).encode())
        self.assertEqual(r.status, 201, r)
        upload_id = r.json()["upload_id"]
        r = self.server.request("PUT", f"{PREFIX}/utilities/uploads/{upload_id}?offset=0",
                                headers=token, body=data[:8 << 20])
        self.assertEqual(r.status, 200, r)
        with open(source + ".upload-id", "w") as f:
            f.write(upload_id)
        out = self.run_example("python", "large_file", "upload", source, remote)
        self.assertIn(f"uploaded {remote}: {len(data)} bytes ({len(data) - (8 << 20)} sent this "
                      f"time), sha256 {hashlib.sha256(data).hexdigest()}", out)
        with open(remote, "rb") as f:
            self.assertEqual(f.read(), data)
        self.assertFalse(os.path.exists(source + ".upload-id"))
        # A download cut after 5 MiB continues from there.
        target = os.path.join(local, "back.bin")
        with open(target, "wb") as f:
            f.write(data[:5 << 20])
        etag = self.server.request("HEAD", f"{PREFIX}/utilities/files/perlmutter{remote}",
                                   headers=token).headers["etag"]
        with open(target + ".etag", "w") as f:
            f.write(etag)
        out = self.run_example("python", "large_file", "download", remote, target)
        self.assertIn(f"downloaded {remote} to {target}: {len(data)} bytes "
                      f"({len(data) - (5 << 20)} fetched this time)", out)
        with open(target, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), hashlib.sha256(data).hexdigest())

    def test_watch_job_with_the_event_stream(self):
        """Python only: the stream is an sfapid extension the bash examples leave out."""
        out = self.run_example("python", "watch_job", "sleep 1; echo done")
        jobid = re.search(r"submitted job (\d+)", out).group(1)
        self.assertEqual([line for line in out.splitlines() if line.startswith("job ")],
                         [f"job {jobid} PENDING", f"job {jobid} RUNNING",
                          f"job {jobid} COMPLETED (exit code 0:0)"])

    def test_project_hours(self):
        for (kind,) in self.each():
            with self.subTest(kind):
                out = self.run_example(kind, "project_hours")
                self.assertIn(f"projects of {self.user}:", out)
                # The client made the user a member of "default" (admit_client_users).
                self.assertRegex(out, r"  default: [0-9.]+ of 100000 node-hours left")


if __name__ == "__main__":
    unittest.main()
