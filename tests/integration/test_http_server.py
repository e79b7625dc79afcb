"""The HTTP layer through the real server: error shapes, request ids, limits, timeouts,
connection caps and graceful shutdown."""

import re
import signal
import socket
import threading
import time
import unittest

from harness import PREFIX, Server, ServerTest, read_all


class ErrorsAndHeaders(ServerTest):
    server_options = "max_body_bytes = 4096\nmax_header_bytes = 2048"

    def test_unknown_route_is_fastapi_404(self):
        for path in ["/nosuch", PREFIX + "/nosuch", PREFIX + "/status/perlmutter/extra"]:
            r = self.server.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertEqual(r.json(), {"detail": "Not Found"})
            self.assertEqual(r.headers["content-type"], "application/json")

    def test_wrong_method_is_405(self):
        r = self.server.request("DELETE", PREFIX + "/status")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.json(), {"detail": "Method Not Allowed"})

    def test_head_is_get_without_body(self):
        r = self.server.request("HEAD", PREFIX + "/status/perlmutter")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")
        self.assertEqual(int(r.headers["content-length"]), len(self.api("/status/perlmutter").body))

    def test_request_id_is_echoed_or_generated(self):
        r = self.api("/status", headers={"X-Request-ID": "abc-123"})
        self.assertEqual(r.headers["x-request-id"], "abc-123")
        generated = self.api("/status").headers["x-request-id"]
        self.assertRegex(generated, r"^[0-9a-f]{16}$")
        # An unusable id (control characters, too long) is replaced, never echoed.
        r = self.api("/status", headers={"X-Request-ID": "x" * 200})
        self.assertRegex(r.headers["x-request-id"], r"^[0-9a-f]{16}$")
        self.wait_for(lambda: "rid=abc-123" in self.server.read_log(), what="access log line")
        line = [l for l in self.server.read_log().splitlines() if "rid=abc-123" in l][0]
        self.assertRegex(line, r'127\.0\.0\.1 "GET /api/v1\.2/status" 200 \d+ [\d.]+ms rid=abc-123$')

    def test_oversize_body_is_413_and_changes_nothing(self):
        r = self.server.request("POST", PREFIX + "/status", body=b"x" * 5000,
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 413)
        self.assertEqual(r.json(),
                         {"detail": "Request body is larger than this route accepts (4096 bytes)"})
        # Chunked bodies are counted as they arrive.
        sock = self.server.connect()
        sock.sendall(b"POST " + PREFIX.encode() + b"/status HTTP/1.1\r\nHost: x\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n" + (b"400\r\n" + b"y" * 1024 + b"\r\n") * 5)
        reply = read_all(sock)
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:100])
        sock.close()
        self.assertEqual(self.api("/status").status, 200)

    def test_malformed_query_is_422(self):
        r = self.api("/status?sacct=%zz")
        self.assertEqual(r.status, 422)
        detail = r.json()["detail"]
        self.assertEqual(detail[0]["loc"], ["query"])
        self.assertEqual(detail[0]["type"], "value_error")
        self.assertIn("malformed %-escape", detail[0]["msg"])

    def test_malformed_path_escape_is_400(self):
        r = self.api("/status/per%zzmutter")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json(), {"detail": "Malformed %-escape in the request path"})

    def test_oversize_headers_are_431(self):
        r = self.api("/status", headers={"X-Big": "z" * 4000})
        self.assertEqual(r.status, 431)
        self.assertIn("Request headers are larger than 2048 bytes", r.json()["detail"])

    def test_garbage_is_400(self):
        sock = self.server.connect()
        sock.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        reply = read_all(sock)
        sock.close()
        self.assertTrue(reply.startswith(b"HTTP/1.1 400"), reply[:100])
        self.assertIn(b'"detail":"Malformed HTTP request', reply)

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        sock = self.server.connect()
        req = b"GET " + PREFIX.encode() + b"/status/dtns HTTP/1.1\r\nHost: x\r\n\r\n"
        sock.sendall(req * 3)  # pipelined
        data = b""
        sock.settimeout(5)
        while data.count(b"HTTP/1.1 200") < 3:
            chunk = sock.recv(65536)
            self.assertTrue(chunk, "connection closed early")
            data += chunk
        sock.close()

    def test_health_probes(self):
        self.assertEqual(self.server.get("/healthz").json(), {"status": "ok"})
        self.assertEqual(self.server.get("/readyz").json(), {"status": "ready"})


class Timeouts(ServerTest):
    server_options = "idle_timeout_seconds = 1\nrequest_timeout_seconds = 1"

    def test_silent_client_is_disconnected_after_idle_timeout(self):
        sock = self.server.connect()
        started = time.monotonic()
        sock.settimeout(10)
        self.assertEqual(sock.recv(100), b"")  # closed by the server, no bytes
        elapsed = time.monotonic() - started
        sock.close()
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 5)

    def test_slow_body_is_cut_off_after_request_timeout(self):
        sock = self.server.connect()
        started = time.monotonic()
        sock.sendall(b"POST " + PREFIX.encode() + b"/status HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 100\r\n\r\nonly part")
        self.assertEqual(read_all(sock), b"")
        self.assertLess(time.monotonic() - started, 5)
        sock.close()


def refused_while_held(server, held_count):
    """Holds `held_count` idle connections, then asks on one more: that one's whole reply."""
    held = [server.connect() for _ in range(held_count)]
    time.sleep(0.2)
    extra = server.connect()
    extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    reply = read_all(extra)
    extra.close()
    return reply, held


class ConnectionLimit(ServerTest):
    server_options = "max_connections = 2"

    def test_connections_over_the_limit_get_503(self):
        reply, held = refused_while_held(self.server, 2)
        self.assertTrue(reply.startswith(b"HTTP/1.1 503"), reply[:100])
        self.assertIn(b"Too many connections", reply)
        for s in held:
            s.close()
        time.sleep(0.2)
        self.assertEqual(self.server.get("/healthz").status, 200)


class ConnectionsPerAddress(ServerTest):
    server_options = "max_connections_per_address = 3"

    def test_one_address_cannot_hold_every_connection(self):
        reply, held = refused_while_held(self.server, 3)
        self.assertTrue(reply.startswith(b"HTTP/1.1 503"), reply[:100])
        self.assertIn(b"Retry-After: 1", reply)
        # Another address (127.0.0.2 reaches the same loopback listener) is still served.
        other = socket.socket()
        other.bind(("127.0.0.2", 0))
        other.connect(("127.0.0.1", self.server.port))
        other.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertTrue(read_all(other).startswith(b"HTTP/1.1 200"))
        other.close()
        for s in held:
            s.close()
        time.sleep(0.2)
        self.assertEqual(self.server.get("/healthz").status, 200)


class GracefulShutdown(unittest.TestCase):
    def test_sigterm_finishes_in_flight_requests_and_exits_0(self):
        server = Server().start()
        try:
            idle = server.connect()
            busy = server.connect()
            # A request whose body is still arriving is in flight when the signal comes.
            busy.sendall(b"GET " + PREFIX.encode() + b"/status/dtns HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Length: 4\r\n\r\nab")
            time.sleep(0.3)
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            # New connections are refused once the listener is closed.
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", server.port), timeout=2).recv(1)
            busy.sendall(b"cd")
            reply = read_all(busy)
            self.assertTrue(reply.startswith(b"HTTP/1.1 200"), reply[:200])
            self.assertIn(b"Connection: close", reply)
            self.assertIn(b'"name":"dtns"', reply)
            self.assertEqual(read_all(idle), b"")  # the idle connection was closed
            idle.close()
            busy.close()
            self.assertEqual(server.proc.wait(10), 0)
            self.assertIn("sfapid stopped", server.read_log())
        finally:
            server.cleanup()

    def test_with_drain_seconds_readyz_turns_unready_first_and_requests_are_still_served(self):
        server = Server("drain_seconds = 2").start()
        try:
            self.assertEqual(server.get("/readyz").status, 200)
            server.proc.send_signal(signal.SIGTERM)
            signalled = time.time()
            deadline = signalled + 1
            while time.time() < deadline and server.get("/readyz").status == 200:
                time.sleep(0.02)
            ready = server.get("/readyz")
            self.assertEqual((ready.status, ready.json()),
                             (503, {"detail": "this node is stopping: send requests to another node"}))
            # New connections and API requests are still served while the balancer notices,
            # each told to close its connection (keep-alive clients reconnect elsewhere).
            status = server.get(PREFIX + "/status/dtns")
            self.assertEqual(status.status, 200)
            self.assertEqual(status.json()["name"], "dtns")
            self.assertEqual(status.headers.get("connection"), "close")
            self.assertLess(time.time() - signalled, 2)
            self.assertEqual(server.proc.wait(10), 0)
            self.assertGreaterEqual(time.time() - signalled, 2, "stopped before the drain ended")
            log = server.read_log()
            self.assertIn("draining: /readyz answers 503 for 2 s", log)
            self.assertIn("sfapid stopped", log)
        finally:
            server.cleanup()

    def test_a_second_signal_while_draining_stops_at_once(self):
        server = Server("drain_seconds = 60").start()
        try:
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            self.assertEqual(server.get("/readyz").status, 503)
            server.proc.send_signal(signal.SIGINT)
            self.assertEqual(server.proc.wait(10), 0)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
