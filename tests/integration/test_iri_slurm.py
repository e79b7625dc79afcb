"""The IRI facility API v2's compute operations on a real single-node Slurm cluster
(scripts/slurm-up; needs root): a job launched with a reservation, a duration, a queue and an
account runs in Slurm with exactly those settings (read back with `scontrol show job`), is the
same job SFAPI v1.2 lists, and an update and a cancel through the IRI API reach Slurm."""

import json
import subprocess
import time
import uuid

import slurm_cluster
from compute_helpers import ComputeTest, OnSlurm
from harness import ModuleUsers

USERS = ModuleUsers("alice", "bob")
IRI = "/api/v2"


def setUpModule():
    slurm_cluster.module_up(USERS)


def tearDownModule():
    slurm_cluster.module_down(USERS)


def scontrol_job(jobid):
    """`scontrol -o show job ID` as a dict."""
    r = subprocess.run(["scontrol", "-o", "show", "job", jobid], capture_output=True, text=True,
                       timeout=30, check=True)
    return dict(kv.split("=", 1) for kv in r.stdout.split() if "=" in kv)


def default_partition():
    r = subprocess.run(["sinfo", "-h", "-o", "%P"], capture_output=True, text=True, timeout=30,
                       check=True)
    return next(p.rstrip("*") for p in r.stdout.split() if p.endswith("*"))


class IriOnSlurm(OnSlurm, ComputeTest):
    users = USERS

    def iri(self, method, path, user=None, body=None, headers=None):
        h = {"Authorization": f"Bearer {self.tokens[self.user(user)]}",
             "Content-Type": "application/json"}
        h.update(headers or {})
        data = json.dumps(body).encode() if body is not None else None
        return self.server.request(method, IRI + path, body=data, headers=h)

    def reservation(self, user):
        """A reservation of the one node for `user`, made by the operator (root) in Slurm."""
        name = f"iri-{uuid.uuid4().hex[:8]}"
        subprocess.run(["scontrol", "create", "reservation", f"ReservationName={name}",
                        f"Users={user}", "StartTime=now", "Duration=10", "NodeCnt=1",
                        "Flags=IGNORE_JOBS"], check=True, capture_output=True, timeout=30)
        self.addCleanup(subprocess.run, ["scontrol", "delete", f"ReservationName={name}"],
                        capture_output=True, timeout=30)
        return name

    def iri_state(self, jobid):
        r = self.iri("GET", f"/compute/status/perlmutter/{jobid}")
        self.assertEqual(r.status, 200, r)
        return r.json()["status"]["state"]

    def test_a_job_runs_with_the_reservation_duration_queue_and_account_it_was_given(self):
        name, partition = self.reservation(self.alice), default_partition()
        spec = {"executable": "/bin/sleep", "arguments": ["120"], "name": "iri-on-slurm",
                "attributes": {"duration": 300, "queue_name": partition, "account": "accta",
                               "reservation_id": name}}
        r = self.iri("POST", "/compute/job/perlmutter", body=spec,
                     headers={"Idempotency-Key": str(uuid.uuid4())})
        self.assertEqual(r.status, 200, r)
        jobid = r.json()["id"]
        self.assertRegex(jobid, r"^[0-9]+$")
        self.submitted.append((jobid, self.alice))

        held = scontrol_job(jobid)
        self.assertEqual((held["JobName"], held["Partition"], held["Account"],
                          held["Reservation"], held["TimeLimit"], held["UserId"].split("(")[0]),
                         ("iri-on-slurm", partition, "accta", name, "00:05:00", self.alice))
        # The same job through SFAPI v1.2, with the same settings in squeue's words.
        row = self.row(jobid)
        self.assertIsNotNone(row, "the IRI job in SFAPI's queue")
        self.assertEqual((row["name"], row["account"], row["reservation"], row["partition"]),
                         ("iri-on-slurm", "accta", name, partition))
        deadline = time.time() + 60
        while self.iri_state(jobid) != "active" and time.time() < deadline:
            time.sleep(0.5)
        self.assertEqual(self.iri_state(jobid), "active")
        got = self.iri("GET", f"/compute/status/perlmutter/{jobid}?include_spec=true").json()
        self.assertEqual(got["job_spec"]["executable"], "/bin/sleep")
        self.assertEqual(got["job_spec"]["attributes"]["reservation_id"], name)

        r = self.iri("DELETE", f"/compute/cancel/perlmutter/{jobid}")
        self.assertEqual(r.status, 204, r)
        deadline = time.time() + 60
        while self.iri_state(jobid) != "canceled" and time.time() < deadline:
            time.sleep(0.5)
        self.assertEqual(self.iri_state(jobid), "canceled")
        self.assertIn(scontrol_job(jobid)["JobState"], ("CANCELLED", "COMPLETING"))

    def test_an_update_of_a_pending_job_reaches_slurm_and_a_running_one_is_409(self):
        spec = {"executable": "/bin/sleep", "arguments": ["120"], "name": "iri-before",
                "attributes": {"duration": 300, "custom_attributes": {"begin": "now+1hour"}}}
        r = self.iri("POST", "/compute/job/perlmutter", body=spec)
        self.assertEqual(r.status, 200, r)
        jobid = r.json()["id"]
        self.submitted.append((jobid, self.alice))
        r = self.iri("PUT", f"/compute/job/perlmutter/{jobid}",
                     body=dict(spec, name="iri-after", attributes={"duration": 600}))
        self.assertEqual(r.status, 200, r)
        held = scontrol_job(jobid)
        self.assertEqual((held["JobName"], held["TimeLimit"]), ("iri-after", "00:10:00"))
        self.assertEqual(r.json()["job_spec"]["name"], "iri-after")

        running = self.iri("POST", "/compute/job/perlmutter",
                           body={"executable": "/bin/sleep", "arguments": ["120"]}).json()["id"]
        self.submitted.append((running, self.alice))
        deadline = time.time() + 60
        while self.iri_state(running) != "active" and time.time() < deadline:
            time.sleep(0.5)
        r = self.iri("PUT", f"/compute/job/perlmutter/{running}", body={"name": "too-late"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.headers.get("content-type"), "application/problem+json")
