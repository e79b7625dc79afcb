"""Conformance of /api/v2 to the DOE IRI Facility API v2, written from the specification summary
(shared/spec/iri-facility-api-v2.md) alone, not from sfapid's own OpenAPI document or code: an
independent check. One class per tag of the spec, plus Idempotency (§6) and the OpenAPI document.

Every reply is validated against the schema it must match (iri_schemas.py); every error reply is a
Problem (`application/problem+json`, `status` = the HTTP status). Design decisions tested here
that resolve the summary's ambiguities: prefix /api/v2; resources are the configured systems
(`id` = system name); empty lists are 200 [] (never 404); an unknown compute resource is 404;
forwarded headers change the base only when the peer is a trusted proxy; the facility and its one
site come from the [facility] and [facility.site] config tables (id = short_name).

Needs root (real Unix users). Run:
  cd tests/integration && SFAPID_BINARY=.../sfapid /usr/bin/python3 -m unittest test_iri_conformance
"""

import base64
import concurrent.futures
import email.utils
import errno
import grp
import hashlib
import http.client
import json
import os
import pwd
import shutil
import stat
import tarfile
import time
import unittest
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone

from harness import ModuleUsers, Server, client_key, fetch_token
import iri_schemas
from iri_schemas import NODE_HOURS, parse_date_time, validate

V2 = "/api/v2"
V1 = "/api/v1.2"
POLL_TIMEOUT = 30  # seconds: the longest any test waits for a task, a job or a refresh
OPS_SIZE_LIMIT = 5 * 1024 * 1024  # §4: 5 MiB

USERS = ModuleUsers("alice", "bob")


def setUpModule():
    USERS.create()


def tearDownModule():
    USERS.remove()


# --- configuration ---------------------------------------------------------------------------------

FACILITY = {"name": "IRI Test Facility", "short_name": "irifac",
            "description": "A facility for the IRI conformance tests",
            "organization_name": "Test Laboratory",
            "support_uri": "https://support.example.org/iri"}
SITE = {"name": "IRI Test Site", "short_name": "irisite", "description": "The facility's one site",
        "operating_organization": "Test Operations", "country_name": "United States",
        "locality_name": "Berkeley", "state_or_province_name": "California",
        "street_address": "1 Cyclotron Road", "unlocode": "US BKY",
        "latitude": 37.876, "longitude": -122.247, "altitude": 190.5}
SYSTEMS = ["perlmutter", "dtns", "globus"]

# DEFAULT_SYSTEMS of harness.py with room for a few jobs at once on the local scheduler.
SYSTEMS_TOML = """
[[systems]]
name = "perlmutter"
full_name = "Perlmutter"
system_type = "compute"
description = "Test compute system"
[systems.scheduler]
backend = "local"
nodes = 4
cpus_per_node = 2

[[systems]]
name = "dtns"
full_name = "Data Transfer Nodes"
system_type = "filesystem"

[[systems]]
name = "globus"
system_type = "service"
"""


def toml_table(header, values):
    lines = [f"[{header}]"]
    for key, value in values.items():
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


FACILITY_TOML = toml_table("facility", FACILITY) + "\n" + toml_table("facility.site", SITE)


def projects_toml():
    alice, bob = USERS.accounts["alice"], USERS.accounts["bob"]
    return f"""
[accounts]
unix_groups = false

[[projects]]
repo_name = "iriproj1"
description = "First IRI project"
cpu_hours = 1000
pis = ["{alice}"]
members = ["{bob}"]

[[projects]]
repo_name = "iriproj2"
description = "Second IRI project"
cpu_hours = 10
pis = ["{bob}"]
"""


# --- the 47 operations of §2 -------------------------------------------------------------------------

FS_OPS_200 = ["chmod", "chown", "file", "stat", "ls", "head", "view", "tail", "checksum", "rm",
              "download", "upload"]
FS_OPS_201 = ["mkdir", "symlink", "compress", "extract", "mv", "cp"]

# (tag, operationId, method, path template, public, success status)
OPERATIONS = [
    ("facility", "getFacility", "GET", "/facility", True, 200),
    ("facility", "getSites", "GET", "/facility/sites", True, 200),
    ("facility", "getSite", "GET", "/facility/sites/{site_id}", True, 200),
    ("status", "getResources", "GET", "/status/resources", True, 200),
    ("status", "getResource", "GET", "/status/resources/{resource_id}", True, 200),
    ("status", "getIncidents", "GET", "/status/incidents", True, 200),
    ("status", "getIncident", "GET", "/status/incidents/{incident_id}", True, 200),
    ("status", "getEventsByIncident", "GET", "/status/events", True, 200),
    ("status", "getEventByIncident", "GET", "/status/events/{event_id}", True, 200),
    ("account", "getCapabilities", "GET", "/account/capabilities", True, 200),
    ("account", "getCapability", "GET", "/account/capabilities/{capability_id}", True, 200),
    ("account", "getProjects", "GET", "/account/projects", False, 200),
    ("account", "getProject", "GET", "/account/projects/{project_id}", False, 200),
    ("account", "getProjectAllocationsByProject", "GET",
     "/account/projects/{project_id}/project_allocations", False, 200),
    ("account", "getProjectAllocationByProject", "GET",
     "/account/projects/{project_id}/project_allocations/{project_allocation_id}", False, 200),
    ("account", "getUserAllocationsByProjectAllocation", "GET",
     "/account/projects/{project_id}/project_allocations/{project_allocation_id}/user_allocations",
     False, 200),
    ("account", "getUserAllocationByProjectAllocation", "GET",
     "/account/projects/{project_id}/project_allocations/{project_allocation_id}/user_allocations/"
     "{user_allocation_id}", False, 200),
    ("compute", "getComputeResources", "GET", "/compute/resources", True, 200),
    ("compute", "launchJob", "POST", "/compute/job/{resource_id}", False, 200),
    ("compute", "updateJob", "PUT", "/compute/job/{resource_id}/{job_id}", False, 200),
    ("compute", "getJob", "GET", "/compute/status/{resource_id}/{job_id}", False, 200),
    ("compute", "getJobs", "POST", "/compute/status/{resource_id}", False, 200),
    ("compute", "cancelJob", "DELETE", "/compute/cancel/{resource_id}/{job_id}", False, 204),
    ("filesystem", "getFilesystemResources", "POST", "/filesystem/resources", True, 200),
] + [("filesystem", op, "POST", f"/filesystem/{op}/{{resource_id}}", False, 200)
     for op in FS_OPS_200] + [
    ("filesystem", op, "POST", f"/filesystem/{op}/{{resource_id}}", False, 201)
    for op in FS_OPS_201] + [
    ("storage", "getStorageLocations", "GET", "/storage/locations/{resource_id}", False, 200),
    ("storage", "getStorageAccessEndpoints", "GET", "/storage/access-endpoints/{resource_id}",
     False, 200),
    ("task", "getTasks", "GET", "/task", False, 200),
    ("task", "getTask", "GET", "/task/{task_id}", False, 200),
    ("task", "deleteTask", "DELETE", "/task/{task_id}", False, 200),
]
assert len(OPERATIONS) == 47 and len({o[1] for o in OPERATIONS}) == 47

# §1: x-iri (maturity, implementation level) of every op; None where the summary gives no level.
X_IRI = {op_id: ("production", "required") for _, op_id, *_ in OPERATIONS}
X_IRI.update({"getComputeResources": ("planned", None), "getFilesystemResources": ("planned", None),
              "getStorageLocations": ("in_development", "optional"),
              "getStorageAccessEndpoints": ("in_development", "required")})
# §1: what every operation documents besides its success code.
DOCUMENTED_ERRORS = {"304", "400", "401", "403", "404", "405", "409", "422", "500", "501", "503",
                     "504"}

SAMPLE_IDS = {"site_id": "irisite", "resource_id": "perlmutter", "incident_id": "1",
              "event_id": "1", "capability_id": "1", "project_id": "iriproj1",
              "project_allocation_id": "1", "user_allocation_id": "1", "job_id": "1",
              "task_id": "1"}
# One body that every filesystem op accepts (§4: extra keys are ignored).
ANY_FS_BODY = {"path": "/tmp", "mode": "755", "target_path": "/tmp/iri-x", "link_path": "/tmp/iri-y"}
FUTURE = "2999-01-01T00:00:00Z"
PAST = "2000-01-01T00:00:00Z"
FINAL_TASK = {"completed", "failed", "canceled"}
FINAL_JOB = {"completed", "failed", "canceled"}
NO_BODY = object()


def fill(template, **ids):
    values = dict(SAMPLE_IDS, **ids)
    return template.format(**values)


def multipart(field, filename, data, boundary=None):
    """A multipart/form-data body with one file part: (body, content type)."""
    boundary = boundary or "iri" + uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def when(text):
    return parse_date_time(text)


# --- the schemas themselves ----------------------------------------------------------------------


class Schemas(unittest.TestCase):
    """iri_schemas.py: valid Draft 2020-12 schemas whose formats and patterns say what §1 says."""

    def rejects(self, instance, name):
        with self.assertRaises(AssertionError, msg=f"{instance!r} passed as {name}"):
            validate(instance, name)

    def test_every_schema_is_a_valid_draft_2020_12_schema(self):
        names = iri_schemas.check_schemas()
        for name in ["Problem", "Facility", "Site", "Resource", "Incident", "Event", "Capability",
                     "Project", "ProjectAllocation", "UserAllocation", "AllocationEntry",
                     "JobSpec", "ResourceSpec", "JobAttributes", "Container", "VolumeMount",
                     "Job", "JobStatus", "JobState", "Status", "IncidentType", "Resolution",
                     "Endpoint", "TaskSubmitResponse", "Task", "TaskStatus", "TaskCommand",
                     "File", "FileContent", "FileStat", "StorageInstance", "AccessEndpoint"]:
            self.assertIn(name, names)

    def test_date_times_need_a_zone_and_a_real_date(self):
        for ok in ["2026-02-21T12:00:00Z", "2026-02-21T12:00:00.123+01:00", "2026-02-21t12:00:00z"]:
            parse_date_time(ok)
        for bad in ["2026-02-21T12:00:00", "2026-02-21", "2026-02-30T00:00:00Z",
                    "2026-02-21 12:00:00Z", "yesterday", "2026-02-21T12:00:00+2400"]:
            with self.subTest(bad=bad):
                self.assertRaises(ValueError, parse_date_time, bad)
                self.rejects({"id": "x", "last_modified": bad, "self_uri": "http://h/api/v2/facility",
                              "site_uris": []}, "Facility")

    def test_links_are_absolute_http_urls(self):
        facility = {"id": "x", "last_modified": "2026-02-21T12:00:00Z", "site_uris": []}
        validate(dict(facility, self_uri="https://h:8443/api/v2/facility"), "Facility")
        for bad in ["/api/v2/facility", "facility", "ftp://h/facility", "http:///facility"]:
            with self.subTest(bad=bad):
                self.rejects(dict(facility, self_uri=bad), "Facility")

    def test_urns(self):
        resource = {"id": "r", "last_modified": "2026-02-21T12:00:00Z",
                    "self_uri": "http://h/r", "site_uri": "http://h/s", "capability_uris": []}
        for rtype in ["urn:doe-iri:resource:compute", "urn:doe-iri:resource:compute:gpu",
                      "urn:doe-iri:resource:storage:filesystem", "urn:doe-iri:resource:website",
                      "urn:doe-iri:service:generic", "urn:doe-iri:resource:x%20y:a.b_c~d"]:
            validate(dict(resource, resource_type=rtype), "Resource")
        for rtype in ["compute", "urn:doe-iri:resource:", "urn:doe-iri:resource::compute",
                      "urn:other:resource:compute", "urn:doe-iri:-bad:compute",
                      "urn:doe-iri:resource:com pute"]:
            with self.subTest(resource_type=rtype):
                self.rejects(dict(resource, resource_type=rtype), "Resource")
        for unit in [NODE_HOURS, "urn:doe-iri:allocation:storage:bytes",
                     "urn:doe-iri:allocation:storage:inodes"]:
            validate({"allocation": 1, "usage": 0.5, "unit": unit}, "AllocationEntry")
        for unit in ["node_hours", "urn:doe-iri:allocation:", "urn:doe-iri:resource:compute"]:
            self.rejects({"allocation": 1, "usage": 0, "unit": unit}, "AllocationEntry")

    def test_job_spec_is_closed_and_typed(self):
        validate({}, "JobSpec")
        validate({"executable": "/bin/true", "arguments": ["a"], "environment": {"A": "1"},
                  "attributes": {"duration": 60, "custom_attributes": {"constraint": "gpu"}},
                  "resources": {"node_count": 2, "exclusive_node_use": False},
                  "container": {"image": "img", "volume_mounts": [{"source": "/a",
                                                                   "target": "/b"}]}},
                 "JobSpec")
        for bad in [{"bogus": 1}, {"executable": ""}, {"attributes": {"duration": 0}},
                    {"environment": {"A": 1}}, {"container": {}}]:
            with self.subTest(spec=bad):
                self.rejects(bad, "JobSpec")

    def test_required_nullable_keys_must_be_present(self):
        event = {"id": "e", "last_modified": "2026-02-21T12:00:00Z",
                 "occurred_at": "2026-02-21T12:00:00Z", "status": "up",
                 "self_uri": "http://h/e", "resource_uri": "http://h/r"}
        validate(dict(event, incident_uri=None), "Event")
        self.rejects(event, "Event")  # incident_uri missing


# --- the base class ------------------------------------------------------------------------------


class IriTest(unittest.TestCase):
    """One sfapid per class, with the facility configured; tokens for alice and bob (yellow by
    default, green on request). Helpers call /api/v2 and check replies and Problems."""

    server_options = ""
    with_projects = False
    systems = SYSTEMS_TOML

    @classmethod
    def extra(cls):
        return FACILITY_TOML + (projects_toml() if cls.with_projects else "")

    @classmethod
    def setUpClass(cls):
        cls.alice = USERS.accounts["alice"]
        cls.bob = USERS.accounts["bob"]
        cls.server = Server(cls.server_options, extra=cls.extra(), systems=cls.systems)
        cls.keys = {}
        cls.tokens = {}
        try:
            cls.server.start()
            for name in ("alice", "bob"):
                cls.token_for(name, "yellow")
        except BaseException:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    @classmethod
    def token_for(cls, name="alice", level="yellow"):
        if (name, level) not in cls.tokens:
            if (name, level) not in cls.keys:
                cls.keys[(name, level)] = client_key(cls.server, USERS.accounts[name], level)[0]
            cls.tokens[(name, level)] = fetch_token(cls.server, cls.keys[(name, level)])
        return cls.tokens[(name, level)]

    @classmethod
    def refresh_tokens(cls):
        """New tokens from the same key files (after a restart)."""
        for (name, level), path in cls.keys.items():
            cls.tokens[(name, level)] = fetch_token(cls.server, path)

    # --- HTTP --------------------------------------------------------------------------------

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def base(self):
        return self.origin + V2

    def call(self, method, path, user="alice", level="yellow", token=None, query=None,
             json_body=NO_BODY, body=None, headers=None, prefix=V2, timeout=30):
        """`user` None sends no Authorization; `query` is a dict, a list of pairs or a string."""
        h = {}
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        elif user is not None:
            h["Authorization"] = f"Bearer {self.token_for(user, level)}"
        if json_body is not NO_BODY:
            body = json.dumps(json_body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        url = prefix + path
        if query:
            url += "?" + (query if isinstance(query, str) else urllib.parse.urlencode(query))
        return self.server.request(method, url, body=body, headers=h, timeout=timeout)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def ok(self, reply, schema=None, status=200):
        """The parsed JSON body of a success reply, validated against `schema`."""
        self.assertEqual(reply.status, status, reply)
        ctype = reply.headers.get("content-type", "")
        self.assertEqual(ctype.split(";")[0].strip(), "application/json", reply.headers)
        body = reply.json()
        if schema:
            validate(body, schema)
        return body

    def problem(self, reply, status):
        """Checks an error reply is a Problem for `status` and returns it."""
        self.assertEqual(reply.status, status, reply)
        ctype = reply.headers.get("content-type", "")
        self.assertEqual(ctype.split(";")[0].strip(), "application/problem+json",
                         f"{reply} headers {reply.headers}")
        body = reply.json()
        validate(body, "Problem")
        self.assertEqual(body["status"], status, body)
        self.assertIsInstance(body["instance"], str)
        self.assertIsInstance(body["type"], str)
        if status == 401:
            self.assertRegex(reply.headers.get("www-authenticate", ""), r"^Bearer\b", reply.headers)
        if status == 405:
            self.assertIn("allow", reply.headers, reply.headers)
        return body

    def allowed(self, reply):
        self.problem(reply, 405)
        return {m.strip().upper() for m in reply.headers["allow"].split(",") if m.strip()}

    def assert_allow(self, method, path, expected, **kw):
        """`method` on `path` is 405 and Allow lists exactly `expected` (HEAD may come with GET)."""
        methods = self.allowed(self.call(method, path, **kw))
        expected = set(expected)
        extra = methods - expected - ({"HEAD"} if "GET" in expected else set())
        self.assertTrue(expected <= methods and not extra,
                        f"{method} {path}: Allow {sorted(methods)}, expected {sorted(expected)}")

    def not_modified(self, reply, last_modified=None):
        """A 304: no body, a Last-Modified HTTP-date (equal, to the second, to `last_modified`)."""
        self.assertEqual(reply.status, 304, reply)
        self.assertEqual(reply.body, b"")
        header = reply.headers.get("last-modified")
        self.assertTrue(header, f"304 without Last-Modified: {reply.headers}")
        try:
            date = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            date = None
        self.assertIsNotNone(date, f"Last-Modified {header!r} is not an HTTP-date")
        if last_modified:
            self.assertLess(abs((date - when(last_modified)).total_seconds()), 1.0,
                            (header, last_modified))
        return date

    def link(self, uri, path):
        """`uri` is this server's absolute URL of `path` (relative to /api/v2)."""
        self.assertEqual(uri, self.base + path)

    def follow(self, uri, schema, user=None):
        """GETs an absolute URI of this server and returns the validated object."""
        self.assertTrue(uri.startswith(self.base + "/"), f"{uri} is not under {self.base}")
        return self.ok(self.call("GET", uri[len(self.base):], user=user), schema)

    def wait_for(self, predicate, timeout=POLL_TIMEOUT, what="condition"):
        deadline = time.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.time() > deadline:
                self.fail(f"timed out after {timeout} s waiting for {what}")
            time.sleep(0.1)

    # --- auth checks shared by the tag classes -------------------------------------------------

    def request_op(self, op_id, user=None, token=None, ids=None):
        """Calls the operation with sample ids (`ids` overrides them) and a body it accepts."""
        _, _, method, template, _, _ = next(o for o in OPERATIONS if o[1] == op_id)
        path = fill(template, **(ids or {}))
        kw = {}
        if op_id in ("launchJob", "updateJob"):
            kw["json_body"] = {"executable": "/bin/true"}
        elif op_id == "upload":
            body, ctype = multipart("file", "f.txt", b"x")
            kw.update(body=body, headers={"Content-Type": ctype}, query={"path": "/tmp/iri-up"})
        elif template.startswith("/filesystem/") and op_id != "getFilesystemResources":
            kw["json_body"] = ANY_FS_BODY
        return self.call(method, path, user=user, token=token, **kw)

    def check_auth_rules(self, tag, ids=None):
        """Secured ops of `tag`: 401 + WWW-Authenticate: Bearer without or with a bad token;
        public ops succeed without a token (`ids`: ids of objects that exist, for their paths)."""
        for _, op_id, _, _, public, success in (o for o in OPERATIONS if o[0] == tag):
            with self.subTest(op=op_id):
                r = self.request_op(op_id, ids=ids)
                if public:
                    self.assertEqual(r.status, success, f"public {op_id} without a token: {r}")
                else:
                    self.problem(r, 401)
                    self.problem(self.request_op(op_id, token="not-a-token", ids=ids), 401)

    # --- tasks and files -----------------------------------------------------------------------

    def wait_task(self, task_id, user="alice", timeout=POLL_TIMEOUT):
        """The Task once final."""
        deadline = time.time() + timeout
        while True:
            task = self.ok(self.get(f"/task/{task_id}", user=user), "Task")
            self.assertEqual(task["id"], task_id)
            if task.get("status") in FINAL_TASK:
                return task
            if time.time() > deadline:
                self.fail(f"task {task_id} not final after {timeout} s: {task}")
            time.sleep(0.05)

    def fs_call(self, op, body, resource="perlmutter", user="alice", level="yellow"):
        return self.call("POST", f"/filesystem/{op}/{resource}", user=user, level=level,
                         json_body=body)

    def fs_submit(self, op, body, resource="perlmutter", user="alice", level="yellow", reply=None):
        """Submits a filesystem op: the TaskSubmitResponse's task id (checks status and task_uri)."""
        r = reply if reply is not None else self.fs_call(op, body, resource, user, level)
        submitted = self.ok(r, "TaskSubmitResponse", 201 if op in FS_OPS_201 else 200)
        self.link(submitted["task_uri"], f"/task/{submitted['task_id']}")
        return submitted["task_id"]

    def fs_task(self, op, body, resource="perlmutter", user="alice", reply=None):
        return self.wait_task(self.fs_submit(op, body, resource, user, reply=reply), user)

    def fs_output(self, op, body, schema=None, resource="perlmutter", user="alice", reply=None):
        """The op's `result.output` once its task completed, validated against `schema`."""
        task = self.fs_task(op, body, resource, user, reply=reply)
        self.assertEqual(task["status"], "completed", task)
        self.assertIsInstance(task.get("result"), dict, task)
        self.assertIn("output", task["result"], task)
        output = task["result"]["output"]
        if schema:
            validate(output, schema)
        return output

    def fs_error(self, op, body, resource="perlmutter", user="alice"):
        """The op's task failed with `result.output` "Error: ..."; returns the message."""
        task = self.fs_task(op, body, resource, user)
        self.assertEqual(task["status"], "failed", task)
        output = (task.get("result") or {}).get("output")
        self.assertIsInstance(output, str, task)
        self.assertTrue(output.startswith("Error: "), task)
        return output


def put_file(path, data, owner, mode=0o644):
    """Writes a file (and missing folders) owned by the Unix account `owner`."""
    pw = pwd.getpwnam(owner)
    folder = os.path.dirname(path)
    missing = []
    while folder and not os.path.isdir(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    for d in reversed(missing):
        os.mkdir(d, 0o755)
        os.chown(d, pw.pw_uid, pw.pw_gid)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chown(path, pw.pw_uid, pw.pw_gid)
    os.chmod(path, mode)
    return path


def make_dir(path, owner, mode=0o755):
    pw = pwd.getpwnam(owner)
    os.makedirs(path, exist_ok=True)
    os.chown(path, pw.pw_uid, pw.pw_gid)
    os.chmod(path, mode)
    return path


# --- 2.1 facility -------------------------------------------------------------------------------


class Facility(IriTest):
    server_options = 'trusted_proxies = ["127.0.0.1/32"]'

    def facility(self, **kw):
        return self.ok(self.get("/facility", user=None, **kw), "Facility")

    def site(self):
        return self.ok(self.get(f"/facility/sites/{SITE['short_name']}", user=None), "Site")

    def test_facility_ops_are_public(self):
        self.check_auth_rules("facility")
        self.facility()
        self.ok(self.get("/facility"), "Facility")  # a token is not needed, but harmless

    def test_facility_reflects_the_configuration(self):
        f = self.facility()
        self.assertEqual(f["id"], FACILITY["short_name"])
        for key, value in FACILITY.items():
            self.assertEqual(f.get(key), value, key)

    def test_facility_links_point_into_this_server_and_lead_back(self):
        f = self.facility()
        self.link(f["self_uri"], "/facility")
        self.assertEqual(self.follow(f["self_uri"], "Facility"), f)
        self.assertEqual(f["site_uris"], [f"{self.base}/facility/sites/{SITE['short_name']}"])
        self.assertEqual(self.follow(f["site_uris"][0], "Site"), self.site())

    def test_get_sites_lists_the_configured_site(self):
        sites = self.ok(self.get("/facility/sites", user=None), "[Site]")
        self.assertEqual([s["id"] for s in sites], [SITE["short_name"]])
        self.assertEqual(sites[0], self.site())

    def test_site_reflects_the_configuration(self):
        s = self.site()
        self.assertEqual(s["id"], SITE["short_name"])
        for key, value in SITE.items():
            if isinstance(value, float):
                self.assertAlmostEqual(s.get(key), value, places=6, msg=key)
            else:
                self.assertEqual(s.get(key), value, key)
        self.link(s["self_uri"], f"/facility/sites/{SITE['short_name']}")
        self.assertEqual(self.follow(s["self_uri"], "Site"), s)

    def test_site_resource_uris_are_the_configured_systems(self):
        s = self.site()
        self.assertEqual(sorted(s["resource_uris"]),
                         sorted(f"{self.base}/status/resources/{n}" for n in SYSTEMS))
        for uri in s["resource_uris"]:
            self.assertEqual(self.follow(uri, "Resource")["site_uri"], s["self_uri"])

    def test_unknown_site_is_404(self):
        self.problem(self.get("/facility/sites/nosuchsite", user=None), 404)

    def test_modified_since_in_the_future_is_304_with_last_modified(self):
        f, s = self.facility(), self.site()
        self.not_modified(self.get("/facility", user=None, query={"modified_since": FUTURE}),
                          f["last_modified"])
        self.not_modified(self.get(f"/facility/sites/{SITE['short_name']}", user=None,
                                   query={"modified_since": FUTURE}), s["last_modified"])
        # at the object's own last_modified: "last_modified <= modified_since" is not modified
        self.not_modified(self.get("/facility", user=None,
                                   query={"modified_since": f["last_modified"]}))

    def test_modified_since_in_the_past_returns_the_object(self):
        f = self.ok(self.get("/facility", user=None, query={"modified_since": PAST}), "Facility")
        self.assertEqual(f, self.facility())
        s = self.ok(self.get(f"/facility/sites/{SITE['short_name']}", user=None,
                             query={"modified_since": "2000-01-01T01:00:00+01:00"}), "Site")
        self.assertEqual(s, self.site())

    def test_get_sites_filters_by_modified_since(self):
        self.assertEqual(self.ok(self.get("/facility/sites", user=None,
                                          query={"modified_since": FUTURE}), "[Site]"), [])
        sites = self.ok(self.get("/facility/sites", user=None, query={"modified_since": PAST}),
                        "[Site]")
        self.assertEqual([s["id"] for s in sites], [SITE["short_name"]])

    def test_get_sites_filters_by_name_and_short_name(self):
        def ids(**q):
            return [s["id"] for s in self.ok(self.get("/facility/sites", user=None, query=q),
                                             "[Site]")]
        self.assertEqual(ids(short_name=SITE["short_name"]), [SITE["short_name"]])
        self.assertEqual(ids(name=SITE["name"]), [SITE["short_name"]])
        self.assertEqual(ids(short_name="nosuchsite"), [])  # empty: 200 [], never 404
        self.assertEqual(ids(name="no such site at all"), [])

    def test_get_sites_paging(self):
        def ids(**q):
            return [s["id"] for s in self.ok(self.get("/facility/sites", user=None, query=q),
                                             "[Site]")]
        self.assertEqual(ids(limit=0), [])
        self.assertEqual(ids(offset=0, limit=1), [SITE["short_name"]])
        self.assertEqual(ids(offset=1), [])
        self.assertEqual(ids(limit=1000), [SITE["short_name"]])

    def test_bad_parameters_are_400(self):
        for path, query in [
            ("/facility", {"modified_since": "yesterday"}),
            ("/facility", {"modified_since": "2026-13-01T00:00:00Z"}),
            ("/facility/sites", {"modified_since": "2026-02-30T00:00:00Z"}),
            (f"/facility/sites/{SITE['short_name']}", {"modified_since": "not a date"}),
            ("/facility/sites", {"offset": "-1"}),
            ("/facility/sites", {"limit": "1001"}),
            ("/facility/sites", {"limit": "-1"}),
            ("/facility/sites", {"limit": "ten"}),
            ("/facility/sites", {"offset": "1.5"}),
        ]:
            with self.subTest(path=path, query=query):
                self.problem(self.get(path, user=None, query=query), 400)

    def test_undeclared_or_repeated_query_keys_are_422(self):
        for path, query in [
            ("/facility", "foo=1"),
            ("/facility", f"modified_since={PAST}&modified_since={PAST}"),
            ("/facility/sites", "limit=1&limit=2"),
            ("/facility/sites", "nosuchkey=x"),
            (f"/facility/sites/{SITE['short_name']}", "name=x"),
        ]:
            with self.subTest(path=path, query=query):
                self.problem(self.get(path, user=None, query=query), 422)

    def test_wrong_method_is_405_with_allow(self):
        self.assert_allow("PUT", "/facility", {"GET"}, user=None)
        self.assert_allow("POST", "/facility/sites", {"GET"}, user=None)
        self.assert_allow("DELETE", f"/facility/sites/{SITE['short_name']}", {"GET"}, user=None)

    def test_unknown_path_under_the_prefix_is_404(self):
        self.problem(self.get("/no/such/route", user=None), 404)

    FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "iri.example.org",
                 "X-Forwarded-Prefix": "/gateway"}

    def test_forwarded_headers_from_a_trusted_proxy_change_the_base(self):
        f = self.facility(headers=self.FORWARDED)
        base = "https://iri.example.org/gateway/api/v2"
        self.assertEqual(f["self_uri"], base + "/facility")
        self.assertEqual(f["site_uris"], [f"{base}/facility/sites/{SITE['short_name']}"])
        r = self.get("/status/resources/perlmutter", user=None, headers=self.FORWARDED)
        self.assertEqual(self.ok(r, "Resource")["self_uri"], base + "/status/resources/perlmutter")
        # and without the headers, the base is this server again
        self.link(self.facility()["self_uri"], "/facility")

    def test_forwarded_headers_from_an_untrusted_peer_are_ignored(self):
        other = Server(extra=self.extra(), systems=self.systems)  # no trusted_proxies
        try:
            other.start()
            r = other.request("GET", V2 + "/facility", headers=self.FORWARDED)
            f = self.ok(r, "Facility")
            self.assertEqual(f["self_uri"], f"http://127.0.0.1:{other.port}{V2}/facility")
        finally:
            other.cleanup()


# --- 2.2 status ---------------------------------------------------------------------------------


class Status(IriTest):
    """Incidents are sfapid outages; events come from outages, notes and status changes."""

    NOW = datetime.now(timezone.utc).replace(microsecond=0)
    OUTAGES = [  # (system, start, end, description, status, swo)
        ("perlmutter", NOW - timedelta(hours=1), NOW + timedelta(hours=1), "IRI current outage",
         "Active", "true"),
        ("dtns", NOW - timedelta(days=3), NOW - timedelta(days=2), "IRI past outage",
         "Completed", "degr"),
        ("globus", NOW + timedelta(days=5), NOW + timedelta(days=6), "IRI cancelled outage",
         "Cancelled", "true"),
        ("dtns", NOW + timedelta(days=2), NOW + timedelta(days=3), "IRI extended outage",
         "Extended", "degr"),
    ]
    NOTE = "IRI note marker on globus"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            for system, start, end, description, status, swo in cls.OUTAGES:
                cls.server.cli("outage", "add", system, "--start", iso(start), "--end", iso(end),
                               "--description", description, "--status", status, "--swo", swo)
            cls.server.cli("note", "add", "globus", cls.NOTE)
        except BaseException:
            cls.server.cleanup()
            raise

    def resources(self, **query):
        return self.ok(self.get("/status/resources", user=None, query=query), "[Resource]")

    def resource(self, rid):
        return self.ok(self.get(f"/status/resources/{rid}", user=None), "Resource")

    def incidents(self, **query):
        return self.ok(self.get("/status/incidents", user=None, query=query), "[Incident]")

    def events(self, **query):
        return self.ok(self.get("/status/events", user=None, query=query), "[Event]")

    def all_incidents(self):
        """Every incident, once the four outages have reached the API."""
        return self.wait_for(lambda: (lambda x: x if len(x) >= len(self.OUTAGES) else None)(
            self.incidents(limit=1000)), what="the outages as incidents")

    def all_events(self):
        self.all_incidents()
        return self.wait_for(lambda: self.events(limit=1000), what="events")

    def incident_for(self, description):
        found = [i for i in self.all_incidents()
                 if description in (i.get("name") or "") + " " + (i.get("description") or "")]
        self.assertEqual(len(found), 1, f"one incident for {description!r}: {found}")
        return found[0]

    def resource_uri(self, rid):
        return f"{self.base}/status/resources/{rid}"

    # resources

    def test_status_ops_are_public(self):
        self.check_auth_rules("status", ids={"incident_id": self.all_incidents()[0]["id"],
                                             "event_id": self.all_events()[0]["id"]})

    def test_resources_are_the_configured_systems(self):
        resources = self.resources()
        self.assertEqual(sorted(r["id"] for r in resources), sorted(SYSTEMS))
        for r in resources:
            self.link(r["self_uri"], f"/status/resources/{r['id']}")
            self.link(r["site_uri"], f"/facility/sites/{SITE['short_name']}")

    def test_resource_links_lead_back(self):
        for r in self.resources():
            with self.subTest(resource=r["id"]):
                self.assertEqual(self.follow(r["self_uri"], "Resource"), r)
                self.assertEqual(self.follow(r["site_uri"], "Site")["id"], SITE["short_name"])
                for uri in r["capability_uris"]:
                    self.assertTrue(uri.startswith(self.base + "/account/capabilities/"), uri)
                    self.follow(uri, "Capability")

    def test_supported_endpoints(self):
        by_id = {r["id"]: r for r in self.resources()}
        self.assertIn("compute", by_id["perlmutter"].get("supported_endpoints", []))
        self.assertIn("filesystem", by_id["perlmutter"].get("supported_endpoints", []))
        self.assertIn("filesystem", by_id["dtns"].get("supported_endpoints", []))
        self.assertNotIn("compute", by_id["dtns"].get("supported_endpoints", []))
        self.assertNotIn("compute", by_id["globus"].get("supported_endpoints", []))

    def test_perlmutter_is_a_compute_resource(self):
        rtype = self.resource("perlmutter")["resource_type"]
        self.assertTrue(rtype == "urn:doe-iri:resource:compute"
                        or rtype.startswith("urn:doe-iri:resource:compute:"), rtype)

    def test_unknown_resource_is_404(self):
        self.problem(self.get("/status/resources/nosuchsystem", user=None), 404)

    def test_resource_type_filter_matches_whole_segments(self):
        everything = self.resources()
        for prefix in ["urn:doe-iri:resource:compute", "urn:doe-iri:resource",
                       self.resource("dtns")["resource_type"]]:
            with self.subTest(resource_type=prefix):
                expected = sorted(r["id"] for r in everything
                                  if r["resource_type"] == prefix
                                  or r["resource_type"].startswith(prefix + ":"))
                got = sorted(r["id"] for r in self.resources(resource_type=prefix))
                self.assertEqual(got, expected)
        self.assertIn("perlmutter", [r["id"] for r in
                                     self.resources(resource_type="urn:doe-iri:resource:compute")])
        self.assertEqual(self.resources(resource_type="urn:doe-iri:resource:comp"), [])

    def test_name_group_and_current_status_filters(self):
        everything = self.resources()
        for key in ("name", "group", "current_status"):
            values = {r.get(key) for r in everything if r.get(key) is not None}
            for value in sorted(values):
                with self.subTest(key=key, value=value):
                    expected = sorted(r["id"] for r in everything if r.get(key) == value)
                    self.assertEqual(sorted(r["id"] for r in self.resources(**{key: value})),
                                     expected)
        self.assertEqual(self.resources(name="no such resource"), [])
        # description: substring
        description = next((r["description"] for r in everything if r.get("description")), None)
        if description:
            part = description[1:-1] or description
            expected = sorted(r["id"] for r in everything if part in (r.get("description") or ""))
            self.assertEqual(sorted(r["id"] for r in self.resources(description=part)), expected)

    def test_capability_filter_may_repeat(self):
        everything = {r["id"] for r in self.resources()}
        query = [("capability", NODE_HOURS), ("capability", "urn:doe-iri:allocation:storage:bytes")]
        got = self.ok(self.get("/status/resources", user=None, query=query), "[Resource]")
        self.assertLessEqual({r["id"] for r in got}, everything)

    def test_resources_filter_by_modified_since(self):
        everything = self.resources()
        self.assertEqual(self.resources(modified_since=FUTURE), [])
        self.assertEqual(sorted(r["id"] for r in self.resources(modified_since=PAST)),
                         sorted(r["id"] for r in everything))
        newest = max(when(r["last_modified"]) for r in everything)
        got = self.resources(modified_since=iso(newest - timedelta(seconds=1)))
        self.assertIn(max(everything, key=lambda r: when(r["last_modified"]))["id"],
                      [r["id"] for r in got])
        for r in got:
            self.assertGreaterEqual(when(r["last_modified"]), newest - timedelta(seconds=1))

    def test_resources_paging(self):
        everything = [r["id"] for r in self.resources()]
        self.assertEqual(self.resources(limit=0), [])
        for offset, limit in [(0, 1), (1, 1), (1, 2), (2, 100), (3, 1), (10, 5)]:
            with self.subTest(offset=offset, limit=limit):
                self.assertEqual([r["id"] for r in self.resources(offset=offset, limit=limit)],
                                 everything[offset:offset + limit])

    def test_bad_resource_parameters_are_400(self):
        for query in [{"resource_type": "compute"},  # shorter than 15
                      {"resource_type": "not-a-urn-but-long-enough"},
                      {"current_status": "broken"},
                      {"capability": "node_hours"},  # allocation URNs: minLength 24
                      {"modified_since": "2026-02-21T25:00:00Z"},
                      {"offset": "-1"}, {"limit": "1001"}, {"limit": "x"}]:
            with self.subTest(query=query):
                self.problem(self.get("/status/resources", user=None, query=query), 400)

    def test_undeclared_or_repeated_query_keys_are_422(self):
        for path, query in [("/status/resources", "foo=1"),
                            ("/status/resources", "name=a&name=b"),
                            ("/status/resources/perlmutter", f"modified_since={PAST}"),
                            ("/status/incidents", "limit=1&limit=1"),
                            ("/status/incidents", "system=perlmutter"),
                            ("/status/events", "offset=0&offset=0"),
                            ("/status/events", "event=1")]:
            with self.subTest(path=path, query=query):
                self.problem(self.get(path, user=None, query=query), 422)

    def test_wrong_method_is_405_with_allow(self):
        self.assert_allow("POST", "/status/resources", {"GET"}, user=None)
        self.assert_allow("DELETE", "/status/resources/perlmutter", {"GET"}, user=None)
        self.assert_allow("PUT", "/status/incidents", {"GET"}, user=None)
        self.assert_allow("POST", "/status/events", {"GET"}, user=None)

    # incidents

    def test_outages_are_incidents(self):
        expected_status = {"true": "down", "degr": "degraded"}
        expected_resolution = {"Completed": "completed", "Cancelled": "cancelled",
                               "Extended": "extended"}
        for system, start, end, description, status, swo in self.OUTAGES:
            with self.subTest(outage=description):
                i = self.incident_for(description)
                self.assertEqual(i["resource_uris"], [self.resource_uri(system)])
                self.assertEqual(when(i["start"]), start)
                self.assertEqual(when(i["end"]), end)
                self.assertEqual(i["status"], expected_status[swo])
                if status in expected_resolution:
                    self.assertEqual(i["resolution"], expected_resolution[status])
                self.link(i["self_uri"], f"/status/incidents/{i['id']}")

    def test_incident_links_lead_back(self):
        for i in self.all_incidents():
            with self.subTest(incident=i["id"]):
                self.assertEqual(self.follow(i["self_uri"], "Incident"), i)
                for uri in i["resource_uris"]:
                    self.follow(uri, "Resource")
                for uri in i["event_uris"]:
                    self.assertEqual(self.follow(uri, "Event")["incident_uri"], i["self_uri"])

    def test_unknown_incident_and_event_are_404(self):
        self.problem(self.get("/status/incidents/nosuchincident", user=None), 404)
        self.problem(self.get("/status/events/nosuchevent", user=None), 404)

    def test_incident_filters_follow_the_spec(self):
        everything = self.all_incidents()
        some = everything[0]
        t = when(self.incident_for("IRI current outage")["start"]) + timedelta(minutes=5)
        cases = [
            ({"status": "down"}, lambda i: i["status"] == "down"),
            ({"status": "degraded"}, lambda i: i["status"] == "degraded"),
            ({"type": "planned"}, lambda i: i["type"] == "planned"),
            ({"type": "unplanned"}, lambda i: i["type"] == "unplanned"),
            ({"resolution": "completed"}, lambda i: i["resolution"] == "completed"),
            ({"resolution": "cancelled"}, lambda i: i["resolution"] == "cancelled"),
            ({"resource_id": "dtns"}, lambda i: self.resource_uri("dtns") in i["resource_uris"]),
            ({"resource_id": "globus"},
             lambda i: self.resource_uri("globus") in i["resource_uris"]),
            ({"from": iso(self.NOW - timedelta(days=1))},
             lambda i: when(i["start"]) >= self.NOW - timedelta(days=1)),
            ({"to": iso(self.NOW)}, lambda i: i.get("end") and when(i["end"]) < self.NOW),
            ({"time": iso(t)}, lambda i: when(i["start"]) <= t
             and (not i.get("end") or when(i["end"]) > t)),
            ({"description": "IRI"}, lambda i: "IRI" in (i.get("description") or "")),
            ({"name": some.get("name") or "x"}, lambda i: i.get("name") == (some.get("name") or "x")),
        ]
        for query, keep in cases:
            with self.subTest(query=query):
                expected = sorted(i["id"] for i in everything if keep(i))
                got = sorted(i["id"] for i in self.incidents(limit=1000, **query))
                self.assertEqual(got, expected)

    def test_bad_incident_parameters_are_400(self):
        for query in [{"status": "broken"}, {"type": "surprise"}, {"resolution": "maybe"},
                      {"from": "last week"}, {"to": "2026-02-21T12:00:00+25:00"},
                      {"time": "21/02/2026 12:00"}, {"modified_since": "now"}, {"offset": "-2"},
                      {"limit": "5000"}]:
            with self.subTest(query=query):
                self.problem(self.get("/status/incidents", user=None, query=query), 400)

    def test_empty_results_are_200_empty_lists(self):
        self.all_incidents()
        self.assertEqual(self.incidents(name="no such incident"), [])
        self.assertEqual(self.incidents(modified_since=FUTURE), [])
        self.assertEqual(self.events(name="no such event"), [])
        self.assertEqual(self.events(modified_since=FUTURE), [])

    def test_incidents_paging_and_modified_since(self):
        everything = [i["id"] for i in self.all_incidents()]
        self.assertEqual(self.incidents(limit=0), [])
        for offset, limit in [(0, 1), (1, 2), (2, 100), (len(everything), 10)]:
            with self.subTest(offset=offset, limit=limit):
                self.assertEqual([i["id"] for i in self.incidents(offset=offset, limit=limit)],
                                 everything[offset:offset + limit])
        self.assertEqual(sorted(i["id"] for i in self.incidents(modified_since=PAST, limit=1000)),
                         sorted(everything))

    # events

    def test_events_are_derived_from_outages_and_notes(self):
        events = self.all_events()
        with_incident = [e for e in events if e["incident_uri"]]
        self.assertTrue(with_incident, "no event belongs to an incident")
        incident_uris = {i["self_uri"] for i in self.all_incidents()}
        for e in with_incident:
            self.assertIn(e["incident_uri"], incident_uris)
        self.wait_for(lambda: [e for e in self.events(resource_id="globus", limit=1000)
                               if self.NOTE in (e.get("name") or "") + (e.get("description") or "")],
                      what="an event for the note")

    def test_event_links_lead_back(self):
        for e in self.all_events():
            with self.subTest(event=e["id"]):
                self.link(e["self_uri"], f"/status/events/{e['id']}")
                self.assertEqual(self.follow(e["self_uri"], "Event"), e)
                self.follow(e["resource_uri"], "Resource")
                if e["incident_uri"]:
                    incident = self.follow(e["incident_uri"], "Incident")
                    self.assertIn(e["self_uri"], incident["event_uris"])

    def test_event_filters_follow_the_spec(self):
        events = self.all_events()
        incident = self.incident_for("IRI current outage")
        some = events[0]
        cases = [
            ({"incident_id": incident["id"]}, lambda e: e["incident_uri"] == incident["self_uri"]),
            ({"resource_id": "perlmutter"},
             lambda e: e["resource_uri"] == self.resource_uri("perlmutter")),
            ({"status": "down"}, lambda e: e["status"] == "down"),
            ({"status": "up"}, lambda e: e["status"] == "up"),
            ({"from": some["occurred_at"]},
             lambda e: when(e["occurred_at"]) >= when(some["occurred_at"])),
            ({"to": some["occurred_at"]},
             lambda e: when(e["occurred_at"]) < when(some["occurred_at"])),
            ({"time": some["occurred_at"]},
             lambda e: when(e["occurred_at"]) == when(some["occurred_at"])),
        ]
        for query, keep in cases:
            with self.subTest(query=query):
                expected = sorted(e["id"] for e in events if keep(e))
                got = sorted(e["id"] for e in self.events(limit=1000, **query))
                self.assertEqual(got, expected)

    def test_bad_event_parameters_are_400(self):
        for query in [{"status": "sideways"}, {"from": "2026-02-21x"},
                      {"to": "tomorrow"}, {"time": "12:00"}, {"modified_since": "2026-00-10T00:00:00Z"},
                      {"offset": "-1"}, {"limit": "1001"}]:
            with self.subTest(query=query):
                self.problem(self.get("/status/events", user=None, query=query), 400)

    def test_events_paging_and_modified_since(self):
        everything = [e["id"] for e in self.all_events()]
        self.assertEqual(self.events(limit=0), [])
        for offset, limit in [(0, 1), (1, 2), (len(everything), 5)]:
            with self.subTest(offset=offset, limit=limit):
                self.assertEqual([e["id"] for e in self.events(offset=offset, limit=limit)],
                                 everything[offset:offset + limit])
        self.assertEqual(sorted(e["id"] for e in self.events(modified_since=PAST, limit=1000)),
                         sorted(everything))

    def test_a_status_change_is_an_event_and_the_current_status(self):
        before = self.resource("dtns").get("current_status")
        self.server.cli("status", "set", "dtns", "degraded", "--description", "IRI slow disks")
        try:
            self.wait_for(lambda: self.resource("dtns").get("current_status") == "degraded",
                          what="dtns current_status degraded")
            self.wait_for(lambda: [e for e in self.events(resource_id="dtns", status="degraded",
                                                          limit=1000)],
                          what="a degraded event on dtns")
        finally:
            self.server.cli("status", "remove", "dtns")
        self.wait_for(lambda: self.resource("dtns").get("current_status") == before,
                      what=f"dtns current_status {before} again")


# --- 2.3 account --------------------------------------------------------------------------------


class Account(IriTest):
    with_projects = True

    def capabilities(self, **query):
        return self.ok(self.get("/account/capabilities", user=None, query=query), "[Capability]")

    def projects(self, user="alice"):
        return self.ok(self.get("/account/projects", user=user), "[Project]")

    def allocations(self, pid="iriproj1", user="alice"):
        return self.ok(self.get(f"/account/projects/{pid}/project_allocations", user=user),
                       "[ProjectAllocation]")

    def user_allocations(self, pid, paid, user="alice"):
        return self.ok(self.get(f"/account/projects/{pid}/project_allocations/{paid}/"
                                "user_allocations", user=user), "[UserAllocation]")

    def test_account_auth_rules(self):
        self.check_auth_rules("account", ids={"capability_id": self.capabilities()[0]["id"]})

    def test_capabilities_are_public_and_include_node_hours(self):
        caps = self.capabilities()
        self.assertTrue(any(NODE_HOURS in c["units"] for c in caps), caps)

    def test_capability_links_lead_back(self):
        for c in self.capabilities():
            with self.subTest(capability=c["id"]):
                self.link(c["self_uri"], f"/account/capabilities/{c['id']}")
                self.assertEqual(self.follow(c["self_uri"], "Capability"), c)

    def test_unknown_capability_is_404(self):
        self.problem(self.get("/account/capabilities/nosuchcapability", user=None), 404)

    def test_capability_modified_since(self):
        c = self.capabilities()[0]
        path = f"/account/capabilities/{c['id']}"
        self.not_modified(self.get(path, user=None, query={"modified_since": FUTURE}),
                          c.get("last_modified"))
        self.assertEqual(self.ok(self.get(path, user=None, query={"modified_since": PAST}),
                                 "Capability"), c)
        self.assertEqual(self.capabilities(modified_since=FUTURE), [])
        self.assertEqual(sorted(x["id"] for x in self.capabilities(modified_since=PAST)),
                         sorted(x["id"] for x in self.capabilities()))

    def test_capabilities_paging_and_name(self):
        everything = [c["id"] for c in self.capabilities()]
        self.assertEqual(self.capabilities(limit=0), [])
        for offset, limit in [(0, 1), (1, 1), (0, 1000), (1000, 1)]:
            with self.subTest(offset=offset, limit=limit):
                self.assertEqual([c["id"] for c in self.capabilities(offset=offset, limit=limit)],
                                 everything[offset:offset + limit])
        self.assertEqual(self.capabilities(name="no such capability"), [])
        named = next((c for c in self.capabilities() if c.get("name")), None)
        if named:
            self.assertIn(named["id"], [c["id"] for c in self.capabilities(name=named["name"])])

    def test_bad_capability_parameters_are_400(self):
        for query in [{"offset": "1001"}, {"offset": "-1"}, {"limit": "1001"}, {"limit": "a"},
                      {"modified_since": "2026"}]:
            with self.subTest(query=query):
                self.problem(self.get("/account/capabilities", user=None, query=query), 400)

    def test_projects_are_the_callers_own(self):
        self.assertEqual(sorted(p["id"] for p in self.projects("alice")), ["iriproj1"])
        self.assertEqual(sorted(p["id"] for p in self.projects("bob")), ["iriproj1", "iriproj2"])

    def test_project_reflects_the_configuration_and_links_back(self):
        p = next(p for p in self.projects() if p["id"] == "iriproj1")
        self.assertEqual(p["name"], "iriproj1")
        self.assertEqual(p["description"], "First IRI project")
        self.assertLessEqual({self.alice, self.bob}, set(p["user_ids"]))
        self.link(p["self_uri"], "/account/projects/iriproj1")
        self.assertEqual(self.follow(p["self_uri"], "Project", user="alice"), p)

    def test_another_users_project_is_404(self):
        self.problem(self.get("/account/projects/iriproj2", user="alice"), 404)
        self.problem(self.get("/account/projects/iriproj2/project_allocations", user="alice"), 404)
        self.ok(self.get("/account/projects/iriproj2", user="bob"), "Project")

    def test_project_allocations_link_to_the_project_and_capabilities(self):
        allocations = self.allocations()
        self.assertTrue(allocations)
        for a in allocations:
            self.link(a["project_uri"], "/account/projects/iriproj1")
            self.assertTrue(a["capability_uri"].startswith(self.base + "/account/capabilities/"))
            cap = self.follow(a["capability_uri"], "Capability")
            for entry in a["entries"]:
                self.assertIn(entry["unit"], cap["units"])
        entries = [e for a in allocations for e in a["entries"] if e["unit"] == NODE_HOURS]
        self.assertIn(1000, [e["allocation"] for e in entries], allocations)
        for e in entries:
            self.assertGreaterEqual(e["usage"], 0)

    def test_project_allocation_by_id_is_the_listed_one(self):
        for a in self.allocations():
            r = self.get(f"/account/projects/iriproj1/project_allocations/{a['id']}")
            self.assertEqual(self.ok(r, "ProjectAllocation"), a)

    def test_user_allocations_link_to_their_project_allocation(self):
        project = self.ok(self.get("/account/projects/iriproj1"), "Project")
        mine = []
        for a in self.allocations():
            base = f"/account/projects/iriproj1/project_allocations/{a['id']}"
            for u in self.user_allocations("iriproj1", a["id"]):
                self.link(u["project_allocation_uri"], base)
                self.assertIn(u["user_id"], project["user_ids"])
                self.assertEqual(self.ok(self.get(f"{base}/user_allocations/{u['id']}"),
                                         "UserAllocation"), u)
                mine += [u] if u["user_id"] == self.alice else []
        self.assertTrue(mine, "alice has no user allocation in her project")

    def test_nested_lookups_404_at_the_first_unknown_level(self):
        a = self.allocations()[0]
        users = self.user_allocations("iriproj1", a["id"])
        uid = users[0]["id"] if users else "x"
        for path in ["/account/projects/nosuch",
                     "/account/projects/nosuch/project_allocations",
                     f"/account/projects/nosuch/project_allocations/{a['id']}",
                     "/account/projects/iriproj1/project_allocations/nosuch",
                     "/account/projects/iriproj1/project_allocations/nosuch/user_allocations",
                     f"/account/projects/nosuch/project_allocations/{a['id']}/user_allocations",
                     f"/account/projects/iriproj1/project_allocations/nosuch/user_allocations/{uid}",
                     f"/account/projects/iriproj1/project_allocations/{a['id']}/user_allocations/"
                     "nosuch"]:
            with self.subTest(path=path):
                self.problem(self.get(path), 404)

    def test_undeclared_or_repeated_query_keys_are_422(self):
        for path, query in [("/account/projects", "foo=1"),
                            ("/account/projects/iriproj1", "x=y"),
                            ("/account/capabilities", "limit=1&limit=2"),
                            ("/account/capabilities", "unit=x")]:
            with self.subTest(path=path, query=query):
                self.problem(self.get(path, query=query), 422)

    def test_wrong_method_is_405_with_allow(self):
        self.assert_allow("POST", "/account/projects", {"GET"})
        self.assert_allow("DELETE", "/account/projects/iriproj1", {"GET"})
        self.assert_allow("PUT", "/account/capabilities", {"GET"}, user=None)


# --- 2.4 compute --------------------------------------------------------------------------------


def sleeper(name=None, seconds=300):
    spec = {"executable": "/bin/sleep", "arguments": [str(seconds)], "attributes": {"duration": 600}}
    if name:
        spec["name"] = name
    return spec


def pending(name):
    """A job that stays pending for an hour (a begin time in the future)."""
    return {"executable": "/bin/true", "name": name,
            "attributes": {"duration": 600, "custom_attributes": {"begin": "now+1hour"}}}


class ComputeBase(IriTest):
    job_timeout = POLL_TIMEOUT  # seconds a job may take to reach a state (more on Slurm)

    def setUp(self):
        self.launched = []  # (job id, user) cancelled at the end

    def tearDown(self):
        for job_id, user in self.launched:
            try:
                self.call("DELETE", f"/compute/cancel/perlmutter/{job_id}", user=user)
                self.call("DELETE", f"/compute/jobs/perlmutter/{job_id}", user=user, prefix=V1)
            except OSError:
                pass

    def launch_reply(self, spec, user="alice", key=None, resource="perlmutter", level="yellow"):
        headers = {"Idempotency-Key": key} if key is not None else {}
        return self.call("POST", f"/compute/job/{resource}", user=user, level=level,
                         json_body=spec, headers=headers)

    def launch(self, spec, user="alice", key=None):
        job = self.ok(self.launch_reply(spec, user, key), "Job")
        self.assertRegex(job["id"], r"^\S+$")
        self.launched.append((job["id"], user))
        return job

    def job(self, job_id, user="alice", **query):
        return self.ok(self.get(f"/compute/status/perlmutter/{job_id}", user=user, query=query),
                       "Job")

    def state(self, job_id, user="alice"):
        return (self.job(job_id, user).get("status") or {}).get("state")

    def wait_state(self, job_id, states, user="alice", timeout=None):
        """The Job once its state is in `states`; fails early on another final state."""
        states, timeout = set(states), timeout or self.job_timeout
        job = None

        def reached():
            nonlocal job
            job = self.job(job_id, user)
            state = (job.get("status") or {}).get("state")
            if state in FINAL_JOB and state not in states:
                self.fail(f"job {job_id} ended {state}, expected {states}: {job}")
            return state in states

        self.wait_for(reached, timeout, f"job {job_id} in {states}")
        return job

    def sfapi_rows(self, as_user="alice", sacct=False, **kwargs):
        """Job rows as SFAPI v1.2 shows them to `as_user`, filtered by its `kwargs`."""
        params = [("kwargs", f"{k}={v}") for k, v in kwargs.items()]
        params += [("sacct", "true" if sacct else "false"), ("cached", "false")]
        r = self.get("/compute/jobs/perlmutter", user=as_user, query=params, prefix=V1)
        self.assertEqual(r.status, 200, r)
        return r.json()["output"]

    def sfapi_row(self, job_id, user="alice", sacct=False):
        rows = [r for r in self.sfapi_rows(user, sacct, jobid=job_id) if r["jobid"] == job_id]
        return rows[0] if rows else None

    def sfapi_names(self, name, user="alice"):
        """Ids of the user's queued jobs named `name`, as SFAPI sees them."""
        return sorted(r["jobid"] for r in self.sfapi_rows(user, user=USERS.accounts[user])
                      if r.get("name") == name)


class Compute(ComputeBase):
    def test_compute_auth_rules(self):
        self.check_auth_rules("compute")

    def test_auth_is_checked_before_validation_and_lookup(self):
        self.problem(self.call("POST", "/compute/job/perlmutter", user=None,
                               json_body={"bogus": 1}), 401)
        self.problem(self.call("POST", "/compute/job/nosuch", user=None, json_body={}), 401)
        self.problem(self.call("GET", "/compute/status/perlmutter/1", user=None,
                               query={"historical": "maybe"}), 401)

    def test_compute_resources_are_public_and_list_perlmutter(self):
        resources = self.ok(self.get("/compute/resources", user=None), "[Resource]")
        self.assertEqual([r["id"] for r in resources], ["perlmutter"])
        for r in resources:
            self.assertIn("compute", r.get("supported_endpoints", []))
            self.link(r["self_uri"], "/status/resources/perlmutter")

    def test_launch_returns_the_scheduler_job_that_sfapi_shows(self):
        job = self.launch(sleeper("iri-launch"))
        self.assertRegex(job["id"], r"^[0-9]+$")  # the local scheduler's job id
        self.wait_for(lambda: job["id"] in [r["jobid"] for r in
                                            self.sfapi_rows(user=self.alice)],
                      what="the job in SFAPI's queue")
        self.assertEqual(self.sfapi_row(job["id"])["name"], "iri-launch")

    def test_a_sleeping_job_is_new_queued_or_active(self):
        job = self.launch(sleeper())
        got = self.job(job["id"])
        self.assertEqual(got["id"], job["id"])
        self.assertIn(got["status"]["state"], {"new", "queued", "active"})
        self.assertFalse(got.get("job_spec"), "job_spec without include_spec=true")

    def test_include_spec_adds_the_job_spec(self):
        job = self.launch(sleeper("iri-spec"))
        got = self.job(job["id"], include_spec="true")
        spec = got.get("job_spec")
        self.assertIsInstance(spec, dict, got)
        validate(spec, "JobSpec")
        self.assertEqual(spec.get("executable"), "/bin/sleep")
        self.assertEqual(spec.get("arguments"), ["300"])
        self.assertEqual(spec.get("name"), "iri-spec")
        self.assertEqual((spec.get("attributes") or {}).get("duration"), 600)
        self.assertFalse(self.job(job["id"], include_spec="false").get("job_spec"))

    def test_true_job_completes_with_exit_code_0(self):
        job = self.launch({"executable": "/bin/true"})
        status = self.wait_state(job["id"], {"completed"})["status"]
        self.assertEqual(status.get("exit_code"), 0, status)

    def test_false_job_fails(self):
        job = self.launch({"executable": "/bin/false"})
        status = self.wait_state(job["id"], {"failed"})["status"]
        if status.get("exit_code") is not None:
            self.assertNotEqual(status["exit_code"], 0, status)

    def test_cancel_is_204_and_the_job_reads_canceled_here_and_in_sfapi(self):
        job = self.launch(sleeper())
        r = self.call("DELETE", f"/compute/cancel/perlmutter/{job['id']}")
        self.assertEqual((r.status, r.body), (204, b""), r)
        self.wait_state(job["id"], {"canceled"})
        self.wait_for(lambda: (self.sfapi_row(job["id"], sacct=True) or {}).get(
            "state", "").startswith("CANCELLED"), what="CANCELLED in SFAPI")

    def test_get_jobs_lists_live_jobs_and_historical_finished_ones(self):
        live = self.launch(sleeper("iri-live"))
        done = self.launch({"executable": "/bin/true", "name": "iri-done"})
        self.wait_state(done["id"], {"completed"})
        jobs = self.ok(self.call("POST", "/compute/status/perlmutter"), "[Job]")
        self.assertIn(live["id"], [j["id"] for j in jobs])
        # Jobs come in id order (§1) and a test user's history may run past one page (the
        # scheduler's accounting keeps the earlier suites' jobs of the same uid): read every page.
        history = []
        while True:
            page = self.ok(self.call("POST", "/compute/status/perlmutter", query={
                "historical": "true", "offset": len(history), "limit": 1000}), "[Job]")
            history += page
            if len(page) < 1000:
                break
        self.assertLessEqual({live["id"], done["id"]}, {j["id"] for j in history})
        with_spec = self.ok(self.call("POST", "/compute/status/perlmutter",
                                      query={"include_spec": "true"}), "[Job]")
        mine = [j for j in with_spec if j["id"] == live["id"]]
        self.assertEqual(mine[0]["job_spec"]["name"], "iri-live")

    def test_get_jobs_takes_no_body_null_or_a_filter_object(self):
        self.launch(sleeper())
        for kw in [{}, {"json_body": None}, {"json_body": {}}]:
            with self.subTest(body=kw):
                self.ok(self.call("POST", "/compute/status/perlmutter", **kw), "[Job]")

    def test_get_jobs_paging(self):
        for _ in range(3):
            self.launch(sleeper())
        # historical: every job ever, a set that cancellations elsewhere do not change
        everything = [j["id"] for j in self.ok(self.call(
            "POST", "/compute/status/perlmutter", query={"historical": "true"}), "[Job]")]
        self.assertGreaterEqual(len(everything), 3)
        self.assertEqual(self.ok(self.call("POST", "/compute/status/perlmutter",
                                           query={"limit": 0}), "[Job]"), [])
        page = self.ok(self.call("POST", "/compute/status/perlmutter",
                                 query={"offset": 1, "limit": 2, "historical": "true"}), "[Job]")
        self.assertEqual([j["id"] for j in page], everything[1:3])

    def test_update_changes_a_pending_job(self):
        name = "iri-upd-" + uuid.uuid4().hex[:6]
        job = self.launch(pending(name))
        self.assertIn(self.state(job["id"]), {"new", "queued", "held"})
        new = dict(pending(name + "-b"))
        new["attributes"] = dict(new["attributes"], duration=1200)
        r = self.call("PUT", f"/compute/job/perlmutter/{job['id']}", json_body=new)
        self.assertEqual(self.ok(r, "Job")["id"], job["id"])
        spec = self.job(job["id"], include_spec="true").get("job_spec") or {}
        self.assertEqual(spec.get("name"), name + "-b", spec)
        self.assertEqual((spec.get("attributes") or {}).get("duration"), 1200, spec)
        self.assertEqual(self.sfapi_row(job["id"])["name"], name + "-b")

    def test_update_of_a_running_job_is_409(self):
        job = self.launch(sleeper("iri-running"))
        self.wait_state(job["id"], {"active"})
        r = self.call("PUT", f"/compute/job/perlmutter/{job['id']}",
                      json_body=sleeper("iri-renamed"))
        self.problem(r, 409)
        self.assertEqual(self.sfapi_row(job["id"])["name"], "iri-running")

    def test_unknown_key_in_job_spec_is_400(self):
        for spec in [{"executable": "/bin/true", "nosuchkey": 1},
                     {"executable": "/bin/true", "script": "#!/bin/bash\ntrue\n"}]:
            with self.subTest(spec=spec):
                self.problem(self.launch_reply(spec), 400)
        job = self.launch(pending("iri-upd-unknown"))
        r = self.call("PUT", f"/compute/job/perlmutter/{job['id']}",
                      json_body=dict(pending("x"), bogus=True))
        self.problem(r, 400)

    def test_badly_typed_job_specs_are_400(self):
        for spec in [{"executable": ""}, {"executable": 5}, {"arguments": "a b"},
                     {"arguments": [1, 2]}, {"name": ""}, {"inherit_environment": "yes"},
                     {"environment": {"A": 1}}, {"environment": ["A=1"]},
                     {"attributes": {"duration": 0}}, {"attributes": {"duration": "10"}},
                     {"attributes": {"queue_name": ""}},
                     {"attributes": {"custom_attributes": {"constraint": 1}}},
                     {"resources": {"node_count": 0}}, {"resources": {"memory": -1}},
                     {"resources": {"exclusive_node_use": "no"}},
                     {"container": {}}, {"container": {"image": ""}},
                     {"container": {"image": "x", "volume_mounts": [{"source": "/a"}]}},
                     [], "job", None]:
            with self.subTest(spec=spec):
                self.problem(self.launch_reply(spec), 400)

    def test_malformed_json_is_400(self):
        r = self.call("POST", "/compute/job/perlmutter", body=b'{"executable": ',
                      headers={"Content-Type": "application/json"})
        self.problem(r, 400)
        self.problem(self.call("POST", "/compute/job/perlmutter"), 400)  # the body is required

    def test_empty_job_spec_passes_validation(self):
        r = self.launch_reply({})  # valid JobSpec; without an executable it may be unrunnable
        if r.status == 200:
            self.launched.append((self.ok(r, "Job")["id"], "alice"))
        else:
            self.problem(r, 422)

    def test_unknown_resource_is_404(self):
        for method, path, kw in [
            ("POST", "/compute/job/nosuch", {"json_body": {"executable": "/bin/true"}}),
            ("PUT", "/compute/job/nosuch/1", {"json_body": {"executable": "/bin/true"}}),
            ("GET", "/compute/status/nosuch/1", {}),
            ("POST", "/compute/status/nosuch", {}),
            ("DELETE", "/compute/cancel/nosuch/1", {}),
        ]:
            with self.subTest(method=method, path=path):
                self.problem(self.call(method, path, **kw), 404)

    def test_unknown_job_is_404(self):
        for method, path, kw in [
            ("GET", "/compute/status/perlmutter/999999", {}),
            ("DELETE", "/compute/cancel/perlmutter/999999", {}),
            ("PUT", "/compute/job/perlmutter/999999", {"json_body": {"executable": "/bin/true"}}),
        ]:
            with self.subTest(method=method, path=path):
                self.problem(self.call(method, path, **kw), 404)

    def test_green_token_cannot_launch_update_or_cancel(self):
        self.problem(self.launch_reply(sleeper(), level="green"), 403)
        job = self.launch(pending("iri-green"))
        self.problem(self.call("DELETE", f"/compute/cancel/perlmutter/{job['id']}",
                               level="green"), 403)
        self.problem(self.call("PUT", f"/compute/job/perlmutter/{job['id']}", level="green",
                               json_body=pending("iri-green-b")), 403)
        self.assertIn(self.state(job["id"]), {"new", "queued", "held"})
        # green reads
        self.ok(self.get(f"/compute/status/perlmutter/{job['id']}", level="green"), "Job")
        self.ok(self.call("POST", "/compute/status/perlmutter", level="green"), "[Job]")

    def test_bad_query_parameters_are_400(self):
        job = self.launch(pending("iri-q"))
        for path, method, query in [
            (f"/compute/status/perlmutter/{job['id']}", "GET", {"historical": "maybe"}),
            (f"/compute/status/perlmutter/{job['id']}", "GET", {"include_spec": "1x"}),
            ("/compute/status/perlmutter", "POST", {"offset": "-1"}),
            ("/compute/status/perlmutter", "POST", {"limit": "1001"}),
            ("/compute/status/perlmutter", "POST", {"limit": "many"}),
            ("/compute/status/perlmutter", "POST", {"historical": "sometimes"}),
        ]:
            with self.subTest(path=path, query=query):
                self.problem(self.call(method, path, query=query), 400)

    def test_undeclared_or_repeated_query_keys_are_422(self):
        job = self.launch(pending("iri-q422"))
        for method, path, query, kw in [
            ("GET", f"/compute/status/perlmutter/{job['id']}", "foo=1", {}),
            ("GET", f"/compute/status/perlmutter/{job['id']}",
             "include_spec=true&include_spec=true", {}),
            ("POST", "/compute/status/perlmutter", "limit=1&limit=1", {}),
            ("POST", "/compute/job/perlmutter", "dry_run=true",
             {"json_body": {"executable": "/bin/true"}}),
        ]:
            with self.subTest(path=path, query=query):
                r = self.call(method, path, query=query, **kw)
                if r.status == 200 and method == "POST" and "json_body" in kw:
                    self.launched.append((r.json()["id"], "alice"))  # launched after all
                self.problem(r, 422)

    def test_wrong_method_is_405_with_allow(self):
        self.assert_allow("GET", "/compute/job/perlmutter", {"POST"})
        self.assert_allow("POST", "/compute/job/perlmutter/1", {"PUT"})
        self.assert_allow("PUT", "/compute/status/perlmutter", {"POST"})
        self.assert_allow("GET", "/compute/cancel/perlmutter/1", {"DELETE"})
        self.assert_allow("POST", "/compute/resources", {"GET"}, user=None)


# --- 6 Idempotency-Key ----------------------------------------------------------------------------


class Idempotency(ComputeBase):
    def reply_of(self, r):
        return r.headers.get("idempotency-key-reply")

    def test_same_key_and_body_replays_the_job_with_hit(self):
        key, name = str(uuid.uuid4()), "iri-idem-" + uuid.uuid4().hex[:6]
        first = self.launch_reply(pending(name), key=key)
        job = self.ok(first, "Job")
        self.launched.append((job["id"], "alice"))
        self.assertEqual(self.reply_of(first), "miss")
        again = self.launch_reply(pending(name), key=key)
        self.assertEqual(self.ok(again, "Job"), job)
        self.assertEqual(self.reply_of(again), "hit")
        self.assertEqual(self.sfapi_names(name), [job["id"]])

    def test_same_key_other_body_is_422(self):
        key, name = str(uuid.uuid4()), "iri-idem-" + uuid.uuid4().hex[:6]
        job = self.launch(pending(name), key=key)
        self.problem(self.launch_reply(pending(name + "-other"), key=key), 422)
        self.assertEqual(self.sfapi_names(name + "-other"), [])
        self.assertEqual(self.sfapi_names(name), [job["id"]])

    def test_concurrent_duplicates_create_one_job(self):
        key, name = str(uuid.uuid4()), "iri-race-" + uuid.uuid4().hex[:6]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            replies = list(pool.map(lambda _: self.launch_reply(pending(name), key=key), range(8)))
        ok = [r for r in replies if r.status == 200]
        self.assertTrue(ok, replies)
        ids = {self.ok(r, "Job")["id"] for r in ok}
        for job_id in ids:
            self.launched.append((job_id, "alice"))
        self.assertEqual(len(ids), 1, ids)
        self.assertEqual([self.reply_of(r) for r in ok].count("miss"), 1)
        for r in replies:
            if r.status != 200:
                self.problem(r, 409)
                self.assertEqual(r.headers.get("retry-after"), "2", r.headers)
            else:
                self.assertIn(self.reply_of(r), {"miss", "hit"})
        self.assertEqual(self.sfapi_names(name), sorted(ids))

    def test_a_retry_after_a_dropped_connection_submits_once(self):
        # The client sends the launch and loses the connection before any answer (a timeout, a
        # balancer's 502): it cannot know whether the job was made, so it sends it again.
        key, name = str(uuid.uuid4()), "iri-dropped-" + uuid.uuid4().hex[:6]
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("POST", V2 + "/compute/job/perlmutter", body=json.dumps(pending(name)),
                     headers={"Authorization": f"Bearer {self.token_for('alice')}",
                              "Content-Type": "application/json", "Idempotency-Key": key})
        conn.sock.close()  # gone before the reply
        deadline, again = time.time() + 30, None
        while time.time() < deadline:
            again = self.launch_reply(pending(name), key=key)
            if again.status != 409:  # 409: the first is still running; Retry-After says when
                break
            time.sleep(float(again.headers.get("retry-after", "1")) / 4)
        job = self.ok(again, "Job")
        self.launched.append((job["id"], "alice"))
        # "hit" when the lost request got the key first; "miss" when the retry overtook it (the
        # lost one then found the key taken and made nothing). Either way: one job, this one.
        self.assertIn(self.reply_of(again), {"hit", "miss"})
        time.sleep(0.5)  # the lost request, if it came second, has been answered by now
        self.assertEqual(self.sfapi_names(name), [job["id"]])

    def test_restart_in_between_still_hits(self):
        key, name = str(uuid.uuid4()), "iri-restart-" + uuid.uuid4().hex[:6]
        job = self.launch(pending(name), key=key)
        self.server.stop()
        self.server.start()
        self.refresh_tokens()
        again = self.launch_reply(pending(name), key=key)
        self.assertEqual((self.ok(again, "Job"), self.reply_of(again)), (job, "hit"))
        self.assertEqual(self.sfapi_names(name), [job["id"]])

    def test_without_a_key_each_request_is_a_new_job(self):
        name = "iri-nokey-" + uuid.uuid4().hex[:6]
        first, second = self.launch(pending(name)), self.launch(pending(name))
        self.assertNotEqual(first["id"], second["id"])
        self.assertEqual(self.sfapi_names(name), sorted([first["id"], second["id"]]))
        r = self.launch_reply(pending(name))
        self.launched.append((self.ok(r, "Job")["id"], "alice"))
        self.assertNotIn("idempotency-key-reply", r.headers)

    def test_an_empty_key_counts_as_absent(self):
        name = "iri-emptykey-" + uuid.uuid4().hex[:6]
        first, second = self.launch(pending(name), key=""), self.launch(pending(name), key="")
        self.assertNotEqual(first["id"], second["id"])

    def test_keys_are_per_user(self):
        key, name = str(uuid.uuid4()), "iri-peruser-" + uuid.uuid4().hex[:6]
        mine = self.launch(pending(name), key=key)
        r = self.launch_reply(pending(name), user="bob", key=key)
        theirs = self.ok(r, "Job")
        self.launched.append((theirs["id"], "bob"))
        self.assertEqual(self.reply_of(r), "miss")
        self.assertNotEqual(theirs["id"], mine["id"])

    def test_errors_are_not_cached(self):
        key, name = str(uuid.uuid4()), "iri-err-" + uuid.uuid4().hex[:6]
        self.problem(self.launch_reply(dict(pending(name), bogus=1), key=key), 400)
        self.problem(self.launch_reply(pending(name), key=key, resource="nosuch"), 404)
        r = self.launch_reply(pending(name), key=key)
        self.launched.append((self.ok(r, "Job")["id"], "alice"))
        self.assertEqual(self.reply_of(r), "miss")

    def test_update_with_a_key_replays(self):
        name = "iri-updkey-" + uuid.uuid4().hex[:6]
        job = self.launch(pending(name))
        key = str(uuid.uuid4())
        path = f"/compute/job/perlmutter/{job['id']}"
        first = self.call("PUT", path, json_body=pending(name + "-b"),
                          headers={"Idempotency-Key": key})
        self.assertEqual((self.ok(first, "Job")["id"], self.reply_of(first)), (job["id"], "miss"))
        again = self.call("PUT", path, json_body=pending(name + "-b"),
                          headers={"Idempotency-Key": key})
        self.assertEqual((self.ok(again, "Job"), self.reply_of(again)), (first.json(), "hit"))
        other = self.call("PUT", path, json_body=pending(name + "-c"),
                          headers={"Idempotency-Key": key})
        self.problem(other, 422)
        self.assertEqual(self.sfapi_row(job["id"])["name"], name + "-b")


# --- 2.5 / 4 filesystem ---------------------------------------------------------------------------


class IdempotencyExpiry(ComputeBase):
    """A reply is kept [server] idempotency_hours (here the least, 0.01 h = 36 s): after that the
    key makes a new job."""

    server_options = "idempotency_hours = 0.01"

    def test_after_the_retention_the_key_makes_a_new_job(self):
        key, name = str(uuid.uuid4()), "iri-expiry-" + uuid.uuid4().hex[:6]
        first = self.launch(pending(name), key=key)
        time.sleep(37)
        again = self.launch_reply(pending(name), key=key)
        second = self.ok(again, "Job")
        self.launched.append((second["id"], "alice"))
        self.assertEqual(again.headers.get("idempotency-key-reply"), "miss")
        self.assertNotEqual(second["id"], first["id"])
        self.assertEqual(self.sfapi_names(name), sorted([first["id"], second["id"]]))


class Filesystem(IriTest):
    @classmethod
    def extra(cls):
        # Some 80 file operations in a few seconds, each now a millisecond or two (long-lived
        # workers): more than the default 5 a second with a 10 s burst that a client may run.
        return super().extra() + "\n[rate_limits]\ncommands_per_client = 0\ncommands_per_address = 0\n"

    def setUp(self):
        self.dir = make_dir(os.path.join(USERS.home("alice"), "iri-" + self._testMethodName[5:40]),
                            self.alice)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def put(self, name, data, mode=0o644):
        return put_file(os.path.join(self.dir, name), data, self.alice, mode)

    def assert_file_named(self, f, path):
        self.assertIn(f["name"], (os.path.basename(path), path), f)

    def test_filesystem_auth_rules(self):
        self.check_auth_rules("filesystem")

    def test_auth_is_checked_before_validation_and_lookup(self):
        self.problem(self.fs_call("ls", {}, user=None), 401)
        self.problem(self.fs_call("head", {"path": "/tmp"}, user=None), 401)
        self.problem(self.fs_call("ls", {"path": "/tmp"}, resource="nosuch", user=None), 401)

    def test_filesystem_resources_are_public_and_list_perlmutter_and_dtns(self):
        resources = self.ok(self.call("POST", "/filesystem/resources", user=None), "[Resource]")
        self.assertEqual(sorted(r["id"] for r in resources), ["dtns", "perlmutter"])
        for r in resources:
            self.assertIn("filesystem", r.get("supported_endpoints", []))

    def test_ls_lists_files(self):
        self.put("a.txt", "hello\n")
        os.symlink("a.txt", os.path.join(self.dir, "link"))
        os.lchown(os.path.join(self.dir, "link"), pwd.getpwnam(self.alice).pw_uid, -1)
        make_dir(os.path.join(self.dir, "sub"), self.alice)
        files = self.fs_output("ls", {"path": self.dir}, "[File]")
        by_name = {os.path.basename(f["name"]): f for f in files}
        self.assertEqual(sorted(by_name), ["a.txt", "link", "sub"])
        self.assertEqual((by_name["a.txt"]["type"], by_name["a.txt"]["size"]), ("file", "6"))
        self.assertEqual(by_name["a.txt"]["user"], self.alice)
        self.assertEqual(by_name["a.txt"]["permissions"], "rw-r--r--")
        self.assertEqual(by_name["sub"]["type"], "directory")
        self.assertEqual(by_name["link"]["type"], "symlink")
        self.assertIn(by_name["link"].get("link_target"), ("a.txt", os.path.join(self.dir, "a.txt")))

    def test_ls_shows_hidden_files_only_when_asked(self):
        self.put(".hidden", "x")
        self.put("shown", "y")
        names = [os.path.basename(f["name"])
                 for f in self.fs_output("ls", {"path": self.dir}, "[File]")]
        self.assertEqual(names, ["shown"])
        names = [os.path.basename(f["name"]) for f in
                 self.fs_output("ls", {"path": self.dir, "showHidden": True}, "[File]")]
        self.assertIn(".hidden", names)

    def test_stat_returns_file_stat(self):
        path = self.put("s.txt", "12345", mode=0o640)
        st = self.fs_output("stat", {"path": path}, "FileStat")
        self.assertEqual(st["size"], 5)
        self.assertEqual(st["uid"], pwd.getpwnam(self.alice).pw_uid)
        self.assertEqual(stat.S_IMODE(st["mode"]), 0o640)
        self.assertEqual(st["ino"], os.stat(path).st_ino)

    def test_file_describes_the_type(self):
        out = self.fs_output("file", {"path": self.dir})
        self.assertIsInstance(out, str)
        self.assertIn("directory", out)
        out = self.fs_output("file", {"path": self.put("t.txt", "plain text\n")})
        self.assertIn("text", out.lower())

    def test_head_lines_and_bytes(self):
        path = self.put("h.txt", "l1\nl2\nl3\n")
        c = self.fs_output("head", {"path": path, "lines": 2}, "FileContent")
        self.assertEqual((c["content"], c["content_type"]), ("l1\nl2\n", "lines"))
        c = self.fs_output("head", {"path": path, "bytes": 4}, "FileContent")
        self.assertEqual((c["content"], c["content_type"]), ("l1\nl", "bytes"))

    def test_tail_lines_and_bytes(self):
        path = self.put("t.txt", "l1\nl2\nl3\n")
        c = self.fs_output("tail", {"path": path, "lines": 2}, "FileContent")
        self.assertEqual((c["content"], c["content_type"]), ("l2\nl3\n", "lines"))
        c = self.fs_output("tail", {"path": path, "bytes": 3}, "FileContent")
        self.assertEqual((c["content"], c["content_type"]), ("l3\n", "bytes"))

    def test_head_and_tail_need_exactly_one_of_bytes_or_lines(self):
        path = self.put("x.txt", "a\nb\n")
        for op in ("head", "tail"):
            for body in [{"path": path}, {"path": path, "bytes": 1, "lines": 1}]:
                with self.subTest(op=op, body=body):
                    self.problem(self.fs_call(op, body), 400)
        for body in [{"path": path, "bytes": 0}, {"path": path, "lines": 0},
                     {"path": "", "lines": 1}]:
            with self.subTest(op="tail", body=body):
                self.problem(self.fs_call("tail", body), 400)

    def test_view_returns_a_slice(self):
        path = self.put("v.txt", "0123456789")
        c = self.fs_output("view", {"path": path, "size": 4, "offset": 2}, "FileContent")
        self.assertEqual(c["content"], "2345")
        c = self.fs_output("view", {"path": path}, "FileContent")  # omitted size: up to the limit
        self.assertEqual(c["content"], "0123456789")

    def test_view_over_the_size_limit_is_400(self):
        path = self.put("big-view.txt", "x")
        self.problem(self.fs_call("view", {"path": path, "size": OPS_SIZE_LIMIT + 1}), 400)
        self.problem(self.fs_call("view", {"path": path, "size": 4, "offset": -1}), 400)

    def test_checksum_is_sha256(self):
        data = os.urandom(1000)
        c = self.fs_output("checksum", {"path": self.put("c.bin", data)}, "Checksum")
        self.assertEqual(c["checksum"].lower(), hashlib.sha256(data).hexdigest())

    def test_rm_removes_the_file(self):
        path = self.put("gone.txt", "x")
        self.assertIsInstance(self.fs_output("rm", {"path": path}), str)
        self.assertFalse(os.path.exists(path))
        self.fs_error("rm", {"path": path})  # again: nothing to remove

    def test_mkdir_creates_a_directory(self):
        path = os.path.join(self.dir, "newdir")
        f = self.fs_output("mkdir", {"path": path}, "File")
        self.assert_file_named(f, path)
        self.assertEqual(f["type"], "directory")
        self.assertTrue(os.path.isdir(path))
        self.assertEqual(os.stat(path).st_uid, pwd.getpwnam(self.alice).pw_uid)

    def test_mkdir_parent_creates_missing_parents(self):
        path = os.path.join(self.dir, "p", "q", "r")
        self.fs_error("mkdir", {"path": path})
        self.fs_output("mkdir", {"path": path, "parent": True}, "File")
        self.assertTrue(os.path.isdir(path))

    def test_symlink_creates_a_link(self):
        target = self.put("target.txt", "t")
        link = os.path.join(self.dir, "lnk")
        self.fs_output("symlink", {"path": target, "link_path": link}, "File")
        self.assertEqual(os.readlink(link), target)

    def test_compress_and_extract_round_trip(self):
        src = make_dir(os.path.join(self.dir, "src"), self.alice)
        put_file(os.path.join(src, "inner.txt"), "inside\n", self.alice)
        archive = os.path.join(self.dir, "src.tar.gz")
        f = self.fs_output("compress", {"path": src, "target_path": archive}, "File")
        self.assert_file_named(f, archive)
        with tarfile.open(archive, "r:gz") as tar:  # gzip by default
            self.assertIn("inner.txt", [os.path.basename(n) for n in tar.getnames()])
        out = make_dir(os.path.join(self.dir, "out"), self.alice)
        self.fs_output("extract", {"path": archive, "target_path": out,
                                   "compression": "urn:doe-iri:compression:gzip"}, "File")
        found = [os.path.join(d, n) for d, _, names in os.walk(out) for n in names
                 if n == "inner.txt"]
        self.assertEqual(len(found), 1, found)
        with open(found[0]) as fh:
            self.assertEqual(fh.read(), "inside\n")

    def test_mv_moves(self):
        src, dst = self.put("m1.txt", "move me"), os.path.join(self.dir, "m2.txt")
        f = self.fs_output("mv", {"path": src, "target_path": dst}, "File")
        self.assert_file_named(f, dst)
        self.assertFalse(os.path.exists(src))
        with open(dst) as fh:
            self.assertEqual(fh.read(), "move me")

    def test_cp_copies(self):
        src, dst = self.put("c1.txt", "copy me"), os.path.join(self.dir, "c2.txt")
        self.fs_output("cp", {"path": src, "target_path": dst}, "File")
        with open(src) as a, open(dst) as b:
            self.assertEqual((a.read(), b.read()), ("copy me", "copy me"))
        self.assertEqual(os.stat(dst).st_uid, pwd.getpwnam(self.alice).pw_uid)

    def test_chmod_sets_the_mode(self):
        path = self.put("mode.txt", "x")
        f = self.fs_output("chmod", {"path": path, "mode": "700"}, "File")
        self.assertEqual(f["permissions"], "rwx------")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o700)
        self.problem(self.fs_call("chmod", {"path": path}), 400)  # mode is required

    def test_chown_to_the_users_own_group(self):
        path = self.put("own.txt", "x")
        group = grp.getgrgid(pwd.getpwnam(self.alice).pw_gid).gr_name
        f = self.fs_output("chown", {"path": path, "owner": self.alice, "group": group}, "File")
        self.assertEqual((f["user"], f["group"]), (self.alice, group))
        f = self.fs_output("chown", {"path": path}, "File")  # owner and group default to ""
        self.assertEqual(f["user"], self.alice)

    def test_download_returns_the_content(self):
        data = b"downloaded text\n"
        out = self.fs_output("download", {"path": self.put("d.txt", data)})
        self.assertIsInstance(out, str)
        try:
            decoded = base64.b64decode(out, validate=True)
        except ValueError:
            decoded = None
        self.assertIn(data, (out.encode(), decoded))

    def test_download_over_the_size_limit_fails(self):
        path = self.put("big.bin", b"")
        os.truncate(path, OPS_SIZE_LIMIT + 1)
        self.fs_error("download", {"path": path})

    def test_upload_writes_the_file_as_the_user(self):
        path = os.path.join(self.dir, "up.txt")
        body, ctype = multipart("file", "up.txt", b"uploaded\n")
        r = self.call("POST", "/filesystem/upload/perlmutter", query={"path": path}, body=body,
                      headers={"Content-Type": ctype})
        self.assertIsInstance(self.fs_output("upload", None, reply=r), str)
        written = path if os.path.isfile(path) else os.path.join(path, "up.txt")
        with open(written, "rb") as fh:
            self.assertEqual(fh.read(), b"uploaded\n")
        self.assertEqual(os.stat(written).st_uid, pwd.getpwnam(self.alice).pw_uid)

    def test_upload_over_the_size_limit_is_400(self):
        # Ref answers 413, which no operation documents (§9.10): 400 stays in the documented set.
        path = os.path.join(self.dir, "too-big")
        body, ctype = multipart("file", "too-big", b"x" * (OPS_SIZE_LIMIT + 1))
        r = self.call("POST", "/filesystem/upload/perlmutter", query={"path": path}, body=body,
                      headers={"Content-Type": ctype})
        self.problem(r, 400)
        self.assertFalse(os.path.exists(path))

    def test_upload_needs_path_and_file(self):
        body, ctype = multipart("file", "up.txt", b"x")
        r = self.call("POST", "/filesystem/upload/perlmutter", body=body,
                      headers={"Content-Type": ctype})
        self.problem(r, 400)  # no path
        body, ctype = multipart("notfile", "up.txt", b"x")
        r = self.call("POST", "/filesystem/upload/perlmutter",
                      query={"path": os.path.join(self.dir, "u")}, body=body,
                      headers={"Content-Type": ctype})
        self.problem(r, 400)  # no `file` part

    def test_a_path_the_user_cannot_read_fails_with_error(self):
        home = USERS.home("bob")
        os.chmod(home, 0o700)
        secret = put_file(os.path.join(home, "secret.txt"), "no", self.bob, 0o600)
        for op, body in [("stat", {"path": secret}), ("ls", {"path": home}),
                         ("head", {"path": secret, "lines": 1}), ("checksum", {"path": secret})]:
            with self.subTest(op=op):
                self.fs_error(op, body)

    def test_task_uri_leads_to_the_task_with_its_command(self):
        task_id = self.fs_submit("ls", {"path": self.dir})
        task = self.wait_task(task_id)
        command = task.get("command")
        self.assertIsInstance(command, dict, task)
        self.assertEqual((command["router"], command["command"]), ("filesystem", "ls"))
        self.assertEqual(command["args"].get("path"), self.dir)

    def test_extra_body_keys_are_ignored(self):
        self.fs_output("ls", {"path": self.dir, "no_such_option": True}, "[File]")

    def test_missing_or_badly_typed_body_is_400(self):
        path = self.put("b.txt", "x")
        for op, body in [("ls", {}), ("ls", {"path": 5}), ("stat", None), ("file", []),
                         ("head", {"path": path, "lines": "two"}), ("symlink", {"path": path}),
                         ("mv", {"path": path}), ("cp", {"path": path}),
                         ("compress", {"path": self.dir}),
                         ("compress", {"path": self.dir, "target_path": path + ".tgz",
                                       "compression": 5}),
                         ("stat", {"path": path, "dereference": "yes"}),
                         ("checksum", {"path": None})]:
            with self.subTest(op=op, body=body):
                self.problem(self.fs_call(op, body), 400)
        r = self.call("POST", "/filesystem/ls/perlmutter", body=b"{not json",
                      headers={"Content-Type": "application/json"})
        self.problem(r, 400)

    def test_unknown_resource_is_404(self):
        for op in ("ls", "mkdir"):
            with self.subTest(op=op):
                self.problem(self.fs_call(op, {"path": self.dir}, resource="nosuch"), 404)

    def test_green_token_reads_but_cannot_write(self):
        path = self.put("g.txt", "x")
        self.fs_submit("ls", {"path": self.dir}, level="green")
        for op, body in [("mkdir", {"path": os.path.join(self.dir, "green")}),
                         ("rm", {"path": path}), ("chmod", {"path": path, "mode": "600"}),
                         ("mv", {"path": path, "target_path": path + ".moved"})]:
            with self.subTest(op=op):
                self.problem(self.fs_call(op, body, level="green"), 403)
        body, ctype = multipart("file", "f", b"x")
        r = self.call("POST", "/filesystem/upload/perlmutter", level="green",
                      query={"path": os.path.join(self.dir, "green-up")}, body=body,
                      headers={"Content-Type": ctype})
        self.problem(r, 403)
        self.assertTrue(os.path.exists(path))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "green")))

    def test_ops_work_on_dtns_too(self):
        self.put("d.txt", "dtns")
        names = [os.path.basename(f["name"])
                 for f in self.fs_output("ls", {"path": self.dir}, "[File]", resource="dtns")]
        self.assertEqual(names, ["d.txt"])

    def test_wrong_method_is_405_with_allow(self):
        self.assert_allow("GET", "/filesystem/ls/perlmutter", {"POST"})
        self.assert_allow("PUT", "/filesystem/mkdir/perlmutter", {"POST"})
        self.assert_allow("DELETE", "/filesystem/rm/perlmutter", {"POST"})


# --- 2.6 storage ------------------------------------------------------------------------------------


class Storage(IriTest):
    with_projects = True

    def locations(self, resource="perlmutter", user="alice", **query):
        return self.ok(self.get(f"/storage/locations/{resource}", user=user, query=query),
                       "[StorageInstance]")

    def endpoints(self, resource="perlmutter", **query):
        return self.ok(self.get(f"/storage/access-endpoints/{resource}", query=query),
                       "[AccessEndpoint]")

    def test_storage_auth_rules(self):
        self.check_auth_rules("storage")

    def test_locations_are_absolute_paths_resolved_for_the_caller(self):
        locations = self.locations()
        for loc in locations:
            self.assertTrue(os.path.isabs(loc["path"]), loc)
            self.assertNotIn("{", loc["path"], loc)  # no unresolved template
        homes = [loc for loc in locations if loc["logical_name"] == "home"]
        for loc in homes:
            self.assertEqual(os.path.normpath(loc["path"]), os.path.normpath(USERS.home("alice")))
        bob_homes = [loc["path"] for loc in self.locations(user="bob")
                     if loc["logical_name"] == "home"]
        for path in bob_homes:
            self.assertEqual(os.path.normpath(path), os.path.normpath(USERS.home("bob")))

    def test_intent_filters_locations(self):
        everything = self.locations()
        key = sorted

        def ids(items):
            return key((i["logical_name"], i["path"]) for i in items)
        self.assertEqual(ids(self.locations(intent="read")), ids(everything))
        self.assertEqual(ids(self.locations(intent="staging")),
                         ids(i for i in everything if i["logical_name"] != "archive"))
        self.assertEqual(ids(self.locations(intent="long-term-storage")),
                         ids(i for i in everything if i["logical_name"] == "archive"))
        self.assertEqual(ids(self.locations(intent="write")),
                         ids(i for i in everything if i["access"]["write"]))

    def test_logicalpath_filters_and_an_unconfigured_one_is_404(self):
        everything = self.locations()
        present = sorted({i["logical_name"] for i in everything})
        for name in present:
            with self.subTest(logicalpath=name):
                got = self.locations(logicalpath=name)
                self.assertTrue(got)
                self.assertEqual({i["logical_name"] for i in got}, {name})
        absent = [n for n in ("home", "scratch", "project", "campaign", "archive", "shared",
                              "temporary") if n not in present]
        if absent:
            self.problem(self.get("/storage/locations/perlmutter",
                                  query={"logicalpath": absent[0]}), 404)

    def test_project_the_caller_is_not_in_is_403(self):
        self.problem(self.get("/storage/locations/perlmutter", query={"project": "iriproj2"}), 403)
        self.locations(user="bob", project="iriproj2")
        self.locations(project="iriproj1")

    def test_access_endpoints_match_and_omit_null_fields(self):
        for e in self.endpoints():
            self.assertEqual(e["resource_id"], "perlmutter", e)
            nulls = [k for k in ("endpoint_id", "uri", "root_path", "endpoint", "bucket",
                                 "region", "endpoint_url") if k in e and e[k] is None]
            self.assertEqual(nulls, [], e)

    def test_access_endpoint_filters(self):
        everything = self.endpoints()
        for protocol in ("globus", "xrootd", "s3"):
            with self.subTest(protocol=protocol):
                self.assertEqual(sorted(e["id"] for e in self.endpoints(protocol=protocol)),
                                 sorted(e["id"] for e in everything if e["protocol"] == protocol))
        for e in everything:  # "exact id": the endpoint's id (or its Globus endpoint_id)
            with self.subTest(endpoint_id=e["id"]):
                got = self.endpoints(endpoint_id=e["id"])
                self.assertEqual(sorted(g["id"] for g in got),
                                 sorted(x["id"] for x in everything
                                        if e["id"] in (x["id"], x.get("endpoint_id"))))
        self.assertEqual(self.endpoints(endpoint_id="no-such-endpoint"), [])

    def test_unknown_resource_is_404(self):
        self.problem(self.get("/storage/locations/nosuch"), 404)
        self.problem(self.get("/storage/access-endpoints/nosuch"), 404)

    def test_bad_parameters_are_400(self):
        for path, query in [("/storage/locations/perlmutter", {"intent": "hoard"}),
                            ("/storage/locations/perlmutter", {"logicalpath": "attic"}),
                            ("/storage/access-endpoints/perlmutter", {"protocol": "ftp"})]:
            with self.subTest(path=path, query=query):
                self.problem(self.get(path, query=query), 400)

    def test_undeclared_or_repeated_query_keys_are_422(self):
        for path, query in [("/storage/locations/perlmutter", "foo=1"),
                            ("/storage/locations/perlmutter", "intent=read&intent=read"),
                            ("/storage/access-endpoints/perlmutter", "protocol=s3&protocol=s3"),
                            ("/storage/access-endpoints/perlmutter", "bucket=x")]:
            with self.subTest(path=path, query=query):
                self.problem(self.get(path, query=query), 422)

    def test_wrong_method_is_405_with_allow(self):
        self.assert_allow("POST", "/storage/locations/perlmutter", {"GET"})
        self.assert_allow("DELETE", "/storage/access-endpoints/perlmutter", {"GET"})


# --- 2.7 / 5 task ---------------------------------------------------------------------------------


class Task(IriTest):
    def ls_task(self, user="alice"):
        home = USERS.home(user)
        return self.fs_submit("ls", {"path": home}, user=user)

    def task_ids(self, user):
        return [t["id"] for t in self.ok(self.get("/task", user=user), "[Task]")]

    def test_task_auth_rules(self):
        self.check_auth_rules("task")

    def test_get_tasks_lists_only_the_callers(self):
        mine, theirs = self.ls_task("alice"), self.ls_task("bob")
        self.assertIn(mine, self.task_ids("alice"))
        self.assertNotIn(theirs, self.task_ids("alice"))
        self.assertIn(theirs, self.task_ids("bob"))
        self.assertNotIn(mine, self.task_ids("bob"))

    def test_a_finished_task_has_its_result_and_command(self):
        task = self.wait_task(self.ls_task())
        self.assertEqual(task["status"], "completed")
        validate(task["result"]["output"], "[File]")
        self.assertEqual(task["command"]["router"], "filesystem")
        self.assertEqual(task["command"]["command"], "ls")
        self.assertIsInstance(task["command"]["args"], dict)

    def test_another_users_task_is_404(self):
        task_id = self.ls_task("alice")
        self.problem(self.get(f"/task/{task_id}", user="bob"), 404)
        self.problem(self.call("DELETE", f"/task/{task_id}", user="bob"), 404)
        self.ok(self.get(f"/task/{task_id}", user="alice"), "Task")

    def test_unknown_task_is_404(self):
        self.problem(self.get("/task/nosuchtask"), 404)
        self.problem(self.call("DELETE", "/task/nosuchtask"), 404)

    def test_deleting_a_finished_task_answers_a_string_and_it_stays_readable(self):
        task = self.wait_task(self.ls_task())
        r = self.call("DELETE", f"/task/{task['id']}")
        self.assertIsInstance(self.ok(r), str)
        after = self.ok(self.get(f"/task/{task['id']}"), "Task")
        self.assertIn(after.get("status"), FINAL_TASK)

    def test_deleting_a_running_task_cancels_it(self):
        # A checksum of a named pipe with no writer blocks: a task that stays active.
        folder = make_dir(os.path.join(USERS.home("alice"), "iri-fifo"), self.alice)
        fifo = os.path.join(folder, "pipe")
        if os.path.exists(fifo):
            os.unlink(fifo)
        os.mkfifo(fifo, 0o644)
        os.chown(fifo, pwd.getpwnam(self.alice).pw_uid, -1)
        try:
            task_id = self.fs_submit("checksum", {"path": fifo})
            time.sleep(0.5)
            before = self.ok(self.get(f"/task/{task_id}"), "Task")
            if before.get("status") in FINAL_TASK:
                self.skipTest(f"the checksum of a pipe ended at once: {before}")
            r = self.call("DELETE", f"/task/{task_id}")
            self.assertIsInstance(self.ok(r), str)
            after = self.ok(self.get(f"/task/{task_id}"), "Task")
            self.assertEqual(after.get("status"), "canceled", after)
            self.assertFalse(after.get("result"), after)
        finally:
            deadline = time.time() + 5
            while time.time() < deadline:  # let a blocked reader see the end of its input
                try:
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                    break
                except OSError as e:
                    if e.errno != errno.ENXIO:  # ENXIO: no reader (yet)
                        break
                    time.sleep(0.1)
            shutil.rmtree(folder, ignore_errors=True)

    def test_wrong_method_is_405_with_allow(self):
        self.assert_allow("POST", "/task", {"GET"})
        task_id = self.ls_task()
        self.assert_allow("PUT", f"/task/{task_id}", {"GET", "DELETE"})


# --- the OpenAPI document ----------------------------------------------------------------------------


class OpenApiDocument(IriTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.doc = None

    def document(self):
        if type(self).doc is None:
            r = self.get("/openapi.json", user=None)
            type(self).doc = self.ok(r)
        return type(self).doc

    def operations(self):
        """operationId -> (METHOD, path relative to /api/v2, operation object)."""
        ops = {}
        for path, item in self.document()["paths"].items():
            rel = path[len(V2):] if path.startswith(V2 + "/") else path
            for method, op in item.items():
                if method in ("get", "put", "post", "delete", "patch", "head", "options", "trace"):
                    ops[op.get("operationId")] = (method.upper(), rel, op)
        return ops

    def test_document_is_public_openapi_json(self):
        doc = self.document()
        self.assertTrue(str(doc.get("openapi", "")).startswith("3."), doc.get("openapi"))
        self.assertIn("paths", doc)
        self.assertIn("info", doc)

    def test_operation_ids_are_exactly_the_47_of_the_spec(self):
        ids = set(self.operations())
        expected = {o[1] for o in OPERATIONS}
        self.assertEqual((sorted(expected - ids), sorted(ids - expected)), ([], []),
                         "(missing, extra) operationIds")

    def test_operations_have_the_spec_methods_and_paths(self):
        ops = self.operations()
        for _, op_id, method, template, _, _ in OPERATIONS:
            with self.subTest(op=op_id):
                self.assertIn(op_id, ops)
                self.assertEqual(ops[op_id][:2], (method, template))

    def test_every_operation_has_x_iri(self):
        ops = self.operations()
        for op_id, (maturity, level) in X_IRI.items():
            with self.subTest(op=op_id):
                self.assertIn(op_id, ops)
                x = ops[op_id][2].get("x-iri")
                self.assertIsInstance(x, dict, f"{op_id} has no x-iri")
                self.assertEqual(x.get("maturity"), maturity)
                self.assertIsInstance(x.get("implementation"), dict)
                if level:
                    self.assertEqual(x["implementation"].get("level"), level)
                else:
                    self.assertIn("level", x["implementation"])

    def test_every_operation_documents_the_spec_statuses(self):
        ops = self.operations()
        for _, op_id, _, _, _, success in OPERATIONS:
            with self.subTest(op=op_id):
                self.assertIn(op_id, ops)
                codes = set(ops[op_id][2].get("responses", {}))
                self.assertEqual(codes, DOCUMENTED_ERRORS | {str(success)})

    def test_public_and_secured_operations(self):
        doc = self.document()
        schemes = doc.get("components", {}).get("securitySchemes", {})
        ops = self.operations()
        for _, op_id, _, _, public, _ in OPERATIONS:
            with self.subTest(op=op_id):
                self.assertIn(op_id, ops)
                op = ops[op_id][2]
                requirements = op["security"] if "security" in op else doc.get("security", [])
                named = [name for req in requirements for name in req]
                if public:
                    self.assertEqual(named, [], f"public {op_id} requires {requirements}")
                else:
                    self.assertTrue(named and all(req for req in requirements), requirements)
                    for name in named:
                        scheme = schemes.get(name, {})
                        self.assertEqual((scheme.get("type"), str(scheme.get("scheme")).lower()),
                                         ("http", "bearer"), scheme)

    def test_idempotency_key_header_on_launch_and_update_only(self):
        with_key = sorted(op_id for op_id, (_, _, op) in self.operations().items()
                          if any(p.get("in") == "header" and p.get("name") == "Idempotency-Key"
                                 for p in op.get("parameters", [])))
        self.assertEqual(with_key, ["launchJob", "updateJob"])

    def test_swagger_ui_at_the_api_base(self):
        path = V2  # spec §1: the reference implementation's UI is at /api/v2
        for _ in range(3):  # a redirect or two (e.g. to /docs/) is fine
            r = self.server.get(path)
            if r.status in (301, 302, 307, 308):
                location = r.headers["location"]
                parsed = urllib.parse.urlsplit(urllib.parse.urljoin(path, location))
                path = parsed.path + ("?" + parsed.query if parsed.query else "")
                continue
            break
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers.get("content-type", "").startswith("text/html"), r.headers)
        self.assertIn(b"swagger", r.body.lower())


if __name__ == "__main__":
    unittest.main()
