"""Transfers (/storage/globus/transfer) through the real server, by rsync as real Unix users
(needs root)."""

import os
import signal
import subprocess
import time
import unittest
import urllib.parse

from event_stream import EventStream
from harness import PREFIX, ModuleUsers, Server, client_token

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove

SYSTEMS = """
[transfers]
rsync_options = ["--bwlimit=150M"]

[[systems]]
name = "perlmutter"
system_type = "compute"

[[systems]]
name = "dtns"
system_type = "filesystem"

[[systems]]
name = "globus"
system_type = "service"
"""


def as_user(name, command):
    subprocess.run(["su", "-s", "/bin/bash", "-c", command, USERS.accounts[name]], check=True,
                   cwd="/")


def check_permissions(test, suffix):
    """Bob can neither copy alice's 0600 file nor write into her home."""
    home, bob_home = USERS.home("alice"), USERS.home("bob")
    as_user("alice", f"echo secret > {home}/private{suffix} && chmod 600 {home}/private{suffix}")
    t = test.wait(test.start(f"{home}/private{suffix}", f"{bob_home}/stolen{suffix}", user="bob")["transfer_id"],
                  user="bob")
    test.assertEqual(t["globus_status"], "FAILED")
    test.assertIn("Permission denied", t["reason"])
    test.assertFalse(os.path.exists(f"{bob_home}/stolen{suffix}"))
    as_user("bob", f"echo mine > {bob_home}/mine{suffix}x")
    t = test.wait(test.start(f"{bob_home}/mine{suffix}x", f"{home}/planted{suffix}", user="bob")["transfer_id"],
                  user="bob")
    test.assertEqual(t["globus_status"], "FAILED")
    test.assertFalse(os.path.exists(f"{home}/planted{suffix}"))


class TransferTest(unittest.TestCase):
    """With rsync_options set, every transfer goes through rsync (slowed down, to watch it run)."""

    systems = SYSTEMS

    def setUp(self):
        self.server = Server(systems=self.systems).start()
        self.home = USERS.home("alice")
        self.tokens = {n: client_token(self.server, USERS.accounts[n], "yellow") for n in ["alice", "bob"]}

    def tearDown(self):
        self.server.cleanup()

    def call(self, method, path, body=None, user="alice"):
        h = {"Authorization": f"Bearer {self.tokens[user]}",
             "Content-Type": "application/x-www-form-urlencoded"}
        return self.server.request(method, PREFIX + path, body=body, headers=h)

    def start(self, source, target, src_ep="dtn", dst_ep="perlmutter", user="alice", label="t"):
        body = urllib.parse.urlencode({"source_uuid": src_ep, "target_uuid": dst_ep, "source_dir": source,
                                       "target_dir": target, "label": label}).encode()
        r = self.call("POST", "/storage/globus/transfer", body, user)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(set(body), {"transfer_id", "status", "reason"})
        return body

    def check(self, transfer_id, user="alice"):
        r = self.call("GET", f"/storage/globus/transfer/{transfer_id}", user=user)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def wait(self, transfer_id, user="alice", timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.check(transfer_id, user)
            if t["globus_status"] != "ACTIVE":
                return t
            time.sleep(0.1)
        self.fail("transfer did not end")

    def test_file_to_file(self):
        as_user("alice", f"printf 'hello transfer\\n' > {self.home}/a.txt")
        started = self.start(f"{self.home}/a.txt", f"{self.home}/out/b.txt")
        self.assertEqual(started["status"], "OK")
        self.assertIsNone(started["reason"])
        t = self.wait(started["transfer_id"])
        self.assertEqual(t["globus_status"], "SUCCEEDED", t)
        self.assertEqual(t["status"], "OK")
        self.assertEqual(t["bytes_transferred"], 15)
        self.assertIsNotNone(t["completion_time"])
        self.assertIsInstance(t["effective_bytes_per_second"], int)
        with open(f"{self.home}/out/b.txt") as f:
            self.assertEqual(f.read(), "hello transfer\n")
        st = os.stat(f"{self.home}/out/b.txt")
        self.assertEqual(st.st_uid, int(subprocess.check_output(["id", "-u", USERS.accounts["alice"]])))

    def test_start_and_end_are_events_of_the_owner(self):
        as_user("alice", f"printf 'x' > {self.home}/e.txt")
        tid = self.start(f"{self.home}/e.txt", f"{self.home}/e-copy.txt")["transfer_id"]
        self.assertEqual(self.wait(tid)["globus_status"], "SUCCEEDED")
        s = EventStream(self.server, self.tokens["alice"], query="kind=transfer", last_event_id=0)
        self.addCleanup(s.close)
        events = s.events_of("transfer", tid, lambda d: d["status"] != "ACTIVE")
        self.assertEqual([e["data"]["status"] for e in events], ["ACTIVE", "SUCCEEDED"])
        self.assertEqual({k: events[0]["data"][k] for k in ("kind", "transfer_id", "user")},
                         {"kind": "transfer", "transfer_id": tid,
                          "user": USERS.accounts["alice"]})

    def test_folder_to_folder(self):
        as_user("alice", f"mkdir -p {self.home}/tree/sub && echo 1 > {self.home}/tree/one && "
                         f"echo 2 > {self.home}/tree/sub/two && ln -s one {self.home}/tree/link")
        t = self.wait(self.start(f"{self.home}/tree", f"{self.home}/copy")["transfer_id"])
        self.assertEqual(t["globus_status"], "SUCCEEDED", t)
        self.assertEqual(open(f"{self.home}/copy/sub/two").read(), "2\n")
        self.assertEqual(os.readlink(f"{self.home}/copy/link"), "one")

    def test_large_file_with_progress(self):
        size = 1024 ** 3
        as_user("alice", f"head -c {size} /dev/zero > {self.home}/big")
        transfer_id = self.start(f"{self.home}/big", f"{self.home}/big.copy")["transfer_id"]
        seen = []
        deadline = time.time() + 120
        while time.time() < deadline:
            t = self.check(transfer_id)
            if t["globus_status"] != "ACTIVE":
                break
            if 0 < t["bytes_transferred"] < size:
                seen.append(t["bytes_transferred"])
                self.assertGreater(t["effective_bytes_per_second"], 0)
                # Never a partial file under the final name. (It may already be there, whole:
                # the copy can finish between the status read and this check.)
                try:
                    self.assertEqual(os.path.getsize(f"{self.home}/big.copy"), size, "half a file looks complete")
                except FileNotFoundError:
                    pass
            time.sleep(0.2)
        self.assertEqual(t["globus_status"], "SUCCEEDED", t)
        self.assertGreaterEqual(len(seen), 2, "no progress seen while it ran")
        self.assertEqual(seen, sorted(seen))
        self.assertEqual(t["bytes_transferred"], size)
        self.assertEqual(os.path.getsize(f"{self.home}/big.copy"), size)

    def test_permission_refused(self):
        check_permissions(self, "")
        bob_home = USERS.home("bob")
        as_user("bob", f"echo mine > {bob_home}/mine")
        # Another user's transfer is not found.
        mine = self.start(f"{bob_home}/mine", f"{bob_home}/mine2", user="bob")["transfer_id"]
        self.assertEqual(self.call("GET", f"/storage/globus/transfer/{mine}").status, 404)

    def test_missing_source_and_bad_input(self):
        r = self.start(f"{self.home}/nope", f"{self.home}/x")
        self.assertEqual(r["status"], "ERROR")
        self.assertIn("No such file or directory", r["reason"])
        r = self.start("relative/path", f"{self.home}/x")
        self.assertEqual(r["status"], "ERROR")
        self.assertIn("must be absolute", r["reason"])
        r = self.start(f"{self.home}", f"{self.home}/x", src_ep="nowhere")
        self.assertEqual((r["status"], r["reason"]), ("ERROR", "unknown source endpoint 'nowhere'"))
        r = self.call("POST", "/storage/globus/transfer", b"source_uuid=dtn")
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["detail"][0]["loc"], ["body", "target_uuid"])
        self.assertEqual(self.call("GET", "/storage/globus/transfer/nosuch").status, 404)

    def test_cancel(self):
        transfer_id = self.start_big_copy("big2")
        r = self.call("DELETE", f"/storage/globus/transfer/{transfer_id}")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["globus_status"], "CANCELED")
        self.assertFalse(os.path.exists(f"{self.home}/big2.copy"))
        self.assertFalse(self.rsync_runs(), "rsync still runs after the cancel answered")

    def test_restart_mid_transfer(self):
        transfer_id = self.start_big_copy("big3")
        self.server.stop(signal.SIGKILL)
        deadline = time.time() + 5
        while self.rsync_runs() and time.time() < deadline:
            time.sleep(0.1)
        self.assertFalse(self.rsync_runs(), "rsync outlived sfapid")
        self.server.proc = None
        self.server.start()
        self.tokens["alice"] = client_token(self.server, USERS.accounts["alice"], "yellow")
        t = self.check(transfer_id)
        self.assertEqual(t["globus_status"], "FAILED")
        self.assertIn("sfapid restarted (or the node running it stopped) during the transfer", t["reason"])
        self.assertFalse(os.path.exists(f"{self.home}/big3.copy"))

    def start_big_copy(self, name):
        """Starts copying a 1 GiB file and returns once bytes have moved."""
        as_user("alice", f"head -c {1024 ** 3} /dev/zero > {self.home}/{name}")
        transfer_id = self.start(f"{self.home}/{name}", f"{self.home}/{name}.copy")["transfer_id"]
        deadline = time.time() + 30
        while self.check(transfer_id)["bytes_transferred"] == 0 and time.time() < deadline:
            time.sleep(0.1)
        return transfer_id

    def rsync_runs(self):
        """Live (not zombie) rsync processes of alice."""
        out = subprocess.run(["ps", "-u", USERS.accounts["alice"], "-o", "stat=,comm="],
                             capture_output=True, text=True).stdout
        return [l for l in out.splitlines() if l.split()[-1] == "rsync" and not l.startswith("Z")]

    def test_globus_status_resource(self):
        r = self.server.get(PREFIX + "/status/globus")
        self.assertEqual(r.json()["name"], "globus")


class SameHostCopy(unittest.TestCase):
    """Without rsync options, one file is copied inside the kernel (copy_file_range)."""

    def setUp(self):
        self.server = Server(systems=SYSTEMS.replace('rsync_options = ["--bwlimit=150M"]', "")).start()
        self.home = USERS.home("alice")
        self.tokens = {n: client_token(self.server, USERS.accounts[n], "yellow") for n in ["alice", "bob"]}

    def tearDown(self):
        self.server.cleanup()

    call = TransferTest.call
    start = TransferTest.start
    check = TransferTest.check
    wait = TransferTest.wait

    def test_file_copy_keeps_content_mode_times_and_owner(self):
        size = 300 * 1024 * 1024 + 7
        as_user("alice", f"head -c {size} /dev/urandom > {self.home}/r.bin && chmod 640 {self.home}/r.bin "
                         f"&& touch -d 2020-01-02T03:04:05 {self.home}/r.bin")
        t = self.wait(self.start(f"{self.home}/r.bin", f"{self.home}/deep/er/r.copy")["transfer_id"])
        self.assertEqual(t["globus_status"], "SUCCEEDED", t)
        self.assertEqual(t["bytes_transferred"], size)
        src, dst = os.stat(f"{self.home}/r.bin"), os.stat(f"{self.home}/deep/er/r.copy")
        self.assertEqual((dst.st_size, dst.st_mode, int(dst.st_mtime), dst.st_uid),
                         (src.st_size, src.st_mode, int(src.st_mtime), src.st_uid))
        self.assertEqual(subprocess.run(["cmp", f"{self.home}/r.bin", f"{self.home}/deep/er/r.copy"]).returncode, 0)
        self.assertEqual([n for n in os.listdir(f"{self.home}/deep/er") if n.startswith(".")], [])
        # Into an existing folder, the file keeps its name.
        t = self.wait(self.start(f"{self.home}/r.bin", f"{self.home}/deep")["transfer_id"])
        self.assertEqual(t["globus_status"], "SUCCEEDED", t)
        self.assertTrue(os.path.isfile(f"{self.home}/deep/r.bin"))

    def test_permissions_still_apply(self):
        check_permissions(self, "2")


if __name__ == "__main__":
    unittest.main()
