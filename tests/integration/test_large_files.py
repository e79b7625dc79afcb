"""Files of any size through the real server, as real Unix users (needs root): the streamed
download with Range/ETag/If-Range and the resumable upload (sfapid extensions, docs/large-files.md),
including 3 GiB each way with a cut connection, a retried chunk and a restart in the middle."""

import hashlib
import http.client
import json
import os
import random
import subprocess
import time
import unittest
import urllib.parse

from harness import PREFIX, ModuleUsers, Server, client_token

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove

GIB = 1 << 30
BIG = 3 * GIB
CHUNK = 64 << 20

SYSTEMS = """
[[systems]]
name = "perlmutter"
system_type = "compute"

[[systems]]
name = "dtns"
system_type = "filesystem"
roots = ["/"]
"""


def big_file(path, size):
    """`size` bytes that are not all alike (so a misplaced chunk changes the checksum), as root."""
    if not os.path.exists(path) or os.path.getsize(path) != size:
        # 64 MiB of random bytes, repeated with a counter at each MiB: fast to make, no two
        # MiB alike.
        seed = os.urandom(CHUNK)
        with open(path, "wb") as f:
            written = 0
            while written < size:
                block = bytearray(seed[:min(CHUNK, size - written)])
                for mib in range(0, len(block), 1 << 20):
                    block[mib:mib + 8] = (written + mib).to_bytes(8, "little")
                f.write(block)
                written += len(block)
    return path


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(8 << 20):
            h.update(chunk)
    return h.hexdigest()


class LargeFilesTest(unittest.TestCase):
    server_options = ""
    utilities = ""

    @classmethod
    def setUpClass(cls):
        extra = "[utilities]\n" + cls.utilities if cls.utilities else ""
        cls.server = Server(cls.server_options, extra, systems=SYSTEMS).start()
        cls.alice, cls.bob = USERS.accounts["alice"], USERS.accounts["bob"]
        cls.tokens = {}
        cls.refresh_tokens()

    @classmethod
    def refresh_tokens(cls):
        cls.tokens = {u: client_token(cls.server, u) for u in (cls.alice, cls.bob)}

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def call(self, method, path, user=None, body=None, headers=None, timeout=60):
        h = {"Authorization": f"Bearer {self.tokens[user or self.alice]}"}
        h.update(headers or {})
        return self.server.request(method, PREFIX + path, body=body, headers=h, timeout=timeout)

    def user_file(self, name, data, user=None, mode=0o644):
        user = user or self.alice
        path = os.path.join(USERS.home("alice" if user == self.alice else "bob"), name)
        with open(path, "wb") as f:
            f.write(data)
        pw = subprocess.run(["id", "-u", user], capture_output=True, text=True).stdout.strip()
        os.chown(path, int(pw), -1)
        os.chmod(path, mode)
        self.addCleanup(lambda: os.path.exists(path) and os.remove(path))
        return path

    def files_url(self, path, machine="dtns"):
        return f"/utilities/files/{machine}/{urllib.parse.quote(path)}"

    # --- uploads ---

    def start(self, path, size, user=None, machine="dtns"):
        return self.call("POST", "/utilities/uploads", user,
                         body=json.dumps({"machine": machine, "path": path, "size": size}).encode(),
                         headers={"Content-Type": "application/json"})

    def started(self, path, size, user=None):
        r = self.start(path, size, user)
        self.assertEqual(r.status, 201, r)
        upload = r.json()
        self.addCleanup(self.call, "DELETE", f"/utilities/uploads/{upload['upload_id']}", user)
        return upload

    def put(self, upload_id, offset, data, user=None):
        return self.call("PUT", f"/utilities/uploads/{upload_id}?offset={offset}", user, body=data,
                         headers={"Content-Type": "application/octet-stream"})

    def complete(self, upload_id, sha256, user=None):
        return self.call("POST", f"/utilities/uploads/{upload_id}/complete", user,
                         body=json.dumps({"sha256": sha256}).encode(),
                         headers={"Content-Type": "application/json"})


class Download(LargeFilesTest):
    def test_whole_file_with_etag_and_accept_ranges(self):
        data = os.urandom(300_000)
        path = self.user_file("dl-whole.bin", data)
        r = self.call("GET", self.files_url(path))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, data)
        self.assertEqual(r.headers["content-type"], "application/octet-stream")
        self.assertEqual(r.headers["content-length"], str(len(data)))
        self.assertEqual(r.headers["accept-ranges"], "bytes")
        self.assertRegex(r.headers["etag"], r'^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$')
        head = self.call("HEAD", self.files_url(path))
        self.assertEqual((head.status, head.body, head.headers["content-length"]),
                         (200, b"", str(len(data))))

    def test_ranges(self):
        data = bytes(range(256)) * 40  # 10 240 bytes
        path = self.user_file("dl-range.bin", data)
        for header, first, last in [("bytes=0-99", 0, 99), ("bytes=10000-", 10000, 10239),
                                    ("bytes=-40", 10200, 10239), ("bytes=10200-99999", 10200, 10239),
                                    ("BYTES=5-5", 5, 5)]:
            with self.subTest(range=header):
                r = self.call("GET", self.files_url(path), headers={"Range": header})
                self.assertEqual(r.status, 206, r)
                self.assertEqual(r.body, data[first:last + 1])
                self.assertEqual(r.headers["content-range"], f"bytes {first}-{last}/10240")

    def test_a_range_past_the_end_is_416(self):
        path = self.user_file("dl-416.bin", b"x" * 100)
        for header in ["bytes=100-", "bytes=500-600", "bytes=-0"]:
            with self.subTest(range=header):
                r = self.call("GET", self.files_url(path), headers={"Range": header})
                self.assertEqual(r.status, 416, r)
                self.assertEqual(r.headers["content-range"], "bytes */100")
                self.assertIn("outside", r.json()["detail"])

    def test_ranges_it_does_not_serve_as_parts_get_the_whole_file(self):
        path = self.user_file("dl-ignored.bin", b"0123456789")
        for header in ["bytes=0-1,4-5", "items=0-1", "bytes=5-2", "bytes=a-b"]:
            with self.subTest(range=header):
                r = self.call("GET", self.files_url(path), headers={"Range": header})
                self.assertEqual((r.status, r.body), (200, b"0123456789"))

    def test_if_range_with_another_etag_sends_the_whole_file(self):
        path = self.user_file("dl-ifrange.bin", b"0123456789")
        etag = self.call("GET", self.files_url(path)).headers["etag"]
        same = self.call("GET", self.files_url(path), headers={"Range": "bytes=5-",
                                                              "If-Range": etag})
        self.assertEqual((same.status, same.body), (206, b"56789"))
        with open(path, "wb") as f:
            f.write(b"abcdefghijklmnop")  # changed: the client's part belongs to another version
        r = self.call("GET", self.files_url(path), headers={"Range": "bytes=5-", "If-Range": etag})
        self.assertEqual((r.status, r.body), (200, b"abcdefghijklmnop"))
        self.assertNotEqual(r.headers["etag"], etag)
        self.assertEqual(self.call("GET", self.files_url(path),
                                   headers={"If-None-Match": r.headers["etag"]}).status, 304)
        # A cache holding several versions names them all; a weak tag matches too.
        listed = self.call("GET", self.files_url(path),
                           headers={"If-None-Match": f'{etag}, W/{r.headers["etag"]}'})
        self.assertEqual((listed.status, listed.body), (304, b""))
        self.assertEqual(self.call("GET", self.files_url(path),
                                   headers={"If-None-Match": etag}).status, 200)

    def test_a_file_the_user_cannot_read_is_refused(self):
        path = self.user_file("dl-private.bin", b"secret", user=self.bob, mode=0o600)
        r = self.call("GET", self.files_url(path))
        self.assertEqual(r.status, 403, r)
        self.assertIn("Permission denied", r.json()["detail"])
        self.assertEqual(self.call("GET", self.files_url("/etc/shadow")).status, 403)

    def test_missing_folders_and_unknown_systems(self):
        self.assertEqual(self.call("GET", self.files_url("/nonexistent/x")).status, 404)
        r = self.call("GET", self.files_url(USERS.home("alice")))
        self.assertEqual(r.status, 400, r)
        self.assertIn("not a regular file", r.json()["detail"])
        self.assertEqual(self.call("GET", self.files_url("/etc/hostname", "nosuch")).status, 404)

    def test_a_symlink_out_of_the_roots_is_refused(self):
        server = Server("", "", systems=SYSTEMS.replace('roots = ["/"]',
                                                        f'roots = ["{USERS.home("alice")}"]'))
        server.start()
        self.addCleanup(server.cleanup)
        link = os.path.join(USERS.home("alice"), "dl-escape")
        if os.path.lexists(link):
            os.remove(link)
        os.symlink("/etc/hostname", link)
        self.addCleanup(os.remove, link)
        token = client_token(server, self.alice)
        r = server.request("GET", PREFIX + self.files_url(link),
                           headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(r.status, 403, r)
        self.assertIn("outside", r.json()["detail"])

    def test_without_a_token_is_401(self):
        r = self.server.request("GET", PREFIX + self.files_url("/etc/hostname"))
        self.assertEqual(r.status, 401, r)

    def test_3_gib_download_cut_and_resumed_is_byte_identical(self):
        path = big_file(os.path.join(USERS.home("alice"), "dl-3g.bin"), BIG)
        os.chown(path, int(subprocess.run(["id", "-u", self.alice], capture_output=True,
                                          text=True).stdout), -1)
        self.addCleanup(os.remove, path)
        expected = sha256_of(path)
        h = hashlib.sha256()
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        conn.request("GET", PREFIX + self.files_url(path),
                     headers={"Authorization": f"Bearer {self.tokens[self.alice]}"})
        r = conn.getresponse()
        self.assertEqual((r.status, int(r.getheader("content-length"))), (200, BIG))
        etag, got = r.getheader("etag"), 0
        while got < GIB + 12345:  # cut in the middle, at no chunk boundary
            chunk = r.read(min(1 << 20, GIB + 12345 - got))
            h.update(chunk)
            got += len(chunk)
        conn.sock.close()
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        conn.request("GET", PREFIX + self.files_url(path),
                     headers={"Authorization": f"Bearer {self.tokens[self.alice]}",
                              "Range": f"bytes={got}-", "If-Range": etag})
        r = conn.getresponse()
        self.assertEqual(r.status, 206)
        self.assertEqual(r.getheader("content-range"), f"bytes {got}-{BIG - 1}/{BIG}")
        while chunk := r.read(1 << 20):
            h.update(chunk)
            got += len(chunk)
        conn.close()
        self.assertEqual((got, h.hexdigest()), (BIG, expected))


class Upload(LargeFilesTest):
    def target(self, name, user="alice"):
        path = os.path.join(USERS.home(user), name)
        self.addCleanup(lambda: os.path.exists(path) and os.remove(path))
        return path

    def test_chunks_in_any_order_make_the_file_as_the_user(self):
        data = os.urandom(1_000_000)
        path = self.target("up-small.bin")
        upload = self.started(path, len(data))
        self.assertEqual({k: upload[k] for k in ("machine", "path", "size", "state",
                                                 "received_bytes", "received", "sha256")},
                         {"machine": "dtns", "path": path, "size": len(data), "state": "open",
                          "received_bytes": 0, "received": [], "sha256": None})
        self.assertGreater(upload["chunk_max_bytes"], 0)
        part = [n for n in os.listdir(USERS.home("alice")) if n.startswith(".up-small.bin.")]
        self.assertEqual(len(part), 1, "the hidden part file is made at the start")
        self.assertFalse(os.path.exists(path))
        uid = upload["upload_id"]
        for offset in (600_000, 0, 300_000):
            r = self.put(uid, offset, data[offset:offset + 300_000])
            self.assertEqual(r.status, 200, r)
        r = self.put(uid, 900_000, data[900_000:])
        self.assertEqual(r.json()["received"], [{"offset": 0, "length": len(data)}])
        r = self.complete(uid, hashlib.sha256(data).hexdigest())
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["state"], r.json()["sha256"]),
                         ("complete", hashlib.sha256(data).hexdigest()))
        with open(path, "rb") as f:
            self.assertEqual(f.read(), data)
        st = os.stat(path)
        self.assertEqual((st.st_uid, oct(st.st_mode & 0o777)),
                         (int(subprocess.run(["id", "-u", self.alice], capture_output=True,
                                             text=True).stdout), "0o644"))
        self.assertEqual([n for n in os.listdir(USERS.home("alice"))
                          if n.startswith(".up-small.bin.")], [])
        # A repeated complete (the first answer was lost) answers the same.
        again = self.complete(uid, hashlib.sha256(data).hexdigest())
        self.assertEqual((again.status, again.json()["state"]), (200, "complete"))
        self.assertEqual(self.put(uid, 0, b"x").status, 409)

    def test_missing_bytes_are_listed_and_a_wrong_checksum_keeps_the_upload_open(self):
        path = self.target("up-missing.bin")
        uid = self.started(path, 1000)["upload_id"]
        self.put(uid, 0, b"a" * 100)
        self.put(uid, 500, b"b" * 100)
        r = self.complete(uid, hashlib.sha256(b"").hexdigest())
        self.assertEqual(r.status, 409, r)
        self.assertIn("missing bytes 100-499, 600-999", r.json()["detail"])
        self.put(uid, 100, b"c" * 400)
        self.put(uid, 600, b"d" * 400)
        r = self.complete(uid, "0" * 64)
        self.assertEqual(r.status, 400, r)
        self.assertIn("SHA-256", r.json()["detail"])
        self.assertFalse(os.path.exists(path))
        good = hashlib.sha256(b"a" * 100 + b"c" * 400 + b"b" * 100 + b"d" * 400).hexdigest()
        self.assertEqual(self.complete(uid, good).status, 200)
        self.assertTrue(os.path.exists(path))

    def part_of(self, name):
        """The hidden part file of an upload to `name` in alice's home."""
        home = USERS.home("alice")
        parts = [n for n in os.listdir(home) if n.startswith(f".{name}.sfapid-upload-")]
        self.assertEqual(len(parts), 1, parts)
        return os.path.join(home, parts[0])

    def test_what_is_put_in_the_part_files_place_is_never_committed(self):
        """The user swaps the part file for a FIFO (which once hung the worker for ever) or a
        hard link to another of their files: completing refuses, quickly, and leaves both alone."""
        uid_of_alice = int(subprocess.run(["id", "-u", self.alice], capture_output=True,
                                          text=True).stdout)
        for kind, expected in (("fifo", 400), ("hard link", 403)):
            with self.subTest(kind):
                name = f"up-swapped-{kind[0]}.bin"
                path = self.target(name)
                uid = self.started(path, 4)["upload_id"]
                self.assertEqual(self.put(uid, 0, b"data").status, 200)
                part = self.part_of(name)
                os.remove(part)
                if kind == "fifo":
                    os.mkfifo(part, 0o600)
                else:
                    other = self.user_file(f"other-{kind[0]}.txt", b"keep")
                    os.link(other, part)
                os.chown(part, uid_of_alice, -1, follow_symlinks=False)
                self.addCleanup(lambda p=part: os.path.lexists(p) and os.remove(p))
                r = self.complete(uid, hashlib.sha256(b"data").hexdigest())
                self.assertEqual(r.status, expected, r)
                self.assertFalse(os.path.exists(path))
                if kind == "hard link":
                    with open(other, "rb") as f:
                        self.assertEqual(f.read(), b"keep")
                # Still open: the user may put things right and complete again.
                self.assertEqual(self.call("GET", f"/utilities/uploads/{uid}").json()["state"],
                                 "open")

    def test_a_part_file_the_user_removed_is_404_when_completing(self):
        name = "up-removed.bin"
        path = self.target(name)
        uid = self.started(path, 2)["upload_id"]
        self.assertEqual(self.put(uid, 0, b"ok").status, 200)
        os.remove(self.part_of(name))
        r = self.complete(uid, hashlib.sha256(b"ok").hexdigest())
        self.assertEqual(r.status, 404, r)
        self.assertFalse(os.path.exists(path))

    def test_bad_input_changes_nothing(self):
        path = self.target("up-bad.bin")
        for body in [b"not json", b"[]", json.dumps({"machine": "dtns", "path": path}).encode(),
                     json.dumps({"machine": "dtns", "path": path, "size": "10"}).encode()]:
            with self.subTest(body=body):
                r = self.call("POST", "/utilities/uploads", body=body,
                              headers={"Content-Type": "application/json"})
                self.assertEqual(r.status, 422, r)
        for args, status in [(("relative/x", 10), 400), ((path, -1), 400),
                             ((USERS.home("alice") + "/", 10), 400),
                             (("/nonexistent/dir/x", 10), 404),
                             ((os.path.join(USERS.home("bob"), "x"), 10), 403)]:
            with self.subTest(args=args):
                self.assertEqual(self.start(*args).status, status)
        self.assertEqual(self.start(path, 10, machine="nosuch").status, 404)
        uid = self.started(path, 10)["upload_id"]
        self.assertEqual(self.put(uid, 5, b"123456").status, 400)  # past the end
        r = self.put(uid, 10**17, b"x" * 1000)  # far past the end: 400, nothing written
        self.assertEqual(r.status, 400, r)
        self.assertIn("is outside the upload's 10 bytes", r.json()["detail"])
        self.assertEqual(self.put(uid, 0, b"").status, 400)
        self.assertEqual(self.call("PUT", f"/utilities/uploads/{uid}?offset=-1",
                                   body=b"x").status, 422)
        self.assertEqual(self.call("PUT", f"/utilities/uploads/{uid}", body=b"x").status, 422)
        self.assertEqual(self.complete(uid, "XYZ").status, 400)
        self.assertEqual(self.call("GET", f"/utilities/uploads/{uid}").json()["received"], [])

    def test_another_user_cannot_see_or_touch_an_upload(self):
        uid = self.started(self.target("up-mine.bin"), 10)["upload_id"]
        for method, path, body in [("GET", f"/utilities/uploads/{uid}", None),
                                   ("PUT", f"/utilities/uploads/{uid}?offset=0", b"x"),
                                   ("POST", f"/utilities/uploads/{uid}/complete",
                                    json.dumps({"sha256": "0" * 64}).encode()),
                                   ("DELETE", f"/utilities/uploads/{uid}", None)]:
            with self.subTest(method=method):
                self.assertEqual(self.call(method, path, self.bob, body=body).status, 404)
        self.assertEqual(self.call("GET", f"/utilities/uploads/{uid}").status, 200)

    def test_a_start_sent_again_with_its_idempotency_key_is_the_same_upload(self):
        path, key = self.target("up-idem.bin"), "start-" + os.urandom(6).hex()
        body = json.dumps({"machine": "dtns", "path": path, "size": 10}).encode()
        first = self.call("POST", "/utilities/uploads", body=body,
                          headers={"Content-Type": "application/json", "Idempotency-Key": key})
        self.assertEqual(first.status, 201, first)
        self.addCleanup(self.call, "DELETE", f"/utilities/uploads/{first.json()['upload_id']}")
        again = self.call("POST", "/utilities/uploads", body=body,
                          headers={"Content-Type": "application/json", "Idempotency-Key": key})
        self.assertEqual((again.status, again.json()["upload_id"],
                          again.headers.get("idempotency-key-reply")),
                         (201, first.json()["upload_id"], "hit"))
        parts = [n for n in os.listdir(USERS.home("alice")) if n.startswith(".up-idem.bin.")]
        self.assertEqual(len(parts), 1, parts)

    def test_abort_removes_the_part_file(self):
        path = self.target("up-abort.bin")
        uid = self.started(path, 10)["upload_id"]
        self.put(uid, 0, b"12345")
        r = self.call("DELETE", f"/utilities/uploads/{uid}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([n for n in os.listdir(USERS.home("alice"))
                          if n.startswith(".up-abort.bin.")], [])
        self.assertEqual(self.call("GET", f"/utilities/uploads/{uid}").status, 404)

    def test_3_gib_upload_with_a_retried_chunk_and_a_restart_is_byte_identical(self):
        source = big_file("/var/tmp/sfapid-test-up-3g.bin", BIG)
        self.addCleanup(os.remove, source)
        expected = sha256_of(source)
        path = self.target("up-3g.bin")
        uid = self.started(path, BIG)["upload_id"]
        offsets = list(range(0, BIG, CHUNK))
        random.Random(7).shuffle(offsets)  # any order
        with open(source, "rb") as f:
            for i, offset in enumerate(offsets):
                f.seek(offset)
                chunk = f.read(CHUNK)
                if i == 5:  # a chunk whose answer was lost is sent again
                    self.assertEqual(self.put(uid, offset, chunk).status, 200)
                if i == len(offsets) // 2:  # the server restarts in the middle
                    self.server.stop()
                    self.server.start()
                    self.refresh_tokens()
                r = self.put(uid, offset, chunk)
                self.assertEqual(r.status, 200, r)
        state = self.call("GET", f"/utilities/uploads/{uid}").json()
        self.assertEqual((state["received_bytes"], state["received"]),
                         (BIG, [{"offset": 0, "length": BIG}]))
        r = self.complete(uid, expected)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sha256_of(path), expected)


class SmallChunks(LargeFilesTest):
    utilities = "upload_chunk_max_bytes = 1000\nupload_expiry_hours = 0.0005\n"

    def test_a_chunk_over_the_limit_is_413(self):
        uid = self.started(os.path.join(USERS.home("alice"), "up-413.bin"), 5000)["upload_id"]
        self.assertEqual(self.put(uid, 0, b"x" * 1001).status, 413)
        self.assertEqual(self.put(uid, 0, b"x" * 1000).status, 200)

    def test_an_unfinished_upload_is_removed_after_its_expiry(self):
        home = USERS.home("alice")
        r = self.start(os.path.join(home, "up-expire.bin"), 10)
        uid = r.json()["upload_id"]
        self.put(uid, 0, b"x")
        time.sleep(2.5)  # 0.0005 h = 1.8 s; the next start purges
        self.started(os.path.join(home, "up-expire-2.bin"), 10)
        self.assertEqual(self.call("GET", f"/utilities/uploads/{uid}").status, 404)
        self.assertEqual([n for n in os.listdir(home) if n.startswith(".up-expire.bin.")], [])

    def test_an_unfinished_upload_is_removed_on_time_with_no_other_request(self):
        home = USERS.home("alice")
        uid = self.started(os.path.join(home, "up-timer.bin"), 10)["upload_id"]
        self.assertEqual(self.put(uid, 0, b"x").status, 200)
        # 0.0005 h = 1.8 s to expire, then a purge pass every 1.8 s: gone within a few seconds.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(
                n.startswith(".up-timer.bin.") for n in os.listdir(home)):
            time.sleep(0.2)
        self.assertEqual([n for n in os.listdir(home) if n.startswith(".up-timer.bin.")], [])
        self.assertEqual(self.call("GET", f"/utilities/uploads/{uid}").status, 404)


if __name__ == "__main__":
    unittest.main()
