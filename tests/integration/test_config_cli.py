"""`sfapid config default|check` and how a bad configuration stops the server with a message
that names the key and its line."""

import os
import subprocess
import tempfile
import unittest

from harness import SFAPID


def run(*args, env=None):
    return subprocess.run([SFAPID, *args], capture_output=True, text=True, timeout=30, env=env)


class ConfigCommands(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def write(self, text):
        path = os.path.join(self.dir.name, "c.toml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def check_fails(self, text, expected):
        path = self.write(text)
        r = run("config", "check", path)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertEqual(r.stderr.strip(), f"sfapid: error: {path}:{expected}")
        # The server refuses to start on the same file, with the same message.
        r = run("serve", "--config", path)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(expected, r.stderr)

    def test_default_is_commented_and_valid(self):
        r = run("config", "default")
        self.assertEqual(r.returncode, 0)
        self.assertIn("# ", r.stdout)
        for name in ["perlmutter", "dtns", "dtn01", "globus", "spin", "iris"]:
            self.assertIn(f'name = "{name}"', r.stdout)
        path = self.write(r.stdout)
        r = run("config", "check", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"OK \(6 systems, data in /.*/\.local/share/sfapid\)")

    def test_unknown_key_names_key_and_line(self):
        self.check_fails('[server]\nport = 1\nportt = 2\n[[systems]]\nname = "a"\n',
                         "3: 'server.portt': unknown key")
        self.check_fails('colour = "red"\n[[systems]]\nname = "a"\n', "1: 'colour': unknown key")
        self.check_fails('[[systems]]\nname = "a"\nsystem_type = "compute"\n[systems.scheduler]\n'
                         'backend = "local"\nqueue = "x"\n',
                         "6: 'systems[0].scheduler.queue': unknown key")

    def test_bad_values_name_key_and_line(self):
        self.check_fails('[server]\nport = 70000\n[[systems]]\nname = "a"\n',
                         "2: 'server.port': is out of range (0 to 65535)")
        self.check_fails('[server]\nport = "80"\n[[systems]]\nname = "a"\n',
                         "2: 'server.port': must be a whole number")
        self.check_fails('[server]\ntrusted_proxies = ["10.0.0.0/33"]\n[[systems]]\nname = "a"\n',
                         "2: 'server.trusted_proxies': '10.0.0.0/33' is not a CIDR")
        self.check_fails('[[systems]]\nname = "a"\nsystem_type = "laptop"\n',
                         "3: 'systems[0].system_type': must be compute, filesystem, service or storage")
        self.check_fails('[[systems]]\nname = "a b"\n',
                         "2: 'systems[0].name': must be 1-64 letters, digits, '_', '-' or '.'")
        self.check_fails('[[systems]]\nname = "a"\n[[systems]]\nname = "a"\n',
                         "3: 'systems': system 'a' is defined twice")
        self.check_fails('[[systems]]\nname = "a"\nsystem_type = "compute"\n[systems.scheduler]\n'
                         'backend = "pbs"\n',
                         "5: 'systems[0].scheduler.backend': must be \"local\" or \"slurm\"")

    def test_toml_syntax_error_names_line(self):
        path = self.write('[server]\nport = \n')
        r = run("config", "check", path)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, rf"^sfapid: error: {path}:2: ")

    def test_missing_file(self):
        r = run("config", "check", "/nonexistent/sfapid.toml")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.strip(),
                         "sfapid: error: cannot read config file '/nonexistent/sfapid.toml'")

    def test_config_from_environment(self):
        path = self.write('data_dir = "' + self.dir.name + '/d"\n[[systems]]\nname = "solo"\n')
        env = dict(os.environ, SFAPID_CONFIG=path)
        r = run("status", "list", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^solo\s+active\s+\(default\)")


def as_nobody(*args):
    """sfapid run as the unprivileged `nobody`, for whom modes matter (they do not for root)."""
    if os.geteuid() != 0:
        raise unittest.SkipTest("switching to nobody needs root; run the suite as root")
    return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", SFAPID,
                           *args], capture_output=True, text=True, timeout=30, cwd="/")


class DataDirChecks(unittest.TestCase):
    """`config check` catches a data_dir the server could not use, naming the setting and the
    cause; start-up says the same instead of SQLite's bare "unable to open database file"."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        os.chmod(self.dir.name, 0o755)

    def tearDown(self):
        self.dir.cleanup()

    def config(self, data_dir):
        path = os.path.join(self.dir.name, "c.toml")
        with open(path, "w") as f:
            f.write(f'data_dir = "{data_dir}"\n[[systems]]\nname = "solo"\n')
        os.chmod(path, 0o644)
        return path

    def test_existing_but_not_writable(self):
        data = os.path.join(self.dir.name, "ro")
        os.mkdir(data)
        os.chmod(data, 0o555)
        path = self.config(data)
        expected = (f"data_dir '{data}' exists but is not writable by nobody (uid 65534): owner "
                    f"uid 0, mode 0555; make it writable for nobody or set data_dir to another "
                    f"folder")
        r = as_nobody("config", "check", path)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertEqual(r.stderr.strip(), f"sfapid: error: {path}: {expected}")
        r = as_nobody("--config", path, "serve")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.strip(), f"sfapid: error: {expected}")

    def test_missing_and_not_creatable(self):
        parent = os.path.join(self.dir.name, "ro")
        os.mkdir(parent)
        os.chmod(parent, 0o555)
        data = os.path.join(parent, "a", "b")
        r = as_nobody("config", "check", self.config(data))
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"data_dir '{data}' does not exist and cannot be created: '{parent}' is not "
                      f"writable by nobody (uid 65534): owner uid 0, mode 0555", r.stderr)

    def test_under_a_file(self):
        r = run("config", "check", self.config("/etc/passwd/sfapid"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("data_dir '/etc/passwd/sfapid' cannot be created: '/etc/passwd' is not a "
                      "folder", r.stderr)

    def test_database_not_writable(self):
        data = os.path.join(self.dir.name, "data")
        os.mkdir(data)
        os.chmod(data, 0o777)
        with open(os.path.join(data, "sfapid.db"), "w"):
            pass
        os.chmod(os.path.join(data, "sfapid.db"), 0o644)
        r = as_nobody("config", "check", self.config(data))
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"the database '{data}/sfapid.db' in data_dir is not writable by nobody "
                      f"(uid 65534): owner uid 0, mode 0644", r.stderr)

    def test_writable_is_ok(self):
        data = os.path.join(self.dir.name, "fresh", "data")
        r = run("config", "check", self.config(data))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"OK (1 systems, data in {data})", r.stdout)
        self.assertFalse(os.path.exists(data))  # checking creates nothing


class ListenChecks(unittest.TestCase):
    """`config urls` tells scripts (make run) the URLs to print, and --check-port whether the
    server could listen now; --port replaces [server] port for any command."""

    def test_urls_follow_port(self):
        r = run("--port", "18181", "config", "urls")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "http://127.0.0.1:18181/api/v1.2\n"
                                   "http://127.0.0.1:18181/oauth2/token\n")
        self.assertNotEqual(run("--port", "70000", "config", "urls").returncode, 0)

    def test_busy_port_is_named(self):
        import socket
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            r = run("--port", str(port), "config", "urls", "--check-port")
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stdout, "")
            self.assertEqual(r.stderr.strip(),
                             f"sfapid: error: cannot listen on 127.0.0.1 port {port}: Address "
                             f"already in use (another program listens there; `ss -ltnp "
                             f"'sport = :{port}'` shows which)")
        r = run("--port", str(port), "config", "urls", "--check-port")
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
