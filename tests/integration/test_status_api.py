"""/status through the real server: shapes, unknown systems, and what operators set with the
status, outage and note commands."""

import os
import shutil
import unittest
from datetime import datetime, timedelta, timezone

from harness import ServerTest

STATUS_KEYS = {"name", "full_name", "description", "system_type", "notes", "status", "updated_at"}
OUTAGE_KEYS = {"name", "start_at", "end_at", "description", "notes", "status", "swo", "update_at"}
NOTE_KEYS = {"name", "notes", "active", "timestamp"}


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def parse_time(text):
    return datetime.fromisoformat(text)


class StatusShapes(ServerTest):
    def test_all_statuses(self):
        r = self.api("/status")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["content-type"], "application/json")
        body = r.json()
        self.assertEqual([s["name"] for s in body], ["perlmutter", "dtns", "globus"])
        for s in body:
            self.assertEqual(set(s), STATUS_KEYS)
            self.assertIn(s["status"], {"active", "degraded", "unavailable", "other"})
            self.assertIsInstance(s["notes"], list)
            self.assertTrue(s["description"])
            parse_time(s["updated_at"])
        self.assertEqual(body[0]["system_type"], "compute")
        self.assertEqual(body[1]["system_type"], "filesystem")
        self.assertEqual(body[2]["system_type"], "service")
        self.assertEqual(body[0]["full_name"], "Perlmutter")
        self.assertEqual(body[2]["full_name"], "globus")  # defaults to the name

    def test_trailing_slash_is_the_same_route(self):
        for path in ["/status", "/status/", "/status/perlmutter", "/status/perlmutter/"]:
            r = self.api(path)
            self.assertEqual(r.status, 200, path)
        self.assertEqual(self.api("/status/").json(), self.api("/status").json())

    def test_one_status(self):
        s = self.api("/status/perlmutter").json()
        self.assertEqual(set(s), STATUS_KEYS)
        self.assertEqual(s["name"], "perlmutter")
        self.assertEqual(s["status"], "active")
        self.assertEqual(s["description"], "System is active")
        self.assertEqual(self.api("/status/globus").json()["name"], "globus")

    def test_unknown_system_is_404_with_detail(self):
        for path in ["/status/nosuch", "/status/outages/nosuch", "/status/outages/planned/nosuch",
                     "/status/notes/nosuch"]:
            r = self.api(path)
            self.assertEqual(r.status, 404, path)
            self.assertEqual(r.json(), {"detail": "Unknown system 'nosuch'. Known systems: "
                                                  "perlmutter, dtns, globus"})

    def test_empty_lists(self):
        self.assertEqual(self.api("/status/notes/dtns").json(), [])
        self.assertEqual(self.api("/status/outages/dtns").json(), [])
        self.assertEqual(self.api("/status/outages/planned/dtns").json(), [])


class OperatorChanges(ServerTest):
    def setUp(self):
        # Each test starts from a clean store: remove what earlier tests added.
        for line in self.server.cli("outage", "list").stdout.splitlines():
            self.server.cli("outage", "remove", line.split()[0])
        for line in self.server.cli("note", "list").stdout.splitlines():
            self.server.cli("note", "remove", line.split()[0])
        for system in ["perlmutter", "dtns", "globus"]:
            self.server.cli("status", "remove", system, check=False)

    def test_status_set_reaches_the_api(self):
        r = self.server.cli("status", "set", "perlmutter", "degraded", "--description",
                            "Scratch is slow", "--note", "Investigating the scratch file system")
        self.assertIn("perlmutter is now degraded", r.stdout)
        # The status and the note are two writes: wait until a refresh has seen both.
        s = self.wait_for(lambda: (lambda s: s if s["status"] == "degraded" and s["notes"] else None)(
            self.api("/status/perlmutter").json()), what="degraded status with its note")
        self.assertEqual(s["description"], "Scratch is slow")
        self.assertEqual(s["notes"], ["Investigating the scratch file system"])
        notes = self.api("/status/notes/perlmutter").json()
        self.assertEqual(len(notes), 1)
        self.assertEqual(set(notes[0]), NOTE_KEYS)
        self.assertEqual(notes[0]["name"], "perlmutter")
        self.assertIs(notes[0]["active"], True)
        # Removing the status makes the system active again, with the default description.
        self.server.cli("status", "remove", "perlmutter")
        s = self.wait_for(lambda: (lambda s: s if s["status"] == "active" else None)(
            self.api("/status/perlmutter").json()), what="active again")
        self.assertEqual(s["description"], "System is active")

    def test_default_description_follows_status(self):
        self.server.cli("status", "set", "dtns", "unavailable")
        s = self.wait_for(lambda: (lambda s: s if s["status"] == "unavailable" else None)(
            self.api("/status/dtns").json()), what="unavailable")
        self.assertEqual(s["description"], "System is unavailable")

    def test_bad_status_value_changes_nothing(self):
        r = self.server.cli("status", "set", "perlmutter", "broken", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("status 'broken' must be active, degraded, unavailable or other", r.stderr)
        r = self.server.cli("status", "set", "nosuch", "active", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("unknown system 'nosuch'", r.stderr)
        self.assertEqual(self.server.cli("status", "list").stdout.count("(default)"), 3)

    def test_outages_current_past_and_planned(self):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        self.server.cli("outage", "add", "perlmutter", "--start", iso(now - timedelta(days=2)),
                        "--end", iso(now - timedelta(days=1)), "--description", "Unavailable",
                        "--status", "Completed", "--notes", "Power work")
        self.server.cli("outage", "add", "perlmutter", "--start", iso(now + timedelta(days=3)),
                        "--end", iso(now + timedelta(days=3, hours=8)), "--description",
                        "Scheduled Maintenance", "--swo", "degr")
        self.wait_for(lambda: self.api("/status/outages/planned/perlmutter").json(), what="both outages")
        outages = self.api("/status/outages/perlmutter").json()
        self.assertEqual(len(outages), 1)
        o = outages[0]
        self.assertEqual(set(o), OUTAGE_KEYS)
        self.assertEqual(o["name"], "perlmutter")
        self.assertEqual(o["status"], "Completed")
        self.assertEqual(o["notes"], "Power work")
        self.assertEqual(o["swo"], "true")
        self.assertEqual(parse_time(o["start_at"]), now - timedelta(days=2))
        planned = self.api("/status/outages/planned/perlmutter").json()
        self.assertEqual(len(planned), 1)
        self.assertEqual(planned[0]["description"], "Scheduled Maintenance")
        self.assertEqual(planned[0]["status"], "Planned")
        self.assertEqual(planned[0]["swo"], "degr")
        self.assertEqual(parse_time(planned[0]["end_at"]), now + timedelta(days=3, hours=8))
        # The "all" forms: one inner list per system with entries.
        self.assertEqual(self.api("/status/outages").json(), [outages])
        self.assertEqual(self.api("/status/outages/planned").json(), [planned])

    def test_outage_times_with_offsets(self):
        self.server.cli("outage", "add", "dtns", "--start", "2030-01-02T08:00:00-08:00", "--end",
                        "2030-01-02 20:00", "--description", "Scheduled Maintenance")
        planned = self.wait_for(lambda: self.api("/status/outages/planned/dtns").json(),
                                what="planned outage")
        self.assertEqual(planned[0]["start_at"], "2030-01-02T16:00:00+00:00")
        self.assertEqual(planned[0]["end_at"], "2030-01-02T20:00:00+00:00")

    def test_bad_outage_dates_change_nothing(self):
        for start, end, message in [
            ("2026-13-01", "2026-12-02", "--start '2026-13-01' is not a date and time"),
            ("yesterday", "2026-12-02", "--start 'yesterday' is not a date and time"),
            ("2026-12-01", "2026-02-30", "--end '2026-02-30' is not a date and time"),
            ("2026-12-02", "2026-12-01", "--end must not be before --start"),
        ]:
            r = self.server.cli("outage", "add", "perlmutter", "--start", start, "--end", end,
                                "--description", "x", check=False)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(message, r.stderr)
            self.assertTrue(r.stderr.startswith("sfapid: error: "))
        r = self.server.cli("outage", "add", "perlmutter", "--start", "2026-12-01", "--end",
                            "2026-12-02", "--description", "x", "--status", "Soon", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(self.server.cli("outage", "list").stdout, "")
        self.assertEqual(self.api("/status/outages").json(), [])
        self.assertEqual(self.api("/status/outages/planned").json(), [])

    def test_notes_add_list_remove(self):
        self.server.cli("note", "add", "globus", "Endpoint renewed")
        self.server.cli("note", "add", "globus", "Old news", "--inactive")
        notes = self.wait_for(lambda: (lambda n: n if len(n) == 2 else None)(
            self.api("/status/notes/globus").json()), what="both notes")
        self.assertEqual([(n["notes"], n["active"]) for n in notes],
                         [("Endpoint renewed", True), ("Old news", False)])
        self.assertEqual(self.api("/status/globus").json()["notes"], ["Endpoint renewed"])
        self.assertEqual(self.api("/status/notes").json(), [notes])
        first = self.server.cli("note", "list", "globus").stdout.splitlines()[0].split()[0]
        self.server.cli("note", "remove", first)
        self.wait_for(lambda: len(self.api("/status/notes/globus").json()) == 1, what="removal")
        r = self.server.cli("note", "remove", "99999", check=False)
        self.assertIn("no note with id 99999", r.stderr)


class SchedulerProbe(ServerTest):
    def test_unanswering_scheduler_makes_system_unavailable_then_recovers(self):
        spool = os.path.join(self.server.data_dir, "spool", "perlmutter")
        self.wait_for(lambda: os.path.isdir(spool), what="spool folder")
        shutil.rmtree(spool)
        with open(spool, "w") as f:  # a file where the scheduler needs its folder
            f.write("x")
        s = self.wait_for(lambda: (lambda s: s if s["status"] == "unavailable" else None)(
            self.api("/status/perlmutter").json()), what="probe failure")
        self.assertEqual(s["description"], "Scheduler is not answering")
        self.assertEqual(len(s["notes"]), 1)
        self.assertRegex(s["notes"][0],
                         r"^Scheduler \(local\) is not answering since \S+: spool path .*"
                         r"spool/perlmutter is not a folder$")
        # Other systems are unaffected.
        self.assertEqual(self.api("/status/dtns").json()["status"], "active")
        os.unlink(spool)
        s = self.wait_for(lambda: (lambda s: s if s["status"] == "active" else None)(
            self.api("/status/perlmutter").json()), what="recovery")
        self.assertEqual(s["notes"], [])


if __name__ == "__main__":
    unittest.main()
