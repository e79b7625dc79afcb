"""Long-lived per-user workers (backends/runas/user_worker_pool.h) through the real server, as real
Unix users (needs root): each user's file requests run in a worker of their own uid, also with
two users interleaved under load; a killed or stopped worker is replaced; idle workers end; the
cap holds; and the older per-operation workers still serve."""

import concurrent.futures
import os
import signal
import subprocess
import time
import unittest

from harness import PREFIX, ModuleUsers, Server, client_token, upload_form, wait_until

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove

SYSTEMS = """
[[systems]]
name = "perlmutter"
system_type = "compute"
"""


def serving_workers(server):
    """{pid: (account, uid)} of the server's long-lived workers, read from /proc."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().decode().split("\0")
            with open(f"/proc/{pid}/status") as f:
                uid = next(int(line.split()[1]) for line in f if line.startswith("Uid:"))
        except (OSError, StopIteration, IndexError):
            continue  # ended meanwhile
        if ppid == server.proc.pid and "--serve" in argv and "worker" in argv:
            found[int(pid)] = (argv[argv.index("--account") + 1], uid)
    return found


STOPPED = ("the worker acting as the user was stopped (a signal of the user's, such as SIGSTOP) "
           "and was ended; try again")


class WorkersTest(unittest.TestCase):
    runas = ""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra=f"[runas]\n{cls.runas}\n", systems=SYSTEMS).start()
        cls.alice = USERS.accounts["alice"]
        cls.bob = USERS.accounts["bob"]
        cls.tokens = {u: client_token(cls.server, u) for u in (cls.alice, cls.bob)}

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def call(self, method, path, user, body=None, headers=None):
        h = {"Authorization": f"Bearer {self.tokens[user]}", **(headers or {})}
        return self.server.request(method, PREFIX + path, body=body, headers=h, timeout=30)

    def ls(self, user, path):
        r = self.call("GET", f"/utilities/ls/perlmutter/{path}", user)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def upload(self, user, path, content):
        body, content_type = upload_form(content)
        r = self.call("PUT", f"/utilities/upload/perlmutter/{path}", user, body=body,
                      headers={"Content-Type": content_type})
        self.assertEqual(r.status, 200, r)
        return r.json()

    def download(self, user, path):
        r = self.call("GET", f"/utilities/download/perlmutter/{path}", user)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def uid(self, name):
        return os.stat(USERS.home(name)).st_uid

    def wait_workers(self, predicate, timeout=10):
        return wait_until(lambda: predicate(serving_workers(self.server)), timeout)


class PerUserWorkers(WorkersTest):
    runas = "worker_timeout_seconds = 3\nworker_idle_seconds = 2\nworkers_per_user = 2"

    def test_two_users_interleaved_under_load_each_get_only_their_own_workers(self):
        users = [("alice", self.alice), ("bob", self.bob)]

        def round_trip(name, account, i):
            home = USERS.home(name)
            content = f"{account} {i} ".encode() + os.urandom(8).hex().encode()
            self.assertEqual(self.upload(account, f"{home}/f{i}.txt", content)["status"], "OK")
            got = self.download(account, f"{home}/f{i}.txt")
            listing = self.ls(account, f"{home}/f{i}.txt")
            st = os.stat(f"{home}/f{i}.txt")
            return name, got, content, listing, st.st_uid, serving_workers(self.server)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda a: round_trip(*a),
                                    [(*users[i % 2], i) for i in range(120)]))
        for name, got, content, listing, owner, workers in results:
            self.assertEqual(got["status"], "OK", got)
            self.assertEqual(got["file"], content.decode())
            self.assertEqual(listing["entries"][0]["user"], USERS.accounts[name])
            self.assertEqual(owner, self.uid(name))  # written as the user, by their worker
        # Every long-lived worker left after the load runs as the account it serves (one seen
        # during it may still have been starting, as root, before it dropped privileges), both
        # users' are there, and there were never more than workers_per_user of one user's.
        uids = {USERS.accounts[n]: self.uid(n) for n in ("alice", "bob")}
        seen = serving_workers(self.server)
        for pid, (account, uid) in seen.items():
            self.assertEqual(uid, uids[account], f"worker {pid} for {account}")
        self.assertEqual({a for a, _ in seen.values()}, set(uids))
        for workers in (r[5] for r in results):
            for account in uids:
                self.assertLessEqual(sum(a == account for a, _ in workers.values()), 2)

    def test_a_large_listing_travels_whole(self):
        # ~130 bytes an entry in the reply's line: 2,000 entries are far more than one read.
        home = USERS.home("alice")
        os.makedirs(f"{home}/many", exist_ok=True)
        for i in range(2000):
            open(f"{home}/many/entry-{i:05d}", "w").close()
        listing = self.ls(self.alice, f"{home}/many")
        self.assertEqual(listing["status"], "OK", listing)
        names = sorted(e["name"] for e in listing["entries"])
        self.assertEqual(names[-2000:], [f"entry-{i:05d}" for i in range(2000)])

    def test_a_warm_worker_of_another_user_lends_no_access(self):
        bob_home = USERS.home("bob")
        self.assertEqual(self.upload(self.bob, f"{bob_home}/private.txt", b"bob's")["status"], "OK")
        os.chmod(f"{bob_home}/private.txt", 0o600)
        os.chmod(bob_home, 0o711)  # alice may pass through, not read bob's file
        self.assertEqual(self.download(self.bob, f"{bob_home}/private.txt")["file"], "bob's")
        for _ in range(5):  # bob's worker is warm and free now; alice's requests must not use it
            r = self.download(self.alice, f"{bob_home}/private.txt")
            self.assertEqual(r["status"], "ERROR")
            self.assertIn("Permission denied", r["error"])

    def test_its_user_cannot_trace_or_read_their_worker(self):
        # Changing credentials from root made it non-dumpable: its /proc files stay root's, so
        # the user can neither ptrace it nor read its memory.
        self.assertEqual(self.ls(self.alice, USERS.home("alice"))["status"], "OK")
        pids = [p for p, (a, _) in serving_workers(self.server).items() if a == self.alice]
        self.assertTrue(pids)
        for pid in pids:
            self.assertEqual(os.stat(f"/proc/{pid}/mem").st_uid, 0)
            self.assertEqual(os.stat(f"/proc/{pid}/environ").st_uid, 0)

    def test_a_killed_worker_is_replaced_without_a_failed_request(self):
        home = USERS.home("alice")
        self.assertEqual(self.ls(self.alice, home)["status"], "OK")
        before = {p for p, (a, _) in serving_workers(self.server).items() if a == self.alice}
        self.assertTrue(before)
        for pid in before:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)  # dead before the next request (a request in flight may fail)
        for _ in range(5):
            self.assertEqual(self.ls(self.alice, home)["status"], "OK")
            self.assertEqual(self.download(self.alice, "/etc/hostname")["status"], "OK")
        after = {p for p, (a, _) in serving_workers(self.server).items() if a == self.alice}
        self.assertTrue(after)
        self.assertFalse(after & before)

    def test_a_stopped_worker_is_killed_and_replaced(self):
        home = USERS.home("alice")
        self.assertEqual(self.ls(self.alice, home)["status"], "OK")
        stopped = [p for p, (a, _) in serving_workers(self.server).items() if a == self.alice]
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)  # the user can do this to their own worker
        # Every free worker of hers is stopped: the request goes to one, which is seen stopped.
        r = self.call("GET", f"/utilities/ls/perlmutter/{home}", self.alice)
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.json(), {"detail": STOPPED})
        # The one it went to was killed; the others wake again.
        alive = set(stopped) & set(serving_workers(self.server))
        self.assertLess(len(alive), len(stopped))
        for pid in alive:
            os.kill(pid, signal.SIGCONT)
        self.assertEqual(self.ls(self.alice, home)["status"], "OK")
        self.assertEqual(self.ls(self.alice, home)["status"], "OK")

    def test_a_change_to_the_accounts_groups_reaches_the_next_request(self):
        bob = self.bob
        self.assertEqual(self.ls(bob, USERS.home("bob"))["status"], "OK")
        before = {p for p, (a, _) in serving_workers(self.server).items() if a == bob}
        group = f"sfw{os.getpid() % 100000}"
        subprocess.run(["groupadd", group], check=True)
        try:
            subprocess.run(["usermod", "-aG", group, bob], check=True)
            gid = int(subprocess.run(["getent", "group", group], capture_output=True, text=True,
                                     check=True).stdout.split(":")[2])
            shared = f"/tmp/sfapid-group-{os.getpid()}"
            os.makedirs(shared, exist_ok=True)
            os.chown(shared, 0, gid)
            os.chmod(shared, 0o770)  # only the group may enter
            self.assertEqual(self.ls(bob, shared)["status"], "OK")  # a new worker, with the group
            after = {p for p, (a, _) in serving_workers(self.server).items() if a == bob}
            self.assertFalse(after & before)
            for pid in after:
                with open(f"/proc/{pid}/status") as f:
                    groups = next(line for line in f if line.startswith("Groups:")).split()[1:]
                self.assertIn(str(gid), groups)
            # Taken out of the group: refused at once, not after the worker's maximum age.
            subprocess.run(["gpasswd", "-d", bob, group], check=True, capture_output=True)
            r = self.ls(bob, shared)
            self.assertEqual(r["status"], "ERROR", r)
            self.assertIn("Permission denied", r["error"])
        finally:
            subprocess.run(["groupdel", group], capture_output=True)
            subprocess.run(["rm", "-rf", f"/tmp/sfapid-group-{os.getpid()}"])

    def test_idle_workers_end(self):
        self.assertEqual(self.ls(self.bob, USERS.home("bob"))["status"], "OK")
        self.assertTrue(any(a == self.bob for a, _ in serving_workers(self.server).values()))
        # worker_idle_seconds = 2, looked at every second.
        self.assertTrue(self.wait_workers(
            lambda w: not any(a == self.bob for a, _ in w.values()), timeout=8))
        self.assertEqual(self.ls(self.bob, USERS.home("bob"))["status"], "OK")  # a new one


class StoppedWorkersHoldNoThread(WorkersTest):
    """The worker deadline is the default 300 s, beyond the test client's own 30 s: a request to a
    stopped worker is answered only because the server sees it stopped. A user who stopped their
    workers again and again once held every blocking thread (4) for minutes with four requests,
    and every other user's file requests waited."""
    runas = "workers_per_user = 8"

    def test_requests_to_stopped_workers_end_and_other_users_are_served(self):
        home = USERS.home("alice")
        for _ in range(2):
            # Each round: she has a worker for each thread (requests at once), stops them all, as a
            # loop of `kill -STOP -1` of hers would, then sends more requests than there are
            # threads: the first ones go to her stopped workers.
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                for warm in [pool.submit(self.ls, self.alice, home) for _ in range(8)]:
                    self.assertEqual(warm.result()["status"], "OK")
                mine = [p for p, (a, _) in serving_workers(self.server).items() if a == self.alice]
                self.assertGreaterEqual(len(mine), 2)
                for pid in mine:
                    os.kill(pid, signal.SIGSTOP)
                theirs = [pool.submit(self.call, "GET", f"/utilities/ls/perlmutter/{home}", self.alice)
                          for _ in range(8)]
                self.assertEqual(self.ls(self.bob, USERS.home("bob"))["status"], "OK")
                answers = [f.result() for f in theirs]
            for r in answers:
                self.assertIn(r.status, (200, 503), r)
                if r.status == 503:
                    self.assertEqual(r.json(), {"detail": STOPPED})
        self.assertEqual(self.ls(self.alice, home)["status"], "OK")
        for pid in [p for p, (a, _) in serving_workers(self.server).items() if a == self.alice]:
            os.kill(pid, signal.SIGCONT)


class OneWorkerForEveryone(WorkersTest):
    runas = "max_workers = 1"

    def test_the_cap_holds_and_the_least_recently_used_worker_makes_room(self):
        for i in range(6):
            account, name = [(self.alice, "alice"), (self.bob, "bob")][i % 2]
            self.assertEqual(self.ls(account, USERS.home(name))["status"], "OK")
            workers = serving_workers(self.server)
            self.assertLessEqual(len(workers), 1)
            self.assertEqual([a for a, _ in workers.values()], [account])
        # Requests at once beyond the cap use one-request workers: none fails.
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            replies = list(pool.map(
                lambda i: self.ls([self.alice, self.bob][i % 2], "/etc/hostname"), range(30)))
        self.assertEqual({r["status"] for r in replies}, {"OK"})


class PerOperationWorkers(WorkersTest):
    runas = 'workers = "per_operation"'

    def test_the_older_path_serves_without_long_lived_workers(self):
        home = USERS.home("alice")
        self.assertEqual(self.upload(self.alice, f"{home}/p.txt", b"per op")["status"], "OK")
        self.assertEqual(self.download(self.alice, f"{home}/p.txt")["file"], "per op")
        self.assertEqual(self.ls(self.alice, home)["status"], "OK")
        self.assertEqual(os.stat(f"{home}/p.txt").st_uid, self.uid("alice"))
        self.assertEqual(serving_workers(self.server), {})


if __name__ == "__main__":
    unittest.main()
