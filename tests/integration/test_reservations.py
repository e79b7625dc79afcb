"""Advance reservations through the real server on the local scheduler, as real Unix users (needs
root): the whole lifecycle (requested, approved, scheduled, active, completed, cancelled, denied,
failed), jobs inside and outside a reservation, policy refusals, operator decisions on the command
line, charging, restarts in every state, racing requests, and every kind of bad input with its
exact error shape and nothing stored."""

import datetime
import hashlib
import hmac
import json
import os
import threading
import time
import urllib.parse
import uuid

from compute_helpers import FORM, ComputeTest, script
from event_stream import EventStream
from test_compute_callbacks import Receiver
from harness import ModuleUsers, client_key, fetch_token

USERS = ModuleUsers("alice", "bob", "carol")
setUpModule = USERS.create
tearDownModule = USERS.remove

BASE = "/compute/reservations/perlmutter"


def iso(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return t.replace(microsecond=0).isoformat()


LOCAL_SCHEDULER = 'backend = "local"\nnodes = 2\ncpus_per_node = 2\nkill_wait_seconds = 1\n'


def systems(policy, scheduler=LOCAL_SCHEDULER):
    lines = "\n".join(f"{k} = {json.dumps(v)}" for k, v in policy.items())
    return ('\n[[systems]]\nname = "perlmutter"\nsystem_type = "compute"\n[systems.scheduler]\n'
            f'{scheduler}[systems.reservations]\n{lines}\n\n'
            '[[systems]]\nname = "dtns"\nsystem_type = "filesystem"\n\n'
            '[[systems]]\nname = "globus"\nsystem_type = "service"\n')


POLICY = {"enabled": True, "min_lead_hours": 0, "max_nodes": 2, "max_duration_hours": 24,
          "max_active_per_project": 3, "auto_approve_node_hours": 4,
          "cancellation_notice_hours": 1, "charge_factor": 2}


# Heartbeats often: a stream that has nothing more shows it within a second.
EVENTS = "[events]\nheartbeat_seconds = 0.5\n"


class ReservationTest(ComputeTest):
    """A 2-node cluster with POLICY, and projects: proj (PI alice, member bob), small (1 hour,
    PI alice), other (PI carol)."""

    users = USERS
    policy = POLICY
    scheduler_lines = LOCAL_SCHEDULER  # [systems.scheduler]
    # (repo_name, cpu_hours, PI, members) of the test users.
    projects = (("proj", 1000, "alice", ["bob"]), ("small", 1, "alice", []),
                ("other", 100, "carol", []))
    more_config = ""
    account = "proj"  # what request() asks for by default

    @classmethod
    def setUpClass(cls):
        cls.extra = "".join(
            f'[[projects]]\nrepo_name = "{name}"\ncpu_hours = {hours}\n'
            f'pis = ["{USERS.accounts[pi]}"]\n'
            f'members = {json.dumps([USERS.accounts[m] for m in members])}\n'
            'admit_client_users = false\n'
            for name, hours, pi, members in cls.projects) + EVENTS + cls.more_config
        cls.systems = systems(cls.policy, cls.scheduler_lines)
        super().setUpClass()
        carol = USERS.accounts["carol"]
        cls.keys[carol] = client_key(cls.server, carol, "yellow")
        cls.tokens[carol] = fetch_token(cls.server, cls.keys[carol][0])

    def tearDown(self):
        super().tearDown()
        # Leave no live reservation behind for the next test.
        for state in ("requested", "approved", "scheduled", "active"):
            r = self.server.cli("reservation", "list", "--state", state)
            for line in r.stdout.splitlines()[1:]:
                self.server.cli("reservation", "cancel", line.split()[0])
        self.wait_for_none_live()

    def wait_for_none_live(self):
        deadline = time.time() + 10
        while time.time() < deadline:
            rows = self.reservations(self.alice) + self.reservations(self.user("carol"))
            if not any(r["state"] in ("approved", "scheduled", "active") for r in rows):
                return
            time.sleep(0.1)

    # --- helpers -------------------------------------------------------------------------------

    def request(self, user=None, **fields):
        fields.setdefault("account", self.account)
        fields.setdefault("nodes", "1")
        fields.setdefault("start", "now")
        if "end" not in fields:
            fields.setdefault("duration", "0:10:00")
        return self.post_form(BASE, list(fields.items()), user)

    def created(self, user=None, **fields):
        r = self.request(user, **fields)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def get(self, rid, user=None):
        r = self.call("GET", f"{BASE}/{rid}", user)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def reservations(self, user=None, query=""):
        r = self.call("GET", BASE + query, user)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def wait_resv(self, rid, state, user=None, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            body = self.get(rid, user)
            if body["state"] == state:
                return body
            time.sleep(0.1)
        self.fail(f"reservation {rid} is {body['state']}, not {state}: {body}")

    def patch(self, rid, fields, user=None):
        import urllib.parse
        return self.call("PATCH", f"{BASE}/{rid}", user,
                         body=urllib.parse.urlencode(fields).encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})

    def assert_422(self, r, field):
        self.assertEqual(r.status, 422, r)
        detail = r.json()["detail"]
        self.assertEqual(detail[0]["loc"], ["body", field], detail)
        return detail[0]["msg"]

    def assert_nothing_stored(self, before):
        self.assertEqual([x["id"] for x in self.reservations(self.alice)],
                         [x["id"] for x in before])

    def live(self, rows):
        return [r for r in rows if r["state"] not in ("cancelled", "denied", "completed", "failed")]


class Reservations(ReservationTest):
    # --- lifecycle -----------------------------------------------------------------------------

    def test_a_retry_of_an_interrupted_reservation_request_is_refused_not_run_again(self):
        """A reservation is not linked to its key as a task is: after a crash between its
        creation and its reply, running the request again could make a second one. The retry is
        told so (409) and nothing is made; a new key is a new request."""
        key = str(uuid.uuid4())
        fields = [("account", self.account), ("nodes", "1"), ("start", "now"),
                  ("duration", "0:10:00"), ("name", "idem-resv")]
        headers = dict(FORM, **{"Idempotency-Key": key})
        post = lambda: self.call("POST", BASE, body=urllib.parse.urlencode(fields).encode(),  # noqa: E731
                                 headers=headers)
        first = post()
        self.assertEqual(first.status, 201, first)
        self.interrupt_keyed_request(self.alice, "POST /api/v1.2/compute/reservations/{machine}", key)
        for reply in ("miss", "hit"):
            retry = post()
            self.assertEqual((retry.status, retry.headers.get("idempotency-key-reply")),
                             (409, reply))
            self.assertNotIn("retry-after", retry.headers)
            self.assertEqual(retry.json(), {"detail": (
                "the first request with this Idempotency-Key was interrupted (sfapid stopped) "
                "before it answered and may have taken effect; look whether it did, and send it "
                "again with a new key if not")})
        self.assertEqual([r["id"] for r in self.reservations(self.alice) if r["name"] == "idem-resv"],
                         [first.json()["id"]])


    def test_now_reservation_becomes_active_and_its_jobs_run_inside(self):
        body = self.created(name="inside", duration="0:30:00")
        self.assertEqual(set(body), {
            "id", "name", "machine", "account", "users", "nodes", "node_names", "start", "end",
            "state", "state_reason", "partition", "constraint", "reason", "requested_by",
            "decided_by", "node_hours", "charge_factor", "estimated_charge", "charged",
            "pending_change", "created_at", "updated_at"})
        self.assertEqual(body["state"], "approved")
        self.assertEqual(body["decided_by"], "policy")
        self.assertEqual(body["users"], [self.alice])
        self.assertEqual(body["requested_by"], self.alice)
        self.assertAlmostEqual(body["node_hours"], 0.5)
        self.assertAlmostEqual(body["estimated_charge"], 1.0)  # charge_factor 2
        self.assertIsNone(body["charged"])
        active = self.wait_resv(body["id"], "active")
        self.assertEqual(active["node_names"], ["nid001"])
        self.assertAlmostEqual(active["charged"], 1.0)
        history = self.call("GET", f"{BASE}/{body['id']}/history").json()
        self.assertEqual([e["action"] for e in history], ["request", "schedule", "activate"])
        self.assertEqual(history[0]["note"], "approved by policy")

        # A job in it runs on the reserved node, with the reservation in squeue's row.
        inside = self.submit(script("sleep 30", "--reservation=inside", "--account=proj",
                                    "--nodes=1"))
        row = self.wait_running(inside)
        self.assertEqual(row["reservation"], "inside")
        self.assertEqual(row["nodelist"], "nid001")
        # A 2-node job outside it waits: only nid002 is free of the reservation.
        outside = self.submit(script("sleep 1", "--nodes=2", "--account=proj", "--time=1:00"))
        self.wait_reason(outside, "Resources")
        # A 1-node job outside runs beside it, on the other node.
        beside = self.submit(script("sleep 30", "--account=proj", "--time=1:00"))
        self.assertEqual(self.wait_running(beside)["nodelist"], "nid002")
        # Bob is a member of proj but not listed; carol is not a member at all.
        err = self.submit_error(script("true", "--reservation=inside", "--account=proj"),
                                user="bob")
        self.assertEqual(err, "sbatch: error: Batch job submission failed: Access denied to "
                              "requested reservation")
        err = self.submit_error(script("true", "--reservation=nosuch", "--account=proj"))
        self.assertEqual(err, "sbatch: error: Batch job submission failed: Requested "
                              "reservation is invalid")

        # Cancelled after its start: charged in full (already), nodes freed, the outside job runs.
        self.cancel(inside)
        self.cancel(beside)
        r = self.call("DELETE", f"{BASE}/{body['id']}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "cancelled")
        self.assertAlmostEqual(r.json()["charged"], 1.0)
        self.wait_running(outside)
        again = self.call("DELETE", f"{BASE}/{body['id']}")
        self.assertEqual(again.status, 409, again)

    def test_future_reservation_keeps_overlapping_jobs_off_its_nodes(self):
        body = self.created(nodes="2", start=iso(120), duration="0:30:00", name="later")
        scheduled = self.wait_resv(body["id"], "scheduled")
        self.assertEqual(scheduled["node_names"], ["nid001", "nid002"])
        self.assertIsNone(scheduled["charged"])
        # A job that would still run at the start waits; a short one runs now.
        long_job = self.submit(script("sleep 1", "--time=10:00", "--account=proj"))
        self.wait_reason(long_job, "Resources")
        short = self.submit(script("sleep 1", "--time=1:00", "--account=proj"))
        self.wait_ended(short)
        # A job bound to it waits for the start, with Slurm's reason.
        bound = self.submit(script("sleep 1", "--reservation=later", "--account=proj"))
        self.wait_reason(bound, "Reservation")
        # Cancelled more than the notice (1 h) ahead? No: 2 minutes ahead is inside it.
        r = self.call("DELETE", f"{BASE}/{body['id']}")
        self.assertAlmostEqual(r.json()["charged"], 2.0)  # 2 nodes x 0.5 h x charge factor 2
        self.wait_running(long_job)
        self.wait_reason(bound, "ReservationDeleted")

    def test_cancel_before_the_notice_is_free(self):
        body = self.created(start=iso(3 * 3600), duration="1:00:00")
        self.wait_resv(body["id"], "scheduled")
        r = self.call("DELETE", f"{BASE}/{body['id']}")
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json()["charged"])
        # The scheduler's copy goes at the lifecycle's next pass.
        deadline = time.time() + 10
        while time.time() < deadline:
            history = self.call("GET", f"{BASE}/{body['id']}/history").json()
            if history[-1]["action"] == "release":
                break
            time.sleep(0.1)
        self.assertEqual([e["action"] for e in history][-2:], ["cancel", "release"])

    def test_large_request_waits_for_an_operator_then_approve_and_deny(self):
        # 2 nodes x 3 h = 6 node-hours > auto_approve_node_hours 4.
        big = self.created(nodes="2", start=iso(7200), duration="3:00:00", reason="campaign")
        self.assertEqual(big["state"], "requested")
        self.assertIn("waiting for an operator", big["state_reason"])
        time.sleep(1.5)  # the lifecycle leaves it alone
        self.assertEqual(self.get(big["id"])["state"], "requested")
        listed = self.server.cli("reservation", "list", "--state", "requested").stdout
        self.assertIn(big["name"], listed)
        self.server.cli("reservation", "approve", big["id"])
        done = self.wait_resv(big["id"], "scheduled")
        self.assertTrue(done["decided_by"].startswith("operator:"), done)
        shown = self.server.cli("reservation", "show", big["id"]).stdout
        self.assertIn("approve", shown)
        self.assertIn("campaign", shown)

        other = self.created(nodes="2", start=iso(20 * 3600), duration="3:00:00")
        r = self.server.cli("reservation", "deny", other["id"], "--reason", "not now")
        self.assertEqual(r.returncode, 0, r.stderr)
        denied = self.get(other["id"])
        self.assertEqual(denied["state"], "denied")
        self.assertEqual(denied["state_reason"], "not now")
        # Approving a denied one is refused and changes nothing.
        r = self.server.cli("reservation", "approve", other["id"], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("denied", r.stderr)

    def test_racing_requests_cannot_both_get_the_nodes(self):
        start = iso(4 * 3600)
        replies = []

        def ask(name):
            replies.append(self.request(nodes="2", start=start, duration="1:00:00", name=name))

        threads = [threading.Thread(target=ask, args=(f"race{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(r.status for r in replies)
        self.assertEqual(statuses, [201, 409, 409, 409], [r.json() for r in replies])
        for r in replies:
            if r.status == 409:
                self.assertIn("nodes:", r.json()["detail"])

    def test_modify_rechecks_policy_and_moves_the_block(self):
        body = self.created(start=iso(7200), duration="1:00:00")
        self.wait_resv(body["id"], "scheduled")
        r = self.patch(body["id"], {"nodes": "2"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["pending_change"]["nodes"], 2)
        deadline = time.time() + 10
        while time.time() < deadline and self.get(body["id"])["nodes"] != 2:
            time.sleep(0.1)
        changed = self.get(body["id"])
        self.assertEqual(changed["nodes"], 2)
        self.assertEqual(changed["node_names"], ["nid001", "nid002"])
        self.assertIsNone(changed["pending_change"])
        # Beyond policy: refused, nothing changes.
        r = self.patch(body["id"], {"nodes": "3"})
        self.assertEqual(r.status, 403, r)
        self.assertIn("policy max_nodes", r.json()["detail"])
        r = self.patch(body["id"], {"duration": "30:00:00"})
        self.assertEqual(r.status, 403, r)
        self.assertIn("policy max_duration_hours", r.json()["detail"])
        self.assertEqual(self.get(body["id"])["nodes"], 2)
        # Bob (a member, not the requester nor a PI) may not change or cancel it.
        r = self.patch(body["id"], {"nodes": "1"}, user="bob")
        self.assertEqual(r.status, 403, r)

    # --- who sees and does what ----------------------------------------------------------------

    def test_members_see_their_projects_reservations_and_others_see_nothing(self):
        mine = self.created(start=iso(5000), duration="0:30:00", users=f"{self.alice},{self.bob}")
        carols = self.created(user="carol", account="other", start=iso(9000), duration="0:30:00")
        self.assertEqual([r["id"] for r in self.live(self.reservations(self.bob))], [mine["id"]])
        self.assertEqual([r["id"] for r in self.live(self.reservations(self.user("carol")))],
                         [carols["id"]])
        self.assertTrue(all(r["account"] == "proj" for r in self.reservations(self.bob)))
        r = self.call("GET", f"{BASE}/{mine['id']}", "carol")
        self.assertEqual(r.status, 404, r)
        r = self.call("DELETE", f"{BASE}/{mine['id']}", "carol")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(self.reservations(query="?state=requested"), [])
        self.assertEqual(len(self.live(self.reservations(query="?account=proj"))), 1)
        self.assertEqual(self.reservations(query="?account=other"), [])
        r = self.call("GET", BASE + "?state=bogus")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["detail"][0]["loc"], ["query", "state"])

    def test_each_change_is_an_event_for_the_requester_and_the_users_named(self):
        mine = self.created(start=iso(6000), duration="0:30:00", users=f"{self.alice},{self.bob}")
        self.wait_resv(mine["id"], "scheduled")
        self.assertEqual(self.call("DELETE", f"{BASE}/{mine['id']}").status, 200)
        rid = str(mine["id"])
        for user in ("alice", "bob"):
            s = EventStream(self.server, self.tokens[self.user(user)],
                            query=f"kind=reservation&id={rid}", last_event_id=0)
            self.addCleanup(s.close)
            events = s.events_of("reservation", rid, lambda d: d["state"] == "cancelled")
            self.assertIsNotNone(events, user)
            self.assertEqual([(e["data"]["action"], e["data"]["state"]) for e in events],
                             [("request", "approved"), ("schedule", "scheduled"),
                              ("cancel", "cancelled")])
            first = events[0]["data"]
            self.assertEqual({k: first[k] for k in ("kind", "machine", "id", "name", "user")},
                             {"kind": "reservation", "machine": "perlmutter", "id": mine["id"],
                              "name": mine["name"], "user": self.user(user)})
        # carol, in neither, hears nothing of it however she asks.
        s = EventStream(self.server, self.tokens[self.user("carol")], query=f"id={rid}",
                        last_event_id=0)
        self.addCleanup(s.close)
        e = s.next()
        while e is not None and "retry" in e:
            e = s.next()
        self.assertEqual(e, {"comment": "heartbeat"})

    def test_non_member_and_policy_refusals_store_nothing(self):
        before = self.reservations()
        r = self.request(user="carol")  # not a member of proj
        self.assertEqual(r.status, 403, r)
        self.assertIn("is not a member of project proj", r.json()["detail"])
        r = self.request(users=f"{self.alice},{self.user('carol')}")
        self.assertIn("is not a member of project proj", self.assert_422(r, "users"))
        r = self.request(nodes="3")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json()["detail"], "policy max_nodes: 3 nodes asked; at most 2 on perlmutter")
        r = self.request(duration="1-01:00:00")
        self.assertEqual(r.json()["detail"],
                         "policy max_duration_hours: 25 hours asked; at most 24")
        r = self.request(account="small", duration="1:00:00")  # 2 node-hours > 1 given
        self.assertEqual(r.status, 403, r)
        self.assertIn("policy allocation", r.json()["detail"])
        r = self.call("POST", "/compute/reservations/dtns", body=b"account=proj&nodes=1&start=now&duration=1",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 400, r)
        r = self.call("POST", "/compute/reservations/nosuch", body=b"account=proj&nodes=1&start=now&duration=1",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 404, r)
        self.assert_nothing_stored(before)

    def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(self):
        before = self.reservations()
        cases = [
            ({"start": iso(-3600)}, "start", "is in the past"),
            ({"start": "2026-13-40T00:00:00+00:00"}, "start", None),
            ({"start": "tomorrow"}, "start", None),
            ({"start": "2030-01-01T10:00:00"}, "start", None),  # no offset
            ({"start": iso(3600), "end": iso(1800)}, "end", "must be after start"),
            ({"duration": "soon"}, "duration", None),
            ({"duration": "0"}, "duration", "must be positive"),
            ({"end": iso(7200), "duration": "1:00:00"}, "duration", "give end or duration, not both"),
            ({"nodes": "0"}, "nodes", None),
            ({"nodes": "two"}, "nodes", None),
            ({"account": "no such"}, "account", None),
            ({"account": "ghost"}, "account", "no project named 'ghost'"),
            ({"name": "x" * 65}, "name", None),
            ({"name": "bad name"}, "name", None),
            ({"reason": "r" * 1025}, "reason", None),
            ({"users": "alice;rm"}, "users", None),
            ({"partition": "p Flags=MAINT"}, "partition", "must be a partition name"),
            ({"constraint": "cpu Flags=MAINT"}, "constraint",
             "must be a feature expression: letters, digits and _ - . & | , ( ) [ ] * :"),
            ({"constraint": "cpu;rm"}, "constraint", None),
            ({"callbackUrl": "ftp://example.org/x"}, "callbackUrl", None),
        ]
        for fields, field, msg in cases:
            with self.subTest(fields=fields):
                r = self.request(**fields)
                got = self.assert_422(r, field)
                if msg:
                    self.assertEqual(got, msg)
        # Missing required fields.
        r = self.post_form(BASE, [("nodes", "1"), ("start", "now"), ("duration", "1:00")])
        self.assertEqual(r.json()["detail"][0]["type"], "missing")
        self.assert_nothing_stored(before)
        # A duplicate name: 409, the first one unchanged.
        first = self.created(name="dup", start=iso(6000))
        r = self.request(name="dup", start=iso(60000))
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json()["detail"], "name: a reservation named 'dup' exists on perlmutter")
        self.assertEqual([x["id"] for x in self.reservations()], [x["id"] for x in before] + [first["id"]])
        # Unknown ids.
        for rid in ("999999", "abc", "-1"):
            self.assertEqual(self.call("GET", f"{BASE}/{rid}").status, 404)

    def test_green_token_reads_but_cannot_request(self):
        path, _ = client_key(self.server, self.alice, "green")
        token = fetch_token(self.server, path)
        self.assertEqual(self.call("GET", BASE, token=token).status, 200)
        r = self.post_form(BASE, [("account", "proj"), ("nodes", "1"), ("start", "now"),
                                  ("duration", "1:00")], token=token)
        self.assertEqual(r.status, 403, r)


class ChargingTests:
    """Mixed into a ReservationTest on each scheduler: the block is charged once, when it starts,
    and a job inside it charges nothing on top, while one outside is charged as usual."""

    def project_used(self):
        r = self.call("GET", "/account/projects")
        self.assertEqual(r.status, 200, r)
        found = [p for p in r.json() if p["repo_name"] == self.account]
        self.assertEqual(len(found), 1, r.json())
        return found[0]["project_hours_used"]

    def test_the_block_is_charged_once_and_jobs_inside_are_not(self):
        before = self.project_used()
        body = self.created(duration="0:10:00")
        charge = body["estimated_charge"]  # 1 node x 1/6 h x charge factor 2
        self.assertAlmostEqual(charge, 1 / 3)
        self.assertAlmostEqual(self.wait_resv(body["id"], "active", timeout=20)["charged"], charge)
        inside = self.submit(script("sleep 2", f"--reservation={body['name']}",
                                    f"--account={self.account}", "--time=1:00"))
        self.wait_ended(inside, timeout=60 + self.scheduler_slack)
        r = self.call("DELETE", f"{BASE}/{body['id']}")
        self.assertAlmostEqual(r.json()["charged"], charge)  # charged at the start, not again
        outside = self.submit(script("sleep 2", f"--account={self.account}", "--time=1:00"))
        row = self.wait_ended(outside, timeout=60 + self.scheduler_slack)
        outside_hours = int(row["elapsedraw"]) * int(row["nnodes"]) / 3600
        self.assertGreater(outside_hours, 0)
        expected = charge + outside_hours
        deadline = time.time() + 30
        while time.time() < deadline and abs(self.project_used() - before - expected) > 1e-6:
            time.sleep(0.2)
        self.assertAlmostEqual(self.project_used() - before, expected, places=6)
        time.sleep(2)  # a late charge for the job inside would show now
        self.assertAlmostEqual(self.project_used() - before, expected, places=6)


class ReservationCharging(ChargingTests, ReservationTest):
    pass


class ReservationsSurviveRestarts(ReservationTest):
    """Every state is kept across a restart, and the lifecycle picks up where it was."""

    policy = dict(POLICY, max_active_per_project=10)

    def test_restart_in_every_state(self):
        requested = self.created(nodes="2", start=iso(9000), duration="3:00:00")
        scheduled = self.created(start=iso(7200), duration="1:00:00")
        active = self.created(duration="0:30:00", name="kept")
        cancelled = self.created(start=iso(20000), duration="0:10:00")
        self.call("DELETE", f"{BASE}/{cancelled['id']}")
        self.wait_resv(scheduled["id"], "scheduled")
        self.wait_resv(active["id"], "active")
        before = {r["id"]: r for r in self.reservations()}

        self.server.stop()
        self.server.start()
        self.refresh_tokens()
        after = {r["id"]: r for r in self.reservations()}
        self.assertEqual(after, before)
        self.assertEqual(after[requested["id"]]["state"], "requested")
        # The local scheduler kept its copy: a job may still run in the active one.
        jobid = self.submit(script("sleep 1", "--reservation=kept", "--account=proj"))
        self.assertEqual(self.wait_running(jobid)["reservation"], "kept")
        # A restart with a reservation that ended meanwhile completes it.
        short = self.created(duration="0:00:03", start="now")
        self.wait_resv(short["id"], "active")
        self.server.stop()
        time.sleep(4)
        self.server.start()
        self.refresh_tokens()
        self.wait_resv(short["id"], "completed")
        self.wait_resv(active["id"], "active")




RESERVATION_EVENT_KEYS = {"event", "delivery_id", "sent_at", "machine", "reservation_id", "name",
                          "account", "action", "state", "note", "by", "at", "seq", "nodes",
                          "node_names", "start", "end"}


class ReservationCallbacks(ReservationTest):
    """callbackUrl and callbackEmail hear of every change after the request, signed with the
    requesting client's secret, once each."""

    more_config = ("[callbacks]\nfirst_retry_seconds = 0.2\nmax_retry_seconds = 1\n"
                   "blocked_networks = []  # the test receiver is on loopback\n"
                   "block_host_addresses = false\n")

    def secret(self):
        client_id = self.keys[self.alice][1]
        return self.server.cli("client", "callback-secret", client_id).stdout.strip().split()[-1]

    def deliveries(self, receiver, path, until_state, timeout=20):
        """(event, headers, raw body) of each POST to `path` in the order of the events' seq
        (deliveries may arrive in any order), once the last is in `until_state`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = sorted(((json.loads(b), h, b) for p, h, b in list(receiver.requests)
                          if p == path), key=lambda d: d[0]["seq"])
            if got and got[-1][0]["state"] == until_state:
                seqs = [e["seq"] for e, _, _ in got]
                self.assertEqual(len(set(seqs)), len(seqs), got)  # each change told once
                return got
            time.sleep(0.1)
        self.fail(f"no {until_state} event at {path}: {receiver.requests}")

    def events(self, receiver, path, until_state, timeout=20):
        return [e for e, _, _ in self.deliveries(receiver, path, until_state, timeout)]

    def test_every_change_is_posted_signed_and_mailed(self):
        receiver = Receiver()
        self.addCleanup(receiver.close)
        secret = self.secret()
        body = self.created(name="told", end=iso(3), callbackUrl=receiver.url("/resv"),
                            callbackEmail="alice@example.org")
        delivered = self.deliveries(receiver, "/resv", "completed")
        got = [e for e, _, _ in delivered]
        # Auto-approval is the answer to the request itself (201, state approved): not told again.
        self.assertEqual(body["state"], "approved")
        self.assertEqual([e["action"] for e in got], ["schedule", "activate", "complete"])
        self.assertEqual([e["state"] for e in got], ["scheduled", "active", "completed"])
        for event, headers, raw in delivered:
            self.assertEqual(set(event), RESERVATION_EVENT_KEYS, event)
            self.assertEqual(headers["x-sfapi-event"], "reservation.changed")
            self.assertEqual(headers["x-sfapi-delivery"], event["delivery_id"])
            expected = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
            self.assertEqual(headers["x-sfapi-signature"], "sha256=" + expected)
            self.assertEqual((event["event"], event["machine"], event["reservation_id"],
                              event["name"], event["account"], event["nodes"]),
                             ("reservation.changed", "perlmutter", body["id"], "told", "proj", 1))
        self.assertEqual(got[0]["by"], "scheduler")
        self.assertEqual(len({e["delivery_id"] for e in got}), 3, "a change was told twice")

        # The same changes as mail in the outbox (no mail_command configured).
        outbox = os.path.join(self.server.data_dir, "outbox")
        deadline, subjects = time.time() + 10, []
        while time.time() < deadline and len(subjects) < 3:
            subjects = []
            for name in sorted(os.listdir(outbox)) if os.path.isdir(outbox) else []:
                with open(os.path.join(outbox, name), errors="replace") as f:
                    text = f.read()
                if "X-Sfapi-Event: reservation.changed" in text:
                    subjects += [l for l in text.splitlines() if l.startswith("Subject: ")]
            time.sleep(0.1)
        self.assertEqual(sorted(subjects), sorted(
            f"Subject: [sfapid] reservation {body['id']} on perlmutter {s}"
            for s in ("scheduled", "active", "completed")),
            [l for l in self.server.read_log().splitlines() if "callback" in l])

    def test_cancel_by_an_operator_is_told_with_its_reason_and_survives_a_restart(self):
        receiver = Receiver()
        self.addCleanup(receiver.close)
        body = self.created(name="later", start=iso(3600), duration="0:30:00",
                            callbackUrl=receiver.url("/later"))
        self.events(receiver, "/later", "scheduled")
        # Told while sfapid is down: the CLI writes the change, the restarted server tells it.
        self.server.stop()
        self.server.cli("reservation", "cancel", body["id"], "--reason", "cooling failure")
        self.server.start()
        self.refresh_tokens()
        got = self.events(receiver, "/later", "cancelled")
        self.assertEqual(got[-1]["action"], "cancel")
        # Inside the notice (1 h), but the facility cancelled: nothing is charged.
        self.assertEqual(got[-1]["note"], "cooling failure")
        self.assertIsNone(self.get(body["id"])["charged"])
        self.assertTrue(got[-1]["by"].startswith("operator:"), got[-1])
        self.assertEqual([e["state"] for e in got], ["scheduled", "cancelled"])
