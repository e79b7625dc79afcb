"""JSON Schemas (Draft 2020-12) of the DOE IRI Facility API v2, written from the specification
summary (shared/spec/iri-facility-api-v2.md) and not from sfapid's own OpenAPI document, so that
the conformance suite (test_iri_conformance.py) is an independent check.

Notation of the summary: `f*` is a required key, `T?` is nullable (here ["T", "null"]). Formats are
checked by this module's own FormatChecker: Debian's python3-jsonschema checks neither `date-time`
nor `uri` without extra modules. `date-time` is RFC 3339 with a zone (`Z` or an offset); `uri` is an
absolute URI (a scheme); the link fields (`self_uri`, `site_uris`, ..., `task_uri`) are absolute
http(s) URLs.

    validate(instance, "Facility")      # raises AssertionError listing every violation
    validate(instances, "[Resource]")   # an array of Resource
"""

import datetime
import re

import jsonschema

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# --- formats -------------------------------------------------------------------------------------

DATE_TIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")
HTTP_URL_PATTERN = r"^https?://[^/\s?#]+(/[^\s]*)?$"


def parse_date_time(text):
    """A timezone-aware datetime for an RFC 3339 date-time with zone, else ValueError."""
    m = DATE_TIME_RE.match(text) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"{text!r} is not an RFC 3339 date-time with a zone")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    zone = m.group(8).upper()
    offset = datetime.timedelta(0)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        hh, mm = int(zone[1:3]), int(zone[4:6])
        if hh > 23 or mm > 59:
            raise ValueError(f"{text!r}: bad zone offset")
        offset = sign * datetime.timedelta(hours=hh, minutes=mm)
    fraction = m.group(7) or ""
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    # RFC 3339 allows a leap second (60); datetime does not: read it as 59.
    return datetime.datetime(year, month, day, hour, minute, min(second, 59), micro,
                             datetime.timezone(offset))


FORMAT_CHECKER = jsonschema.FormatChecker(())


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value):
    if not isinstance(value, str):
        return True
    parse_date_time(value)
    return True


@FORMAT_CHECKER.checks("uri")
def _is_uri(value):
    return not isinstance(value, str) or bool(URI_RE.match(value))


# --- URNs (§1 "URNs") ----------------------------------------------------------------------------

_NSS_SEGMENT = r"(?:[A-Za-z0-9._~!$&'()*+,;=@/-]|%[0-9A-Fa-f]{2})+"
_NSS = rf"{_NSS_SEGMENT}(?::{_NSS_SEGMENT})*"
URN_PATTERN = rf"^urn:doe-iri:[A-Za-z0-9][A-Za-z0-9-]{{0,31}}:{_NSS}$"
ALLOCATION_URN_PATTERN = rf"^urn:doe-iri:allocation:{_NSS}$"
COMPRESSION_URN_PATTERN = rf"^urn:doe-iri:compression:{_NSS}$"
RESOURCE_TYPE_PREFIX = "urn:doe-iri:resource:"
NODE_HOURS = "urn:doe-iri:allocation:compute:node-hours"
STORAGE_BYTES = "urn:doe-iri:allocation:storage:bytes"
STORAGE_INODES = "urn:doe-iri:allocation:storage:inodes"

# --- building blocks -----------------------------------------------------------------------------


def nullable(schema):
    """`T?`: the schema or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def ref(name):
    return {"$ref": f"#/$defs/{name}"}


def array(items):
    return {"type": "array", "items": items}


def obj(required, properties, additional=True):
    schema = {"type": "object", "required": sorted(required), "properties": properties}
    if not additional:
        schema["additionalProperties"] = False
    return schema


STRING = {"type": "string"}
STRING1 = {"type": "string", "minLength": 1}
OPT_STRING = nullable(STRING)
OPT_STRING1 = nullable(STRING1)
NUMBER = {"type": "number"}
INTEGER = {"type": "integer"}
OPT_INT1 = nullable({"type": "integer", "minimum": 1})
BOOLEAN = {"type": "boolean"}
DATE_TIME = {"type": "string", "format": "date-time"}
URI = {"type": "string", "format": "uri"}
LINK = {"type": "string", "format": "uri", "pattern": HTTP_URL_PATTERN}
LINKS = array(LINK)
ATTRIBUTES = nullable({"type": "object"})
URN = {"type": "string", "pattern": URN_PATTERN}
ALLOCATION_URN = {"type": "string", "minLength": 24, "pattern": ALLOCATION_URN_PATTERN}
STRING_MAP = {"type": "object", "additionalProperties": STRING}


def enum(*values):
    return {"type": "string", "enum": list(values)}


ENUMS = {
    "Status": enum("up", "down", "degraded", "unknown"),
    "IncidentType": enum("planned", "unplanned", "reservation"),
    "Resolution": enum("unresolved", "cancelled", "completed", "extended", "pending"),
    "Endpoint": enum("compute", "filesystem"),
    "JobState": enum("new", "queued", "held", "active", "completed", "failed", "canceled"),
    "TaskStatus": enum("pending", "active", "completed", "failed", "canceled"),
    "LogicalName": enum("home", "scratch", "project", "campaign", "archive", "shared", "temporary"),
    "StorageIntent": enum("read", "write", "staging", "long-term-storage"),
    "AccessProtocol": enum("globus", "xrootd", "s3"),
    "AccessCapability": enum("list", "read", "write", "transfer", "streaming"),
    "PerformanceTier": enum("high", "medium", "low", "tape"),
    "FileType": enum("file", "directory", "symlink", "other"),
    "FileContentType": enum("lines", "bytes"),
}

# The named object schemas, in the order of the summary.
OBJECTS = {
    # §1 Errors (RFC 9457): extra keys allowed.
    "Problem": obj({"type", "status", "instance"}, {
        "type": URI,
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "title": OPT_STRING,
        "detail": OPT_STRING,
        "instance": STRING,
        "invalid_params": array(obj({"name", "reason"}, {"name": STRING, "reason": STRING})),
    }),
    # §2.1
    "Facility": obj({"id", "last_modified", "self_uri", "site_uris"}, {
        "attributes": ATTRIBUTES,
        "id": STRING,
        "name": OPT_STRING,
        "description": OPT_STRING,
        "last_modified": DATE_TIME,
        "short_name": OPT_STRING,
        "organization_name": OPT_STRING,
        "support_uri": nullable({"type": "string", "format": "uri", "minLength": 1,
                                 "maxLength": 2083}),
        "self_uri": LINK,
        "site_uris": LINKS,
    }),
    "Site": obj({"id", "last_modified", "operating_organization", "self_uri", "resource_uris"}, {
        "attributes": ATTRIBUTES,
        "id": STRING,
        "name": OPT_STRING,
        "description": OPT_STRING,
        "last_modified": DATE_TIME,
        "short_name": OPT_STRING,
        "operating_organization": OPT_STRING,
        "country_name": OPT_STRING,
        "locality_name": OPT_STRING,
        "state_or_province_name": OPT_STRING,
        "street_address": OPT_STRING,
        "unlocode": OPT_STRING,
        "altitude": nullable(NUMBER),
        "latitude": nullable(NUMBER),
        "longitude": nullable(NUMBER),
        "self_uri": LINK,
        "resource_uris": LINKS,
    }),
    # §2.2
    "Resource": obj({"id", "last_modified", "resource_type", "self_uri", "site_uri",
                     "capability_uris"}, {
        "attributes": ATTRIBUTES,
        "id": STRING,
        "name": OPT_STRING,
        "description": OPT_STRING,
        "last_modified": DATE_TIME,
        "group": OPT_STRING,
        "current_status": nullable(ref("Status")),
        "resource_type": dict(URN, minLength=15),
        "supported_endpoints": array(ref("Endpoint")),
        "self_uri": LINK,
        "site_uri": LINK,
        "capability_uris": LINKS,
    }),
    "Incident": obj({"id", "last_modified", "status", "start", "type", "resolution", "self_uri",
                     "event_uris", "resource_uris"}, {
        "attributes": ATTRIBUTES,
        "id": STRING,
        "name": OPT_STRING,
        "description": OPT_STRING,
        "last_modified": DATE_TIME,
        "status": ref("Status"),
        "start": DATE_TIME,
        "end": nullable(DATE_TIME),
        "type": ref("IncidentType"),
        "resolution": ref("Resolution"),
        "self_uri": LINK,
        "event_uris": LINKS,
        "resource_uris": LINKS,
    }),
    "Event": obj({"id", "last_modified", "occurred_at", "status", "self_uri", "resource_uri",
                  "incident_uri"}, {
        "attributes": ATTRIBUTES,
        "id": STRING,
        "name": OPT_STRING,
        "description": OPT_STRING,
        "last_modified": DATE_TIME,
        "occurred_at": DATE_TIME,
        "status": ref("Status"),
        "self_uri": LINK,
        "resource_uri": LINK,
        "incident_uri": nullable(LINK),
    }),
    # §2.3
    "Capability": obj({"id", "units", "self_uri"}, {
        "attributes": ATTRIBUTES,
        "id": STRING,
        "name": OPT_STRING,
        "description": OPT_STRING,
        "last_modified": nullable(DATE_TIME),
        "units": array(ALLOCATION_URN),
        "self_uri": LINK,
    }),
    "Project": obj({"id", "name", "description", "user_ids", "last_modified", "self_uri"}, {
        "attributes": ATTRIBUTES,
        "id": STRING,
        "name": STRING,
        "description": STRING,
        "user_ids": array(STRING),
        "last_modified": DATE_TIME,
        "self_uri": LINK,
    }),
    "ProjectAllocation": obj({"id", "entries", "project_uri", "capability_uri"}, {
        "attributes": ATTRIBUTES,
        "id": STRING,
        "entries": array(ref("AllocationEntry")),
        "project_uri": LINK,
        "capability_uri": LINK,
    }),
    "UserAllocation": obj({"id", "user_id", "entries", "project_allocation_uri"}, {
        "attributes": ATTRIBUTES,
        "id": STRING,
        "user_id": STRING,
        "entries": array(ref("AllocationEntry")),
        "project_allocation_uri": LINK,
    }),
    "AllocationEntry": obj({"allocation", "usage", "unit"}, {
        "attributes": ATTRIBUTES,
        "allocation": NUMBER,
        "usage": NUMBER,
        "unit": ALLOCATION_URN,
    }),
    # §3 compute
    "JobSpec": obj(set(), {
        "attributes": nullable(ref("JobAttributes")),
        "executable": OPT_STRING1,
        "container": nullable(ref("Container")),
        "arguments": array(STRING),
        "directory": OPT_STRING1,
        "name": OPT_STRING1,
        "inherit_environment": BOOLEAN,
        "environment": STRING_MAP,
        "stdin_path": OPT_STRING1,
        "stdout_path": OPT_STRING1,
        "stderr_path": OPT_STRING1,
        "resources": nullable(ref("ResourceSpec")),
        "pre_launch": OPT_STRING1,
        "post_launch": OPT_STRING1,
        "launcher": OPT_STRING1,
    }, additional=False),
    "ResourceSpec": obj(set(), {
        "attributes": ATTRIBUTES,
        "node_count": OPT_INT1,
        "process_count": OPT_INT1,
        "processes_per_node": OPT_INT1,
        "cpu_cores_per_process": OPT_INT1,
        "gpu_cores_per_process": OPT_INT1,
        "exclusive_node_use": BOOLEAN,
        "memory": OPT_INT1,
    }),
    "JobAttributes": obj(set(), {
        "attributes": ATTRIBUTES,
        "duration": OPT_INT1,
        "queue_name": OPT_STRING1,
        "account": OPT_STRING1,
        "reservation_id": OPT_STRING1,
        "custom_attributes": STRING_MAP,
    }),
    "Container": obj({"image"}, {
        "attributes": ATTRIBUTES,
        "image": STRING1,
        "volume_mounts": array(ref("VolumeMount")),
    }),
    "VolumeMount": obj({"source", "target"}, {
        "attributes": ATTRIBUTES,
        "source": STRING1,
        "target": STRING1,
        "read_only": BOOLEAN,
    }),
    "Job": obj({"id"}, {
        "attributes": ATTRIBUTES,
        "id": STRING,
        "status": nullable(ref("JobStatus")),
        "job_spec": nullable(ref("JobSpec")),
    }),
    "JobStatus": obj({"state"}, {
        "attributes": ATTRIBUTES,
        "state": ref("JobState"),
        "time": nullable(NUMBER),
        "message": OPT_STRING,
        "exit_code": nullable(INTEGER),
        "meta_data": nullable({"type": "object"}),
    }),
    # §4 filesystem, §5 tasks
    "TaskSubmitResponse": obj({"task_id", "task_uri"}, {"task_id": STRING, "task_uri": LINK}),
    "Task": obj({"id"}, {
        "id": STRING,
        "status": ref("TaskStatus"),
        "result": nullable({"type": "object"}),
        "command": nullable(ref("TaskCommand")),
    }),
    "TaskCommand": obj({"router", "command", "args"}, {
        "router": STRING, "command": STRING, "args": {"type": "object"}}),
    "File": obj({"name", "type", "user", "group", "permissions", "last_modified", "size"}, {
        "name": STRING,
        "type": ref("FileType"),
        "link_target": OPT_STRING,
        "user": STRING,
        "group": STRING,
        "permissions": {"type": "string", "pattern": r"^[-rwxsStT]{9}$"},
        "last_modified": STRING,
        "size": {"type": "string", "pattern": r"^[0-9]+$"},
    }),
    "FileContent": obj({"content", "content_type", "start_position", "end_position"}, {
        "content": STRING,
        "content_type": ref("FileContentType"),
        "start_position": INTEGER,
        "end_position": INTEGER,
    }),
    "FileStat": obj({"mode", "ino", "dev", "nlink", "uid", "gid", "size", "atime", "ctime",
                     "mtime"},
                    {k: INTEGER for k in ("mode", "ino", "dev", "nlink", "uid", "gid", "size",
                                          "atime", "ctime", "mtime")}),
    "Checksum": obj({"algorithm", "checksum"}, {
        "algorithm": {"const": "SHA-256"},
        "checksum": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
    }),
    # §2.6 storage
    "StorageInstance": obj({"logical_name", "path", "access"}, {
        "logical_name": ref("LogicalName"),
        "path": {"type": "string", "pattern": "^/"},
        "filesystem": OPT_STRING,
        "performance_tier": nullable(ref("PerformanceTier")),
        "purge_policy_days": nullable(INTEGER),
        "shared": BOOLEAN,
        "access": obj({"read", "write", "execute"},
                      {"read": BOOLEAN, "write": BOOLEAN, "execute": BOOLEAN}),
    }),
    "AccessEndpoint": obj({"id", "resource_id", "protocol", "auth_type", "capabilities"}, {
        "id": STRING,
        "resource_id": STRING,
        "protocol": ref("AccessProtocol"),
        "display_name": OPT_STRING,
        "auth_type": STRING,
        "capabilities": array(ref("AccessCapability")),
        "endpoint_id": OPT_STRING,
        "uri": OPT_STRING,
        "root_path": OPT_STRING,
        "endpoint": OPT_STRING,
        "bucket": OPT_STRING,
        "region": OPT_STRING,
        "endpoint_url": OPT_STRING,
    }),
}

DEFS = {**ENUMS, **OBJECTS}
# Aliases with the summary's own name for the allocation-URN string type.
DEFS["AllocationUnit"] = ALLOCATION_URN
DEFS["ResourceType"] = dict(URN, minLength=15)
DEFS["CompressionUrn"] = {"type": "string", "pattern": COMPRESSION_URN_PATTERN}


def schema(name):
    """The standalone schema of `name`, or of an array of it for "[name]"."""
    if name.startswith("[") and name.endswith("]"):
        root = array(ref(name[1:-1]))
    else:
        root = ref(name)
    if name.strip("[]") not in DEFS:
        raise KeyError(f"no schema named {name!r}")
    return {"$schema": DRAFT, **root, "$defs": DEFS}


_VALIDATORS = {}


def validator(name):
    if name not in _VALIDATORS:
        _VALIDATORS[name] = jsonschema.Draft202012Validator(schema(name),
                                                            format_checker=FORMAT_CHECKER)
    return _VALIDATORS[name]


def _where(error):
    return "/" + "/".join(str(p) for p in error.absolute_path)


def _leaf_errors(error):
    """The innermost errors: a nullable (anyOf [T, null]) failure is reported by T's own errors."""
    if error.validator == "anyOf" and error.context:
        real = [c for c in error.context
                if not (c.validator == "type" and c.validator_value == "null")]
        if real:
            for c in real:
                yield from _leaf_errors(c)
            return
    yield error


def errors(instance, name):
    """Readable violations of `name` by `instance` (an empty list when it conforms)."""
    found = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    out = []
    for e in found:
        for leaf in _leaf_errors(e):
            line = f"{_where(leaf)}: {leaf.message}"
            if line not in out:
                out.append(line)
    return out


def validate(instance, name):
    """Raises AssertionError, listing every violation, when `instance` does not match `name`."""
    problems = errors(instance, name)
    if problems:
        shown = repr(instance)
        if len(shown) > 800:
            shown = shown[:800] + "..."
        raise AssertionError(f"not a valid {name}:\n  " + "\n  ".join(problems[:20])
                             + (f"\n  ... {len(problems) - 20} more" if len(problems) > 20 else "")
                             + f"\ninstance: {shown}")
    return instance


def check_schemas():
    """Every schema is a valid Draft 2020-12 schema (raises SchemaError otherwise)."""
    for name in DEFS:
        jsonschema.Draft202012Validator.check_schema(schema(name))
    return sorted(DEFS)
