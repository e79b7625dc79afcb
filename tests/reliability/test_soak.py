"""Soak: 1,000 concurrent keep-alive connections for a bounded time, each sending a mix of
requests one after another (the public status, a task, the job queue, the account's projects,
and now and then a command), as one client's many workers or a notebook farm would
(needs root: a real Unix user).

Asserted: every request answered 200 (0 errors, 0 connections dropped); sfapid's memory (RSS)
stable once warm: the growth after the first quarter of the run stays under a bound far below a
leak's (a leak of one buffer per request would show as tens of MB). Printed: requests, req/s, p50
and p99 latency, RSS at warm and at the end, and the growth per 10 minutes.

The short form (make test) runs 30 s; SFAPID_SOAK_SECONDS=N runs longer (the long form's figures
go to docs/benchmarks.md)."""

import asyncio
import os
import statistics
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))

from compute_helpers import compute_systems  # noqa: E402
from harness import PREFIX, ModuleUsers, Server, client_key, fetch_token  # noqa: E402
from proc_stats import rss_mb  # noqa: E402

USERS = ModuleUsers("alice")
setUpModule = USERS.create
tearDownModule = USERS.remove

CONNECTIONS = 1000
SECONDS = float(os.environ.get("SFAPID_SOAK_SECONDS", "30"))
# Growth allowed after warm-up over the short form: allocator arenas settle for a while under
# 1,000 connections; a per-request leak at these rates would pass it within seconds.
MAX_GROWTH_MB = 24


def mix(i, n):
    """The n-th request of connection i: mostly reads, a command once in a while."""
    # One task by id, not the whole list: the commands add tasks all along, and a list that grows
    # would measure the data set rather than the server.
    reads = ["/status/perlmutter", "/tasks/{task}", "/compute/jobs/perlmutter?kwargs=user%3D{user}",
             "/account/projects", "/status"]
    if n % 50 == 49 and i % 10 == 0:
        return "POST", "/utilities/command/perlmutter", b"executable=true"
    return "GET", reads[(i + n) % len(reads)], None


class Soak(unittest.TestCase):
    def test_a_thousand_keep_alive_connections_get_every_answer_and_memory_stays_flat(self):
        # No rate limits and no per-address share: the load is one address on purpose.
        server = Server(
            server_options=f"max_connections = {CONNECTIONS + 64}\nmax_connections_per_address = 0",
            # One token for the whole run (the long form outlasts the default 10 minutes).
            extra="[rate_limits]\nreads_per_client = 0\nreads_per_address = 0\n"
                  "commands_per_client = 0\ncommands_per_address = 0\n"
                  f"[auth]\naccess_token_lifetime_seconds = {int(SECONDS) + 600}\n",
            systems=compute_systems(nodes=1, cpus_per_node=2))
        server.start()
        self.addCleanup(server.cleanup)
        alice = USERS.accounts["alice"]
        token = fetch_token(server, client_key(server, alice, "red")[0])
        first = server.request("POST", PREFIX + "/utilities/command/perlmutter", body=b"executable=true",
                               headers={"Authorization": f"Bearer {token}",
                                        "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(first.status, 200, first)
        self.task_id = first.json()["task_id"]
        stats = asyncio.run(self.load(server.port, token, alice, server.proc.pid))
        self.assertEqual(stats["errors"], [], stats["errors"][:5])
        self.assertEqual(stats["dropped"], 0)
        lat = sorted(stats["latencies"])
        p50 = statistics.median(lat) * 1000
        p99 = lat[int(len(lat) * 0.99)] * 1000
        growth = stats["rss_end"] - stats["rss_warm"]
        per_10_min = growth / (stats["measured_seconds"] / 600)
        print(f"\n  soak: {CONNECTIONS} connections, {SECONDS:.0f} s: {len(lat)} requests "
              f"({len(lat) / stats['seconds']:.0f}/s), p50 {p50:.1f} ms, p99 {p99:.1f} ms; RSS "
              f"warm {stats['rss_warm']:.1f} MB, end {stats['rss_end']:.1f} MB, growth "
              f"{growth:+.1f} MB ({per_10_min:+.1f} MB per 10 min)", file=sys.stderr)
        self.assertGreater(len(lat), CONNECTIONS * 2)
        self.assertLess(growth, MAX_GROWTH_MB, "RSS grew after warm-up")

    async def load(self, port, token, user, pid):
        stats = {"errors": [], "dropped": 0, "latencies": []}
        started = time.time()
        deadline = started + SECONDS
        warm_at = started + SECONDS / 4
        rss = {}

        async def sample():
            while time.time() < deadline:
                await asyncio.sleep(0.5)
                if time.time() >= warm_at and "warm" not in rss:
                    rss["warm"], rss["warm_time"] = rss_mb(pid), time.time()
            rss["end"] = rss_mb(pid)

        async def connection(i):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError as e:
                stats["errors"].append(f"connect: {e}")
                return
            n = 0
            try:
                while time.time() < deadline:
                    method, path, body = mix(i, n)
                    path = path.replace("{user}", user).replace("{task}", self.task_id)
                    head = (f"{method} {PREFIX}{path} HTTP/1.1\r\nHost: soak\r\n"
                            f"Authorization: Bearer {token}\r\n")
                    if body is not None:
                        head += ("Content-Type: application/x-www-form-urlencoded\r\n"
                                 f"Content-Length: {len(body)}\r\n")
                    sent = time.time()
                    writer.write(head.encode() + b"\r\n" + (body or b""))
                    await writer.drain()
                    status_line = await reader.readline()
                    if not status_line:
                        stats["dropped"] += 1
                        return
                    length = 0
                    while True:
                        line = await reader.readline()
                        if line in (b"\r\n", b""):
                            break
                        name, _, value = line.decode().partition(":")
                        if name.lower() == "content-length":
                            length = int(value)
                    await reader.readexactly(length)
                    stats["latencies"].append(time.time() - sent)
                    status = int(status_line.split()[1])
                    if status != 200:
                        stats["errors"].append(f"{method} {path}: {status}")
                    n += 1
            except (OSError, asyncio.IncompleteReadError) as e:
                stats["errors"].append(f"connection {i}: {e!r}")
            finally:
                writer.close()

        await asyncio.gather(sample(), *(connection(i) for i in range(CONNECTIONS)))
        stats["seconds"] = time.time() - started
        stats["rss_warm"] = rss["warm"]
        stats["rss_end"] = rss["end"]
        stats["measured_seconds"] = time.time() - rss["warm_time"]
        return stats


if __name__ == "__main__":
    unittest.main()
