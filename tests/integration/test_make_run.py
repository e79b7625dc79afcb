"""`make run` (scripts/run) as a newcomer meets it: the banner it prints is parsed and every
command in it is run as printed, in order, and must do what it says. As root (needs root) the
calls act as a demo account that scripts/run makes and --remove-demo removes; as another user,
as that user. A busy port stops it before anything is made or printed."""

import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from harness import SFAPID, UnixUsers

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RUN = os.path.join(ROOT, "scripts", "run")


def free_port():
    # scripts/run prints its URLs before the server starts, so it needs a real port, not 0.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login_defs(key, default):
    with open("/etc/login.defs") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0] == key:
                return int(parts[1])
    return default


class Banner:
    """The blocks of the banner: heading line -> the indented lines under it."""

    def __init__(self, text):
        self.text = text
        self.blocks = {}
        heading = None
        for line in text.splitlines():
            if line.startswith("  ") and not line.startswith("    ") and line.strip():
                heading = line.strip()
                self.blocks[heading] = []
            elif line.startswith("    ") and heading:
                self.blocks[heading].append(line[4:])

    def block(self, starts):
        [key] = [k for k in self.blocks if k.startswith(starts)]
        return self.blocks[key]

    def commands(self, starts):
        """Shell commands of a block, a line ending in a backslash joined to the next."""
        commands, pending = [], ""
        for line in self.block(starts):
            pending += line + "\n"
            if not line.endswith("\\"):
                commands.append(pending)
                pending = ""
        return commands


class MakeRun(unittest.TestCase):
    user = None  # None: as root; otherwise the Unix account scripts/run runs as

    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root (a demo account, or switching to a test user)")
        self.tmp = tempfile.mkdtemp(prefix="sfapid-makerun-")
        os.chmod(self.tmp, 0o755)
        self.demo = "sfdemo" + os.urandom(3).hex()
        self.port = free_port()
        self.proc = None
        self.log = open(os.path.join(self.tmp, "serve.log"), "w+")

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(15)
        self.log.close()
        # A failed test must not leave its demo account behind.
        if subprocess.run(["id", self.demo], capture_output=True).returncode == 0:
            subprocess.run(["pkill", "-KILL", "-u", self.demo], capture_output=True)
            subprocess.run(["userdel", "-r", self.demo], capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def env(self, home):
        # HOME decides the data_dir of the embedded default (~/.local/share/sfapid).
        return dict(os.environ, HOME=home, SFAPID_DEMO_USER=self.demo, PYTHONDONTWRITEBYTECODE="1")

    def prefix(self):
        return [] if self.user is None else ["setpriv", f"--reuid={self.user.pw_uid}",
                                             f"--regid={self.user.pw_gid}", "--init-groups"]

    def start(self, home):
        """Runs scripts/run until its banner is out and the server answers; the banner."""
        self.proc = subprocess.Popen(self.prefix() + [RUN, SFAPID, "--port", str(self.port)],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True,
                                     env=self.env(home), cwd=home)
        lines = []
        for line in self.proc.stdout:
            lines.append(line)
            if "Stop with Ctrl-C." in line:
                break
        else:
            self.fail("no banner:\n" + "".join(lines) + self.read_log())
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=2)
                return Banner("".join(lines))
            except OSError:
                time.sleep(0.1)
        self.fail("the server did not answer:\n" + self.read_log())

    def read_log(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def shell(self, commands, home):
        """Runs the commands as pasted into one interactive bash, each after the one before
        (with a person's pause between them); returns the output of each."""
        outputs = []
        marker = "@@sfapid-test@@"
        script = "".join(f"{c}echo {marker}\nsleep 0.5\n" for c in commands)
        r = subprocess.run(self.prefix() + ["bash", "-c", script], capture_output=True, text=True,
                           env=self.env(home), cwd=home, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("error", r.stderr.lower(), r.stderr)
        outputs = r.stdout.split(marker + "\n")[:-1]
        self.assertEqual(len(outputs), len(commands), r.stdout)
        return outputs

    def check_session(self, banner, api_user, home):
        base = f"http://127.0.0.1:{self.port}/api/v1.2"
        self.assertIn(f"API base URL:   {base}/", banner.text)
        self.assertIn(f"Token endpoint: http://127.0.0.1:{self.port}/oauth2/token", banner.text)
        key = re.search(r"Your API client \(red, for user (\S+)\): (\S+)", banner.text)
        self.assertEqual(key.group(1), api_user)
        key = key.group(2)
        self.assertEqual(os.path.dirname(key), f"{home}/.superfacility")
        st = os.stat(key)
        self.assertEqual((pwd.getpwuid(st.st_uid).pw_name, st.st_mode & 0o777), (api_user, 0o600))

        # The profile page's one-time link signs this user in, once.
        link = re.search(r"sign-in\n  link works once.*\n    (\S+)\n", banner.text)
        self.assertIsNotNone(link, banner.text)
        m = re.fullmatch(rf"http://127\.0\.0\.1:{self.port}/#link=([A-Za-z0-9_-]+)", link.group(1))
        self.assertIsNotNone(m, link.group(1))
        self.assertIn(f"The public status page: http://127.0.0.1:{self.port}/status", banner.text)
        for expected in [200, 401]:
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/web/api/sign-in/link", method="POST",
                data=json.dumps({"link": m.group(1)}).encode(),
                headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=10) as reply:
                    status, body = reply.status, json.loads(reply.read())
            except urllib.error.HTTPError as e:
                status, body = e.code, json.loads(e.read())
            self.assertEqual(status, expected, body)
            if status == 200:
                self.assertEqual((body["user"], body["stage"]), (api_user, "signed_in"))

        # The curl lines, as printed and in order.
        commands = banner.commands("Try it with curl")
        self.assertEqual(len(commands), 5, commands)
        status, token, account, submit, jobs = self.shell(commands, home)
        self.assertEqual(json.loads(status)["name"], "perlmutter")
        self.assertEqual(token, "")
        self.assertEqual(json.loads(account)["name"], api_user)
        self.assertEqual(json.loads(account)["uid"], pwd.getpwnam(api_user).pw_uid)
        task = json.loads(submit)
        self.assertEqual((task["status"], task["error"]), ("OK", None), task)
        rows = json.loads(jobs)["output"]
        self.assertEqual([r["user"] for r in rows], [api_user], rows)
        jobid = rows[0]["jobid"]
        out = f"{home}/slurm-{jobid}.out"
        self.wait_file(out)
        with open(out) as f:
            self.assertEqual(f.read(), os.uname().nodename + "\n")
        self.assertEqual(pwd.getpwuid(os.stat(out).st_uid).pw_name, api_user)

        # The first examples, as printed.
        for command in banner.commands("Then a first example"):
            r = subprocess.run(self.prefix() + ["bash", "-c", command], capture_output=True,
                               text=True, env=self.env(home), cwd=home, timeout=120)
            self.assertEqual(r.returncode, 0, f"{command}\n{r.stdout}\n{r.stderr}")
            self.assertRegex(r.stdout, r"job \d+ ended COMPLETED \(exit code 0:0\); it printed:")

        # The sfapi_client lines are Python; sfapi_client itself is not installable here.
        code = "\n".join(banner.block("With sfapi_client"))
        compile(code, "banner", "exec")
        self.assertIn(f'key="{key}"', code)

    def wait_file(self, path, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(path) and os.path.getsize(path):
                return
            time.sleep(0.1)
        self.fail(f"{path} did not appear\n" + self.read_log())


class AsRoot(MakeRun):
    def test_banner_commands_work_as_printed_through_a_demo_account(self):
        banner = self.start(self.tmp)
        # An ordinary login account: a uid from UID_MIN up, a home, bash.
        pw = pwd.getpwnam(self.demo)
        self.assertGreaterEqual(pw.pw_uid, login_defs("UID_MIN", 1000))
        self.assertLessEqual(pw.pw_uid, login_defs("UID_MAX", 60000))
        self.assertEqual(pw.pw_shell, "/bin/bash")
        self.assertTrue(os.path.isdir(pw.pw_dir))
        self.assertIn(f"You are root, and sfapid never acts as root. The calls below act as the "
                      f"demo account\n  {self.demo} (uid {pw.pw_uid}, home {pw.pw_dir})",
                      banner.text)
        self.check_session(banner, self.demo, pw.pw_dir)

        # A second run reuses the account and the client.
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(15)
        again = self.start(self.tmp)
        key = re.compile(r"Your API client .*: (\S+)")
        self.assertEqual(key.search(again.text).group(1), key.search(banner.text).group(1))
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(15)

        # The removal it prints, as printed (the make target's other spelling).
        [remove] = re.findall(r"\(or: (.*--remove-demo)\)", banner.text)
        r = subprocess.run(["bash", "-c", remove], capture_output=True, text=True,
                           env=self.env(self.tmp), timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"removed the demo account {self.demo}", r.stdout)
        self.assertNotEqual(subprocess.run(["id", self.demo], capture_output=True).returncode, 0)
        self.assertFalse(os.path.exists(pw.pw_dir))

    def test_busy_port_stops_it_before_the_banner(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", self.port))
            busy.listen()
            r = subprocess.run([RUN, SFAPID, "--port", str(self.port)], capture_output=True,
                               text=True, env=self.env(self.tmp), timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertIn(f"cannot listen on 127.0.0.1 port {self.port}: Address already in use",
                      r.stderr)
        self.assertIn("pick another port: make run PORT=8081", r.stderr)
        # Nothing was made: no demo account.
        self.assertNotEqual(subprocess.run(["id", self.demo], capture_output=True).returncode, 0)

    def test_someone_elses_account_of_that_name_is_left_alone(self):
        subprocess.run(["useradd", "-m", "-s", "/bin/bash", self.demo], check=True)
        r = subprocess.run([RUN, SFAPID, "--port", str(self.port)], capture_output=True,
                           text=True, env=self.env(self.tmp), timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"a user '{self.demo}' exists that scripts/run did not make", r.stderr)
        r = subprocess.run([RUN, SFAPID, "--remove-demo"], capture_output=True, text=True,
                           env=self.env(self.tmp), timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(subprocess.run(["id", self.demo], capture_output=True).returncode, 0)


class AsAUser(MakeRun):
    """As any user but root nothing of the demo happens: the client is the user's own."""

    def setUp(self):
        super().setUp()
        self.users = UnixUsers("carol")
        self.user = pwd.getpwnam(self.users.accounts["carol"])

    def tearDown(self):
        super().tearDown()
        self.users.remove()

    def test_banner_commands_work_as_printed(self):
        home = self.users.home("carol")
        banner = self.start(home)
        self.assertNotIn("demo", banner.text)
        self.check_session(banner, self.user.pw_name, home)
        self.assertNotEqual(subprocess.run(["id", self.demo], capture_output=True).returncode, 0)


if __name__ == "__main__":
    unittest.main()
