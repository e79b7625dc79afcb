"""`sfapid client create|ensure` as root for real Unix users (needs root): the key folder and file
belong to the user they are for, a folder the user controls is followed with the user's rights,
and projects with admit_client_users take the user in."""

import os
import pwd
import stat
import subprocess
import unittest

from harness import DEFAULT_SYSTEMS, ModuleUsers, Server

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove

PROJECTS = """
[[projects]]
repo_name = "default"
pis = ["$USER"]
admit_client_users = true

[[projects]]
repo_name = "closed"
pis = ["$USER"]
"""


def as_user(name, command):
    return subprocess.run(["su", "-s", "/bin/bash", "-c", command, USERS.accounts[name]],
                          capture_output=True, text=True, cwd="/")


class ClientCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra=PROJECTS, systems=DEFAULT_SYSTEMS)  # the CLI only: not started

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def owner(self, path):
        st = os.lstat(path)
        return pwd.getpwuid(st.st_uid).pw_name, stat.S_IMODE(st.st_mode)

    def test_out_dir_and_key_belong_to_the_user(self):
        alice = USERS.accounts["alice"]
        folder = os.path.join(USERS.home("alice"), ".superfacility", "laptop")
        r = self.server.cli("client", "create", "--user", alice, "--level", "yellow",
                            "--out-dir", folder)
        self.assertIn(f"key in {folder}/", r.stderr)
        [name] = os.listdir(folder)
        self.assertRegex(name, r"^[a-z0-9]{13}\.pem$")
        # Every folder it made is alice's and private; the home it found is left as it was.
        self.assertEqual(self.owner(os.path.dirname(folder)), (alice, 0o700))
        self.assertEqual(self.owner(folder), (alice, 0o700))
        self.assertEqual(self.owner(os.path.join(folder, name)), (alice, 0o600))
        self.assertEqual(self.owner(USERS.home("alice"))[0], alice)
        # Alice can read her key; bob cannot.
        r = as_user("alice", f"head -1 {folder}/{name}")
        self.assertEqual(r.stdout.strip(), name[:-4], r.stderr)
        self.assertNotEqual(as_user("bob", f"cat {folder}/{name}").returncode, 0)

    def test_existing_folder_keeps_its_mode(self):
        bob = USERS.accounts["bob"]
        shared = os.path.join(USERS.home("bob"), "keys")
        as_user("bob", f"mkdir -p {shared} && chmod 755 {shared}")
        self.server.cli("client", "create", "--user", bob, "--out-dir", shared)
        self.assertEqual(self.owner(shared), (bob, 0o755))
        [name] = os.listdir(shared)
        self.assertEqual(self.owner(os.path.join(shared, name)), (bob, 0o600))

    def test_folder_the_user_cannot_write_is_refused_not_made_by_root(self):
        # Bob points his key folder at a place only root may write: root must not follow it.
        bob = USERS.accounts["bob"]
        target = os.path.join(self.server.dir, "rootonly")
        os.makedirs(target, mode=0o700)
        link = os.path.join(USERS.home("bob"), "keylink")
        as_user("bob", f"ln -sfn {target} {link}")
        before = self.server.cli("client", "list", "--user", bob).stdout.splitlines()
        r = self.server.cli("client", "create", "--user", bob, "--out-dir", link, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("Permission denied", r.stderr)
        self.assertIn(f"(as {bob}, the account the client is for)", r.stderr)
        self.assertEqual(os.listdir(target), [])
        # The client whose key nobody holds is retired at once.
        after = self.server.cli("client", "list", "--user", bob).stdout.splitlines()
        [new] = [line for line in after if line.split()[0] not in {b.split()[0] for b in before}]
        self.assertEqual(new.split()[3], "revoked", new)

    def test_out_file_is_written_by_the_operator_and_given_to_the_user(self):
        # --out names a file in a place of the operator's: it is handed over, as before.
        alice = USERS.accounts["alice"]
        path = os.path.join(self.server.dir, "handout.pem")
        self.server.cli("client", "create", "--user", alice, "--out", path)
        self.assertEqual(self.owner(path), (alice, 0o600))

    def test_admit_client_users_projects_take_the_user_in(self):
        alice = USERS.accounts["alice"]
        r = self.server.cli("client", "create", "--user", alice,
                            "--out", os.path.join(self.server.dir, "admit.pem"))
        default = self.server.cli("project", "show", "default").stdout
        self.assertRegex(default, rf"\n\s+{alice}\s+Member")
        self.assertNotIn(alice, self.server.cli("project", "show", "closed").stdout)
        # Once in, a second client changes nothing and says nothing about it.
        r = self.server.cli("client", "create", "--user", alice,
                            "--out", os.path.join(self.server.dir, "admit2.pem"))
        self.assertNotIn("added", r.stderr)
        # The PI stays PI: admission never lowers a role.
        bob = USERS.accounts["bob"]
        self.server.cli("project", "add-member", "default", bob, "--role", "pi")
        self.server.cli("client", "create", "--user", bob,
                        "--out", os.path.join(self.server.dir, "bob.pem"))
        self.assertRegex(self.server.cli("project", "show", "default").stdout,
                         rf"\n\s+{bob}\s+PI")

    def test_unknown_user_gets_a_client_and_a_note(self):
        r = self.server.cli("client", "create", "--user", "nosuchuser",
                            "--out", os.path.join(self.server.dir, "nosuch.pem"))
        self.assertIn("note: nosuchuser is not added to project default", r.stderr)


if __name__ == "__main__":
    unittest.main()
