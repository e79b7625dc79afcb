"""The event stream (GET /api/v1.2/events, Server-Sent Events) and long-poll (wait=, until=)
through the real server, as real Unix users, on the local scheduler (test_events_slurm runs the job
classes again on real Slurm): an event for each state of a job and a task, resume without loss or
repeat, users kept apart, a client too far behind told and dropped, heartbeats, long-poll returning
on change and on timeout without holding a thread, and bad input."""

import re
import threading
import time
import unittest

from compute_helpers import ComputeTest, script
from event_stream import EventStream
from harness import PREFIX, ModuleUsers, wait_until

USERS = ModuleUsers("alice", "bob")
setUpModule = USERS.create
tearDownModule = USERS.remove

EVENTS = """
[events]
heartbeat_seconds = 0.5
queue_events = 10
max_streams_per_user = 4
max_wait_seconds = 60
"""


class EventsTest(ComputeTest):
    users = USERS
    extra = EVENTS
    server_options = "blocking_threads = 4\n"
    # How long a job whose every state is awaited runs: on Slurm, long enough for the watcher's
    # look (each refresh interval) to see it running.
    job_seconds = 1

    def stream(self, user=None, status=200, **kw):
        s = EventStream(self.server, self.tokens[self.user(user)], **kw)
        self.addCleanup(s.close)
        self.assertEqual(s.resp.status, status, s.resp.read() if s.resp.status != status else "")
        return s

    def job_events(self, stream, jobid, until="COMPLETED"):
        """The states of this job's events, in order, up to `until`."""
        states = []
        while True:
            e = stream.next_event("job")
            self.assertIsNotNone(e, f"the stream ended before job {jobid} was {until}")
            if e["data"]["jobid"] != jobid:
                continue
            states.append(e)
            if e["data"]["state"] == until:
                return states


class JobEvents(EventsTest):
    def test_each_state_of_a_job_is_an_event_in_order(self):
        s = self.stream(query="kind=job")
        self.assertEqual(s.resp.status, 200)
        self.assertEqual(s.resp.getheader("Content-Type"), "text/event-stream")
        self.assertEqual(s.resp.getheader("Cache-Control"), "no-cache")
        jobid = self.submit(script(f"sleep {self.job_seconds}"))
        events = self.job_events(s, jobid)
        self.assertEqual([e["data"]["state"] for e in events], ["PENDING", "RUNNING", "COMPLETED"])
        ids = [int(e["id"]) for e in events]
        self.assertEqual(ids, sorted(ids))
        last = events[-1]["data"]
        self.assertEqual({k: last[k] for k in ("kind", "object_id", "user", "machine", "jobid",
                                               "exit_code")},
                         {"kind": "job", "object_id": f"perlmutter/{jobid}", "user": self.alice,
                          "machine": "perlmutter", "jobid": jobid, "exit_code": "0:0"})
        self.assertEqual(last["event_id"], ids[-1])
        self.assertRegex(last["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")

    def test_a_failed_job_ends_failed_with_its_exit_code(self):
        s = self.stream(query="kind=job")
        jobid = self.submit(script("exit 3"))
        events = self.job_events(s, jobid, until="FAILED")
        self.assertEqual(events[-1]["data"]["exit_code"], "3:0")

    def test_long_poll_answers_when_the_job_reaches_the_state(self):
        jobid = self.submit(script("sleep 1"))
        started = time.monotonic()
        r = self.call("GET", f"/compute/jobs/perlmutter/{jobid}?wait=30&until=completed")
        self.assertEqual(r.status, 200, r)
        self.assertLess(time.monotonic() - started, 25)
        self.assertEqual(r.json()["output"][0]["state"], "COMPLETED")
        self.assertEqual(r.headers["x-sfapid-waited"], "changed")

    def test_long_poll_until_a_state_that_cannot_come_answers_at_the_end(self):
        jobid = self.submit(script("exit 2"))
        r = self.call("GET", f"/compute/jobs/perlmutter/{jobid}?wait=30&until=COMPLETED")
        self.assertEqual(r.json()["output"][0]["state"], "FAILED")

    def test_long_poll_times_out_with_the_state_as_it_is(self):
        jobid = self.submit(script("sleep 60"))
        self.wait_running(jobid)
        started = time.monotonic()
        r = self.call("GET", f"/compute/jobs/perlmutter/{jobid}?wait=1&until=COMPLETED")
        self.assertGreaterEqual(time.monotonic() - started, 0.9)
        self.assertEqual((r.status, r.headers["x-sfapid-waited"]), (200, "timeout"))
        self.assertEqual(r.json()["output"][0]["state"], "RUNNING")
        # `changed` (the default) answers at the next change: the cancel.
        result = {}
        poller = threading.Thread(target=lambda: result.update(
            r=self.call("GET", f"/compute/jobs/perlmutter/{jobid}?wait=30")))
        poller.start()
        time.sleep(0.5)
        self.cancel(jobid)
        poller.join(40)
        self.assertEqual(result["r"].json()["output"][0]["state"], "CANCELLED")


class TaskEvents(EventsTest):
    def test_a_task_is_an_event_when_made_and_when_it_ends(self):
        s = self.stream(query="kind=task")
        task = self.submit_task(script("true"))
        first = s.next_event("task")
        self.assertEqual({k: first["data"][k] for k in ("task_id", "status", "task_kind", "system")},
                         {"task_id": task, "status": "new", "task_kind": "submit_job",
                          "system": "perlmutter"})
        second = s.next_event("task")
        self.assertEqual((second["data"]["task_id"], second["data"]["status"]), (task, "completed"))
        self.assertGreater(int(second["id"]), int(first["id"]))

    def test_long_poll_on_a_task(self):
        task = self.submit_task(script("true"))
        r = self.call("GET", f"/tasks/{task}?wait=20&until=completed")
        self.assertEqual((r.status, r.json()["status"]), (200, "completed"))
        self.assertEqual(set(r.json()), {"id", "status", "result"})
        # Already ended: answered at once, whatever the wait.
        started = time.monotonic()
        again = self.call("GET", f"/tasks/{task}?wait=20&until=completed")
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(again.json()["status"], "completed")
        self.assertEqual(self.call("GET", f"/tasks/{task}?wait=5", "bob").status, 404)

    def test_a_filter_by_id_gives_that_object_only(self):
        first = self.submit_task(script("true"))
        self.wait_task(first)
        second = self.submit_task(script("true"))
        s = self.stream(query=f"id={second}", last_event_id=0)
        got = [s.next_event() for _ in range(2)]
        self.assertEqual([(e["data"]["task_id"], e["data"]["status"]) for e in got],
                         [(second, "new"), (second, "completed")])


class Resume(EventsTest):
    def test_a_dropped_stream_resumes_without_loss_or_repeat(self):
        # The jobs of this class's other test may still run and have events: the streams ask
        # for this job's alone (more than queue_events in a backlog would drop the stream).
        s = self.stream(query="kind=job")
        jobid = self.submit(script(f"sleep {self.job_seconds}"))
        only = f"kind=job&id=perlmutter/{jobid}"
        first = self.job_events(s, jobid, until="PENDING")[0]
        self.assertEqual(first["data"]["state"], "PENDING")
        s.close()  # dropped: RUNNING and COMPLETED come while nobody listens
        self.wait_ended(jobid)
        again = self.stream(query=only, last_event_id=first["id"])
        rest = self.job_events(again, jobid)
        self.assertEqual([e["data"]["state"] for e in rest], ["RUNNING", "COMPLETED"])
        self.assertTrue(all(int(e["id"]) > int(first["id"]) for e in rest))
        # The same through ?last_event_id= (EventSource cannot set headers at first).
        third = self.stream(query=f"{only}&last_event_id={first['id']}")
        self.assertEqual([e["data"]["state"] for e in self.job_events(third, jobid)],
                         ["RUNNING", "COMPLETED"])

    def test_a_client_too_far_behind_is_told_and_dropped_then_resumes(self):
        tasks = [self.submit_task(script("true")) for _ in range(6)]  # 12 events, queue holds 10
        for t in tasks:
            self.wait_task(t)
        s = self.stream(query="kind=task", last_event_id=0)
        got = []
        while True:
            e = s.next_event()
            self.assertIsNotNone(e)
            if e["event"] == "dropped":
                break
            got.append(e)
        self.assertEqual(len(got), 10)
        self.assertEqual(e["data"]["last_event_id"], int(got[-1]["id"]))
        self.assertIn("reconnect with Last-Event-ID", e["data"]["detail"])
        self.assertIsNone(s.next(), "the stream ends after the dropped event")
        rest = self.stream(query="kind=task", last_event_id=e["data"]["last_event_id"])
        more = [rest.next_event() for _ in range(2)]
        seen = {(x["data"]["task_id"], x["data"]["status"]) for x in got + more}
        self.assertTrue({(t, st) for t in tasks for st in ("new", "completed")} <= seen)


class Isolation(EventsTest):
    def test_two_users_never_see_each_others_events(self):
        bob = self.stream("bob")
        alice_job = self.submit(script("true"))
        self.wait_ended(alice_job)
        bob_job = self.submit(script("true"), user="bob")
        while True:
            e = bob.next_event()
            self.assertEqual(e["data"]["user"], self.bob, e)
            if e["event"] == "job" and e["data"]["state"] == "COMPLETED":
                self.assertEqual(e["data"]["jobid"], bob_job)
                break
        # Nor by asking for the other's objects by id or resuming from the start.
        nosy = self.stream("bob", query=f"id=perlmutter/{alice_job}", last_event_id=0)
        e = nosy.next()
        while e is not None and "comment" in e or (e and "retry" in e):
            if e.get("comment") == "heartbeat":
                break
            e = nosy.next()
        self.assertEqual(e, {"comment": "heartbeat"})


class HangUps(EventsTest):
    """A client that hangs up is noticed at once, not at the next heartbeat (a minute here)."""
    extra = EVENTS.replace("heartbeat_seconds = 0.5", "heartbeat_seconds = 60")

    def test_more_streams_than_a_user_may_hold_are_429_until_one_closes(self):
        streams = [self.stream("bob") for _ in range(4)]
        r = self.call("GET", "/events", "bob")
        self.assertEqual(r.status, 429, r)
        self.assertIn("Retry-After", {k.title(): v for k, v in r.headers.items()})
        self.assertIn("event streams open already", r.json()["detail"])
        streams[0].close()
        # Without the hang-up watch the server would see the close at its second heartbeat.
        def opened():
            s = EventStream(self.server, self.tokens[self.bob], timeout=5)
            self.addCleanup(s.close)
            return s.resp.status == 200
        self.assertTrue(wait_until(opened, timeout=10), "the closed stream still holds its slot")

    def test_a_long_poll_whose_client_hung_up_ends(self):
        jobid = self.submit(script("sleep 60"))
        self.wait_running(jobid)
        sock = self.server.connect()
        sock.sendall((f"GET {PREFIX}/compute/jobs/perlmutter/{jobid}?wait=50 HTTP/1.1\r\n"
                      f"Host: x\r\nAuthorization: Bearer {self.tokens[self.alice]}\r\n"
                      "X-Request-ID: hung-up-long-poll\r\n\r\n").encode())
        time.sleep(0.5)
        sock.close()
        self.assertTrue(wait_until(lambda: re.search(r'" 499 .*rid=hung-up-long-poll',
                                                     self.server.read_log()), timeout=10),
                        "the long-poll did not end (499 in the access log)")
        self.cancel(jobid)


class Stream(EventsTest):
    def test_an_idle_stream_gets_heartbeats(self):
        s = self.stream()
        e = s.next()
        while "retry" in e:
            e = s.next()
        self.assertEqual(e, {"comment": "heartbeat"})

    def test_bad_input_is_422_and_opens_nothing(self):
        for query in ("kind=bogus", "kind=job,bogus", "last_event_id=-1", "last_event_id=x"):
            r = self.call("GET", f"/events?{query}")
            self.assertEqual(r.status, 422, (query, r))
            self.assertIsInstance(r.json()["detail"], list)
        r = self.call("GET", "/events", headers={"Last-Event-ID": "12x"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(self.server.request("GET", PREFIX + "/events").status, 401)
        for query in ("wait=abc", "wait=-1", "wait=61", "until=completed", "wait=1&until="):
            r = self.call("GET", f"/tasks/1?{query}")
            self.assertEqual(r.status, 422, (query, r))

    def test_long_polls_hold_no_thread(self):
        """Twelve long-polls waiting on a server with four blocking threads: a plain request
        still gets its answer at once."""
        jobid = self.submit(script("sleep 60"))
        self.wait_running(jobid)
        waiting = [threading.Thread(target=self.call, args=(
            "GET", f"/compute/jobs/perlmutter/{jobid}?wait=8&until=COMPLETED")) for _ in range(12)]
        for t in waiting:
            t.start()
        time.sleep(1)
        started = time.monotonic()
        r = self.call("GET", "/tasks")
        self.assertEqual(r.status, 200)
        self.assertLess(time.monotonic() - started, 5)
        for t in waiting:
            t.join(30)


if __name__ == "__main__":
    unittest.main()
