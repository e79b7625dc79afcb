"""Advance reservations on a real Slurm cluster (scripts/slurm-up; needs root): sfapid makes,
changes and removes them with scontrol, and what Slurm holds is read back with scontrol itself:
the users and account it admits, its nodes, times and state; jobs inside run, users not listed are
refused by sbatch; Slurm's refusals reach the user in its words; an operator's reservation of the
same name is never taken over."""

import datetime
import os
import subprocess
import time
import uuid

import slurm_cluster
import test_reservations
from compute_helpers import OnSlurm, script

USERS = test_reservations.USERS
BASE = test_reservations.BASE
iso = test_reservations.iso


def setUpModule():
    slurm_cluster.module_up(USERS)


def tearDownModule():
    slurm_cluster.module_down(USERS)


def scontrol_show(name):
    """`scontrol -o show reservation NAME` as a dict, or None when Slurm has none by that name."""
    r = subprocess.run(["scontrol", "-o", "show", "reservation", name], capture_output=True,
                       text=True, timeout=30)
    if "not found" in r.stdout:
        return None
    assert r.returncode == 0, r
    return dict(kv.split("=", 1) for kv in r.stdout.split() if "=" in kv)


def slurm_time(api_time):
    """An API time ("2026-12-04T07:26:22+00:00") as scontrol prints it (local time)."""
    t = datetime.datetime.fromisoformat(api_time).timestamp()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(t))


class SlurmReservations(test_reservations.ChargingTests, OnSlurm,
                        test_reservations.ReservationTest):
    """The single-node test cluster, with the Slurm accounts accta (PI alice, member bob) and
    acctb (PI carol) as the projects."""

    account = "accta"
    projects = (("accta", 1000, "alice", ["bob"]), ("acctb", 100, "carol", []))
    policy = dict(test_reservations.POLICY, max_nodes=1)
    scheduler_lines = 'backend = "slurm"\nrefresh_interval_seconds = 1\n'

    def wait_gone_from_slurm(self, name, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if scontrol_show(name) is None:
                return
            time.sleep(0.2)
        self.fail(f"Slurm still holds {name}: {scontrol_show(name)}")

    def test_now_reservation_is_made_in_slurm_and_admits_only_its_users(self):
        body = self.created(duration="0:10:00")
        name = body["name"]
        active = self.wait_resv(body["id"], "active", timeout=20)
        self.assertEqual(active["node_names"], ["localhost"])
        history = self.call("GET", f"{BASE}/{body['id']}/history").json()
        self.assertEqual([e["action"] for e in history], ["request", "schedule", "activate"])
        held = scontrol_show(name)
        self.assertEqual((held["Users"], held["Accounts"], held["NodeCnt"], held["Nodes"],
                          held["State"]), (self.alice, "accta", "1", "localhost", "ACTIVE"))
        self.assertEqual(held["EndTime"], slurm_time(body["end"]))

        # Alice's job in it runs there, with the reservation in squeue's row.
        inside = self.submit(script("sleep 30", f"--reservation={name}", "--account=accta",
                                    "--time=1:00"))
        row = self.wait_running(inside, timeout=60)
        self.assertEqual(row["reservation"], name)
        self.assertEqual(row["nodelist"], "localhost")
        # Bob is in the Slurm account but not listed: sbatch refuses him in its words.
        err = self.submit_error(script("true", f"--reservation={name}", "--account=accta"),
                                user="bob")
        self.assertEqual(err, "sbatch: error: Batch job submission failed: Access denied to "
                              "requested reservation")
        self.cancel(inside)

        r = self.call("DELETE", f"{BASE}/{body['id']}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "cancelled")
        self.wait_gone_from_slurm(name)
        history = self.call("GET", f"{BASE}/{body['id']}/history").json()
        self.assertEqual(history[-1]["action"], "release")

    def test_future_reservation_waits_inactive_and_changes_reach_slurm(self):
        body = self.created(start=iso(3 * 3600), duration="1:00:00")
        name = body["name"]
        scheduled = self.wait_resv(body["id"], "scheduled", timeout=20)
        self.assertEqual(scheduled["node_names"], ["localhost"])
        held = scontrol_show(name)
        self.assertEqual((held["State"], held["StartTime"], held["EndTime"]),
                         ("INACTIVE", slurm_time(body["start"]), slurm_time(body["end"])))

        # Shorter, and open to every member of the project: Slurm's copy follows.
        r = self.patch(body["id"], {"duration": "0:30:00", "users": "*"})
        self.assertEqual(r.status, 200, r)
        deadline = time.time() + 15
        while time.time() < deadline and self.get(body["id"])["pending_change"] is not None:
            time.sleep(0.2)
        changed = self.get(body["id"])
        self.assertIsNone(changed["pending_change"], changed)
        held = scontrol_show(name)
        self.assertEqual((held["StartTime"], held["EndTime"], held["Users"], held["Accounts"]),
                         (slurm_time(body["start"]), slurm_time(changed["end"]), "(null)",
                          "accta"))
        # Now bob may submit into it (it waits for the start).
        waiting = self.submit(script("true", f"--reservation={name}", "--account=accta"),
                              user="bob")
        self.wait_reason(waiting, "Reservation", timeout=30)
        self.cancel(waiting, user="bob")

        r = self.call("DELETE", f"{BASE}/{body['id']}")
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json()["charged"])  # cancelled before the notice
        self.wait_gone_from_slurm(name)

    def test_slurm_refusal_fails_the_reservation_with_slurms_words(self):
        body = self.created(start=iso(4 * 3600), duration="0:30:00", constraint="gpu")
        failed = self.wait_resv(body["id"], "failed", timeout=20)
        self.assertEqual(failed["state_reason"],
                         "Error creating the reservation: Invalid feature specification")
        self.assertEqual(failed["node_names"], [])
        self.assertIsNone(scontrol_show(body["name"]))
        history = self.call("GET", f"{BASE}/{body['id']}/history").json()
        self.assertEqual([e["action"] for e in history], ["request", "fail"])
        # Failed is final: it cannot be cancelled, and nothing is charged.
        self.assertEqual(self.call("DELETE", f"{BASE}/{body['id']}").status, 409)
        self.assertIsNone(self.get(body["id"])["charged"])

    def test_an_operators_reservation_of_the_same_name_is_never_taken_over(self):
        name = "maint-" + uuid.uuid4().hex[:8]
        start = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() + 10 * 3600))
        made = subprocess.run(["scontrol", "create", "reservation", f"ReservationName={name}",
                               f"StartTime={start}", "Duration=60", "NodeCnt=1", "Users=root",
                               "Flags=MAINT"], capture_output=True, text=True, timeout=30)
        self.assertEqual(made.returncode, 0, made)
        try:
            body = self.created(name=name, start=iso(20 * 3600), duration="0:30:00")
            failed = self.wait_resv(body["id"], "failed", timeout=20)
            self.assertEqual(failed["state_reason"],
                             "Error creating the reservation: Duplicate reservation name "
                             f"({name} is another reservation in Slurm)")
            # The operator's is untouched: same users, same start.
            held = scontrol_show(name)
            self.assertEqual((held["Users"], held["StartTime"]), ("root", start))
        finally:
            subprocess.run(["scontrol", "delete", f"ReservationName={name}"], timeout=30)

    def test_one_deleted_in_slurm_by_an_operator_fails_saying_so(self):
        body = self.created(start=iso(6 * 3600), duration="0:30:00")
        self.wait_resv(body["id"], "scheduled", timeout=20)
        r = subprocess.run(["scontrol", "delete", f"ReservationName={body['name']}"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r)
        failed = self.wait_resv(body["id"], "failed", timeout=20)
        self.assertEqual(failed["state_reason"], "removed from the slurm scheduler outside sfapid")
        self.assertIsNone(failed["charged"])
        history = self.call("GET", f"{BASE}/{body['id']}/history").json()
        self.assertEqual([e["action"] for e in history], ["request", "schedule", "fail"])

    def test_restart_keeps_the_reservation_and_its_cancel_still_reaches_slurm(self):
        body = self.created(start=iso(5 * 3600), duration="0:30:00")
        self.wait_resv(body["id"], "scheduled", timeout=20)
        self.server.stop()
        self.server.start()
        self.refresh_tokens()
        self.assertEqual(self.get(body["id"])["state"], "scheduled")
        self.assertIsNotNone(scontrol_show(body["name"]))
        r = self.call("DELETE", f"{BASE}/{body['id']}")
        self.assertEqual(r.status, 200, r)
        self.wait_gone_from_slurm(body["name"])
