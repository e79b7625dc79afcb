"""Accounts through the real server, as real Unix users (needs root): users, projects with hours
used computed from jobs that ran and project folders measured on disk, roles, and project groups
that are real Unix groups (`id USER` shows them). Every answer is also checked against the
official client's models: their required fields and types (spec §1)."""

import grp
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from compute_helpers import FORM, ComputeTest, script
from harness import ModuleUsers, client_token

USERS = ModuleUsers("alice", "bob", "carol")
GID_MIN, GID_MAX = 61500, 61599
FOLDERS = []


def setUpModule():
    USERS.create()
    FOLDERS.append(tempfile.mkdtemp(prefix="sfapid-projdir-"))
    os.chmod(FOLDERS[0], 0o755)  # the users reach the folders inside


def tearDownModule():
    # Groups the tests made (every gid of the test range), then the users.
    for g in grp.getgrall():
        if GID_MIN <= g.gr_gid <= GID_MAX:
            subprocess.run(["groupdel", g.gr_name], capture_output=True)
    USERS.remove()
    for folder in FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)


# --- the client's models (sfapi_client._models) as pydantic v2 checks them: every field listed must
# be present (Optional ones may be null), with no int<->str coercion. Debian's python3 has no
# pydantic 2, so the check is written out: name -> (type, nullable).
OPT_STR, OPT_NUM = (str, True), ((int, float), True)
STORAGE_STATS = {"name": (str, False), "bytes_given": OPT_NUM, "bytes_used": OPT_NUM,
                 "bytes_given_human": OPT_STR, "bytes_used_human": OPT_STR,
                 "files_given": OPT_NUM, "files_used": OPT_NUM}
USER_INFO = {"uid": (int, False), "name": (str, False), "firstname": OPT_STR, "lastname": OPT_STR,
             "middlename": OPT_STR, "workphone": OPT_STR, "otherPhones": OPT_STR, "email": OPT_STR}
ROLE_STATS = {"id": (int, False), "description": (str, False), "repo_name": (str, False),
              "iris_role": OPT_STR}
PROJECT_STATS = dict(ROLE_STATS, **{
    f"{prefix}{k}": OPT_NUM for prefix in ("", "cpu_", "gpu_")
    for k in ("hours_given", "hours_used", "project_hours_given", "project_hours_used")},
    projdir_usage=(list, True), project_projdir_usage=(dict, True), hpss_usage=(list, True))
USER_STATS = {"uid": (int, False), "name": (str, False)}
GROUP_STATS = {"gid": (int, False), "name": (str, False), "users": (list, False)}


def validate(obj, model):
    """Fails like pydantic would: a missing field, a null where none is allowed, a wrong type."""
    assert isinstance(obj, dict), obj
    for name, (types, nullable) in model.items():
        assert name in obj, f"{name} missing in {obj}"
        value = obj[name]
        if value is None:
            assert nullable, f"{name} is null in {obj}"
            continue
        assert isinstance(value, types) and not isinstance(value, bool), f"{name}: {value!r}"
    if model is PROJECT_STATS:
        for item in (obj["projdir_usage"] or []) + (obj["hpss_usage"] or []):
            validate(item, STORAGE_STATS)
        if obj["project_projdir_usage"] is not None:
            validate(obj["project_projdir_usage"], STORAGE_STATS)
    if model is GROUP_STATS:
        for u in obj["users"]:
            validate(u, USER_STATS)
    return obj


PROJECT_KEYS = set(PROJECT_STATS)
USER_KEYS = set(USER_INFO)


def group_name():
    return "t" + os.urandom(3).hex()  # 7 characters


def unix_groups_of(account):
    """The groups `id` shows for the account (a fresh process: nothing cached)."""
    out = subprocess.run(["id", "-Gn", account], capture_output=True, text=True, check=True).stdout
    return set(out.split())


class AccountsTest(ComputeTest):
    users = USERS
    scheduler = {"nodes": 2, "cpus_per_node": 2}
    unix_groups = True

    @classmethod
    def setUpClass(cls):
        a, b, c = (USERS.accounts[n] for n in ("alice", "bob", "carol"))
        cls.projdir = os.path.join(FOLDERS[0], cls.__name__)
        os.mkdir(cls.projdir)
        cls.extra = f"""
[accounts]
unix_groups = {"true" if cls.unix_groups else "false"}
gid_min = {GID_MIN}
gid_max = {GID_MAX}
disk_usage_cache_seconds = 0

[[users]]
name = "{a}"
firstname = "Alice"
lastname = "Liddell"
email = "alice@example.org"

[[users]]
name = "registered-only"
uid = 4242

[[projects]]
repo_name = "proj1"
description = "First project"
cpu_hours = 1000
gpu_hours = 250.5
project_dir = "{cls.projdir}"
project_dir_quota = "1GiB"
project_dir_files = 1000
archive_quota = "2TiB"
pis = ["{a}"]
members = ["{b}"]

[[projects]]
repo_name = "proj2"
description = "Second project"
cpu_hours = 10
pis = ["{c}"]
pi_proxies = ["{b}"]
"""
        super().setUpClass()
        cls.carol = c
        cls.tokens[c] = client_token(cls.server, c, "yellow")

    # --- helpers -----------------------------------------------------------------------------

    def get(self, path, user=None):
        return self.call("GET", path, user)

    def ok(self, path, user=None):
        r = self.get(path, user)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def put_group(self, name, usernames, action, user=None):
        body = urllib.parse.urlencode({"group": name, "usernames": usernames, "action": action})
        return self.call("PUT", f"/account/groups/{name}", user, body=body.encode(), headers=FORM)

    def create_group(self, name, repo="proj1", user=None, token=None):
        return self.post_form("/account/groups", [("name", name), ("repo_name", repo)], user,
                              token=token)

    def project(self, repo, user=None):
        projects = self.ok("/account/projects", user)
        for p in projects:
            self.assertEqual(set(p), PROJECT_KEYS, p)
            validate(p, PROJECT_STATS)
        found = [p for p in projects if p["repo_name"] == repo]
        return found[0] if found else None

    def wait_for(self, predicate, timeout=10, what="condition"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        self.fail(f"timed out waiting for {what}")

    def assert_422(self, r, field):
        self.assertEqual(r.status, 422, r)
        detail = r.json()["detail"]
        self.assertIsInstance(detail, list, r)
        self.assertEqual(detail[0]["loc"], ["body", field], r)
        self.assertIsInstance(detail[0]["msg"], str)
        return detail[0]["msg"]


class Users(AccountsTest):
    def test_the_caller_is_their_unix_account_with_registered_details(self):
        for path in ("/account/", "/account"):
            info = self.ok(path)
            self.assertEqual(set(info), USER_KEYS)
            validate(info, USER_INFO)
            self.assertEqual(info["name"], self.alice)
            self.assertEqual(info["uid"], pwd.getpwnam(self.alice).pw_uid)
            self.assertEqual((info["firstname"], info["lastname"], info["email"]),
                             ("Alice", "Liddell", "alice@example.org"))
            self.assertIsNone(info["middlename"])

    def test_another_users_public_details_may_be_read(self):
        info = self.ok(f"/account/?username={self.bob}")
        validate(info, USER_INFO)
        self.assertEqual((info["name"], info["uid"]), (self.bob, pwd.getpwnam(self.bob).pw_uid))
        self.assertIsNone(info["email"])
        registered = self.ok("/account/?username=registered-only")
        self.assertEqual((registered["name"], registered["uid"]), ("registered-only", 4242))

    def test_an_unknown_user_is_404(self):
        r = self.get("/account/?username=nosuchuser")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json(), {"detail": "User 'nosuchuser' not found"})

    def test_a_token_is_needed(self):
        r = self.server.get("/api/v1.2/account/")
        self.assertEqual(r.status, 401, r)


class Projects(AccountsTest):
    def test_each_member_sees_their_projects_with_their_role(self):
        p = self.project("proj1")
        self.assertEqual((p["description"], p["iris_role"]), ("First project", "PI"))
        self.assertIsInstance(p["id"], int)
        self.assertEqual((p["hours_given"], p["project_hours_given"]), (1250.5, 1250.5))
        self.assertEqual((p["cpu_hours_given"], p["gpu_hours_given"]), (1000, 250.5))
        self.assertIsNone(self.project("proj2"))
        self.assertEqual(self.project("proj1", self.bob)["iris_role"], "Member")
        self.assertEqual(self.project("proj2", self.bob)["iris_role"], "PI Proxy")
        self.assertEqual([p["repo_name"] for p in self.ok("/account/projects", self.carol)],
                         ["proj2"])
        self.assertEqual(p["hpss_usage"][0]["bytes_given"], 2 * 1024 ** 4)
        self.assertEqual(p["hpss_usage"][0]["bytes_given_human"], "2.00 TiB")
        self.assertEqual(self.project("proj2", self.carol)["projdir_usage"], [])
        self.assertIsNone(self.project("proj2", self.carol)["project_projdir_usage"])

    def test_roles(self):
        for user, expected in ((self.alice, [("proj1", "PI")]),
                               (self.bob, [("proj1", "Member"), ("proj2", "PI Proxy")])):
            roles = self.ok("/account/roles", user)
            for r in roles:
                self.assertEqual(set(r), {"id", "description", "repo_name", "iris_role"})
                validate(r, ROLE_STATS)
            self.assertEqual([(r["repo_name"], r["iris_role"]) for r in roles], expected)
        ids = {p["repo_name"]: p["id"] for p in self.ok("/account/projects", self.bob)}
        self.assertEqual({r["repo_name"]: r["id"] for r in self.ok("/account/roles", self.bob)}, ids)

    def test_another_users_projects_roles_and_groups_are_403(self):
        for path in ("/account/projects", "/account/roles", "/account/groups"):
            r = self.get(f"{path}?username={self.bob}")
            self.assertEqual(r.status, 403, (path, r))
            self.assertIn("detail", r.json())
            self.assertEqual(self.get(f"{path}?username={self.alice}").status, 200, path)

    def test_hours_used_are_the_node_hours_of_the_jobs_that_ran(self):
        before = self.project("proj1")
        jobs = [(self.submit(script("sleep 1", "-A proj1", "-N 2"), user=self.alice), self.alice),
                (self.submit(script("sleep 1", "--account=proj1"), user=self.alice), self.alice),
                (self.submit(script("sleep 1", "-A proj1"), user=self.bob), self.bob),
                (self.submit(script("sleep 1", "-A proj2"), user=self.bob), self.bob)]
        charged = {}
        for jobid, user in jobs:
            row = self.wait_ended(jobid)
            account = row["account"]
            hours = int(row["elapsedraw"]) * int(row["nnodes"]) / 3600
            charged[(account, user)] = charged.get((account, user), 0) + hours
        self.assertGreater(charged[("proj1", self.alice)], 0)

        expected = charged[("proj1", self.alice)] + charged[("proj1", self.bob)]

        def settled():  # each job's end is recorded once the scheduler has seen it
            p = self.project("proj1", self.bob)
            return p if abs(p["project_hours_used"] - before["project_hours_used"] - expected) < 1e-9 \
                else None
        bob_view = self.wait_for(settled, what="proj1's usage to include the jobs")
        alice_view = self.project("proj1")
        self.assertAlmostEqual(alice_view["hours_used"] - before["hours_used"],
                               charged[("proj1", self.alice)], places=9)
        self.assertAlmostEqual(alice_view["cpu_hours_used"], alice_view["hours_used"], places=9)
        self.assertAlmostEqual(bob_view["hours_used"], charged[("proj1", self.bob)], places=9)
        self.assertEqual(bob_view["project_hours_used"], alice_view["project_hours_used"])
        self.assertEqual((bob_view["gpu_hours_used"], bob_view["gpu_project_hours_used"]), (0, 0))
        proj2 = self.project("proj2", self.bob)
        self.assertAlmostEqual(proj2["project_hours_used"], charged[("proj2", self.bob)], places=9)
        # The operator's view agrees.
        out = self.server.cli("project", "show", "proj1").stdout
        self.assertIn(f"{alice_view['project_hours_used']:.2f} used of 1250.50 given", out)

    def test_project_folder_usage_is_measured_on_disk(self):
        owned = {self.alice: 3 * 1024 * 1024, self.bob: 1024 * 1024}
        for user, size in owned.items():
            path = os.path.join(self.projdir, f"data-{user}")
            with open(path, "wb") as f:
                f.write(os.urandom(size))
            os.link(path, path + ".link")  # a hard link is counted once
            os.chown(path, pwd.getpwnam(user).pw_uid, -1)
        du = int(subprocess.run(["du", "-s", "-B1", self.projdir], capture_output=True, text=True,
                                check=True).stdout.split()[0])
        files = sum(1 for _ in os.scandir(self.projdir)) + 1  # names; links share an inode
        files -= len(owned)
        p = self.project("proj1")
        total = p["project_projdir_usage"]
        validate(total, STORAGE_STATS)
        self.assertEqual(total["name"], self.projdir)
        self.assertEqual((total["bytes_used"], total["files_used"]), (du, files))
        self.assertEqual((total["bytes_given"], total["files_given"]), (1024 ** 3, 1000))
        self.assertEqual(total["bytes_given_human"], "1.00 GiB")
        mine = p["projdir_usage"]
        self.assertEqual(len(mine), 1)
        st = os.stat(os.path.join(self.projdir, f"data-{self.alice}"))
        self.assertEqual((mine[0]["bytes_used"], mine[0]["files_used"]), (st.st_blocks * 512, 1))
        self.assertGreaterEqual(self.project("proj1", self.bob)["projdir_usage"][0]["bytes_used"],
                                1024 * 1024)

    def test_operator_changes_are_served_at_once(self):
        self.server.cli("project", "add", "proj3", "--description", "Third", "--cpu-hours", "5",
                        "--pi", self.carol)
        self.server.cli("project", "add-member", "proj3", self.alice, "--role", "pi_proxy")
        p = self.project("proj3")
        self.assertEqual((p["iris_role"], p["cpu_hours_given"]), ("PI Proxy", 5))
        self.server.cli("project", "set-allocation", "proj3", "--gpu-hours", "2", "--archive-quota",
                        "1T")
        p = self.project("proj3")
        self.assertEqual((p["cpu_hours_given"], p["gpu_hours_given"], p["hours_given"]), (5, 2, 7))
        self.assertEqual(p["hpss_usage"][0]["bytes_given"], 1024 ** 4)
        listed = self.server.cli("project", "list").stdout
        self.assertIn("proj3", listed)
        r = self.server.cli("project", "add-member", "proj3", "nosuchuser", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("unknown user 'nosuchuser'", r.stderr)
        self.server.cli("project", "remove-member", "proj3", self.alice)
        self.assertIsNone(self.project("proj3"))
        self.server.cli("project", "remove", "proj3")
        self.assertIsNone(self.project("proj3", self.carol))
        r = self.server.cli("project", "show", "proj3", check=False)
        self.assertNotEqual(r.returncode, 0)


class Groups(AccountsTest):
    def group(self, name, user=None):
        g = self.ok(f"/account/groups/{name}", user)
        self.assertEqual(set(g), {"gid", "name", "users"})
        validate(g, GROUP_STATS)
        return g

    def new_group(self, repo="proj1", user=None):
        name = group_name()
        r = self.create_group(name, repo, user)
        self.assertEqual(r.status, 200, r)
        g = r.json()
        validate(g, GROUP_STATS)
        self.assertEqual((g["name"], g["users"]), (name, []))
        return g

    def test_a_pi_creates_a_unix_group_and_changes_its_members(self):
        g = self.new_group()
        name, gid = g["name"], g["gid"]
        self.assertTrue(GID_MIN <= gid <= GID_MAX, g)
        self.assertEqual(grp.getgrnam(name).gr_gid, gid)
        self.assertEqual(self.group(name), g)

        r = self.put_group(name, f"{self.bob}, {self.carol}", "batch_add")
        self.assertEqual(r.status, 200, r)
        after = r.json()
        validate(after, GROUP_STATS)
        self.assertEqual(after["users"], [
            {"uid": pwd.getpwnam(u).pw_uid, "name": u} for u in sorted([self.bob, self.carol])])
        self.assertIn(name, unix_groups_of(self.bob))
        self.assertIn(name, unix_groups_of(self.carol))
        self.assertEqual(self.group(name, self.carol), after)  # members may read it
        # Files follow: bob can now write a folder that only the group may write.
        folder = os.path.join(FOLDERS[0], name)
        os.mkdir(folder)
        os.chown(folder, 0, gid)
        os.chmod(folder, 0o770)
        pw = pwd.getpwnam(self.bob)
        r = subprocess.run(["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}",
                            "--init-groups", "touch", os.path.join(folder, "x")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

        r = self.put_group(name, self.bob, "batch_remove")
        self.assertEqual([u["name"] for u in r.json()["users"]], [self.carol])
        self.assertNotIn(name, unix_groups_of(self.bob))
        r = self.put_group(name, self.carol, "batch_remove")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["users"], [])  # spec §5 #10: a list, empty
        self.assertEqual(grp.getgrnam(name).gr_mem, [])

    def test_group_lists_show_what_the_caller_is_in_or_manages(self):
        g = self.new_group()
        self.put_group(g["name"], self.carol, "batch_add")
        for user, expected in ((self.alice, True), (self.carol, True), (self.bob, False)):
            body = self.ok("/account/groups", user)
            self.assertEqual(set(body), {"groups"})
            for item in body["groups"]:
                validate(item, GROUP_STATS)
            self.assertEqual(g["name"] in [x["name"] for x in body["groups"]], expected, user)

    def test_only_a_pi_or_pi_proxy_may_create_or_change_groups(self):
        r = self.create_group(group_name(), "proj1", self.bob)  # a member, not PI
        self.assertEqual(r.status, 403, r)
        r = self.create_group(group_name(), "proj2", self.alice)  # not in the project
        self.assertEqual(r.status, 403, r)
        self.new_group("proj2", self.bob)  # PI proxy of proj2
        g = self.new_group()
        for user in (self.bob, self.carol):
            r = self.put_group(g["name"], self.bob, "batch_add", user)
            self.assertEqual(r.status, 403, r)
        r = self.get(f"/account/groups/{g['name']}", self.carol)  # neither in group nor project
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.group(g["name"])["users"], [])

    def test_bad_input_is_refused_and_changes_nothing(self):
        msg = self.assert_422(self.create_group("toolongname"), "name")
        self.assertIn("at most 8 characters", msg)
        self.assertRaises(KeyError, grp.getgrnam, "toolongname")
        msg = self.assert_422(self.create_group("grüp"), "name")
        self.assertIn("ASCII", msg)
        self.assert_422(self.create_group("Bad.Name"), "name")
        self.assert_422(self.post_form("/account/groups", [("repo_name", "proj1")]), "name")
        self.assert_422(self.post_form("/account/groups", [("name", "abc")]), "repo_name")
        r = self.create_group(group_name(), "nosuchproj")
        self.assertEqual(r.status, 404, r)
        r = self.create_group("root")  # a system group is never adopted
        self.assertEqual(r.status, 409, r)
        self.assertEqual(grp.getgrnam("root").gr_mem, [])

        g = self.new_group()
        self.put_group(g["name"], self.carol, "batch_add")
        r = self.create_group(g["name"])
        self.assertEqual(r.status, 409, r)
        msg = self.assert_422(self.put_group(g["name"], f"{self.bob},nosuchuser", "batch_add"),
                              "usernames")
        self.assertIn("nosuchuser", msg)
        msg = self.assert_422(self.put_group(g["name"], "root", "batch_add"), "usernames")
        self.assertIn("root", msg)
        # Daemon accounts (uids outside login.defs' UID_MIN..UID_MAX) are never group members.
        for daemon in ("nobody", "slurm"):
            try:
                pwd.getpwnam(daemon)
            except KeyError:
                continue
            msg = self.assert_422(self.put_group(g["name"], daemon, "batch_add"), "usernames")
            self.assertIn(daemon, msg)
        self.assert_422(self.put_group(g["name"], self.bob, "add"), "action")
        self.assert_422(self.put_group(g["name"], " , ", "batch_add"), "usernames")
        self.assertEqual([u["name"] for u in self.group(g["name"])["users"]], [self.carol])
        self.assertNotIn(g["name"], unix_groups_of(self.bob))
        self.assertEqual(grp.getgrnam(g["name"]).gr_mem, [self.carol])
        r = self.get("/account/groups/nosuchgr")
        self.assertEqual(r.status, 404, r)
        r = self.put_group("nosuchgr", self.bob, "batch_add")
        self.assertEqual(r.status, 404, r)

    def test_a_green_client_may_read_but_not_change_groups(self):
        g = self.new_group()
        token = client_token(self.server, self.alice, "green")
        self.assertEqual(self.call("GET", f"/account/groups/{g['name']}", token=token).status, 200)
        body = urllib.parse.urlencode({"usernames": self.bob, "action": "batch_add"}).encode()
        r = self.call("PUT", f"/account/groups/{g['name']}", body=body, headers=FORM, token=token)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.create_group(group_name(), token=token).status, 403)

    def test_unix_groups_are_put_back_in_step_at_start(self):
        g = self.new_group()
        self.put_group(g["name"], self.bob, "batch_add")
        subprocess.run(["groupdel", g["name"]], check=True)
        self.server.stop()
        self.server.start()
        self.refresh_tokens()
        self.tokens[self.carol] = client_token(self.server, self.carol, "yellow")
        self.assertEqual(grp.getgrnam(g["name"]).gr_gid, g["gid"])
        self.assertIn(g["name"], unix_groups_of(self.bob))
        self.assertEqual(self.group(g["name"])["users"][0]["name"], self.bob)

    def test_removing_a_user_takes_them_out_of_unix_groups(self):
        g = self.new_group()
        self.put_group(g["name"], self.carol, "batch_add")
        self.server.cli("user", "remove", self.carol)
        self.assertNotIn(g["name"], unix_groups_of(self.carol))
        self.assertEqual(self.group(g["name"])["users"], [])
        self.assertEqual(self.ok("/account/projects", self.carol), [])
        self.server.cli("project", "add-member", "proj2", self.carol, "--role", "pi")


class StoreOnlyGroups(AccountsTest):
    """unix_groups = false: what a server that is not root does."""
    unix_groups = False

    def test_groups_live_in_the_store_only(self):
        name = group_name()
        r = self.create_group(name)
        self.assertEqual(r.status, 200, r)
        self.assertRaises(KeyError, grp.getgrnam, name)
        r = self.put_group(name, self.bob, "batch_add")
        self.assertEqual([u["name"] for u in r.json()["users"]], [self.bob])
        self.assertNotIn(name, unix_groups_of(self.bob))


if __name__ == "__main__":
    unittest.main()
