#include "api/iri/iri_schemas.h"

#include <boost/json/parse.hpp>

namespace sfapid::iri {

namespace {

// JSON text rather than C++ builders: the schemas read as the spec's, and a reviewer can diff
// them against it. Parsed once at start-up.
constexpr const char* kSchemas = R"json({
"Problem": {"type": "object", "required": ["type", "status", "instance"], "properties": {
  "type": {"type": "string", "format": "uri", "default": "about:blank"},
  "status": {"type": "integer", "minimum": 100, "maximum": 599},
  "title": {"type": ["string", "null"]}, "detail": {"type": ["string", "null"]},
  "instance": {"type": "string"},
  "invalid_params": {"type": "array", "items": {"type": "object", "properties": {
    "name": {"type": "string"}, "reason": {"type": "string"}}}}}},
"Facility": {"type": "object", "required": ["id", "last_modified", "self_uri", "site_uris"], "properties": {
  "attributes": {"type": ["object", "null"]}, "id": {"type": "string"},
  "name": {"type": ["string", "null"]}, "description": {"type": ["string", "null"]},
  "last_modified": {"type": "string", "format": "date-time"},
  "short_name": {"type": ["string", "null"]}, "organization_name": {"type": ["string", "null"]},
  "support_uri": {"anyOf": [{"type": "string", "format": "uri", "minLength": 1, "maxLength": 2083}, {"type": "null"}]},
  "self_uri": {"type": "string", "format": "uri", "readOnly": true},
  "site_uris": {"type": "array", "items": {"type": "string", "format": "uri"}}}},
"Site": {"type": "object", "required": ["id", "last_modified", "operating_organization", "self_uri", "resource_uris"], "properties": {
  "attributes": {"type": ["object", "null"]}, "id": {"type": "string"},
  "name": {"type": ["string", "null"]}, "description": {"type": ["string", "null"]},
  "last_modified": {"type": "string", "format": "date-time"},
  "short_name": {"type": ["string", "null"]}, "operating_organization": {"type": ["string", "null"]},
  "country_name": {"type": ["string", "null"]}, "locality_name": {"type": ["string", "null"]},
  "state_or_province_name": {"type": ["string", "null"]}, "street_address": {"type": ["string", "null"]},
  "unlocode": {"type": ["string", "null"]}, "altitude": {"type": ["number", "null"]},
  "latitude": {"type": ["number", "null"]}, "longitude": {"type": ["number", "null"]},
  "self_uri": {"type": "string", "format": "uri", "readOnly": true},
  "resource_uris": {"type": "array", "items": {"type": "string", "format": "uri"}}}},
"Status": {"type": "string", "enum": ["up", "down", "degraded", "unknown"]},
"IncidentType": {"type": "string", "enum": ["planned", "unplanned", "reservation"]},
"Resolution": {"type": "string", "enum": ["unresolved", "cancelled", "completed", "extended", "pending"]},
"Endpoint": {"type": "string", "enum": ["compute", "filesystem"]},
"Resource": {"type": "object", "required": ["id", "last_modified", "resource_type", "self_uri", "site_uri", "capability_uris"], "properties": {
  "attributes": {"type": ["object", "null"]}, "id": {"type": "string"},
  "name": {"type": ["string", "null"]}, "description": {"type": ["string", "null"]},
  "last_modified": {"type": "string", "format": "date-time"}, "group": {"type": ["string", "null"]},
  "current_status": {"anyOf": [{"$ref": "#/components/schemas/Status"}, {"type": "null"}]},
  "resource_type": {"type": "string", "description": "A URN: urn:doe-iri:resource:compute:system, ..."},
  "supported_endpoints": {"type": "array", "items": {"$ref": "#/components/schemas/Endpoint"}, "default": []},
  "self_uri": {"type": "string", "format": "uri", "readOnly": true},
  "site_uri": {"type": "string", "format": "uri"},
  "capability_uris": {"type": "array", "items": {"type": "string", "format": "uri"}}}},
"Incident": {"type": "object", "required": ["id", "last_modified", "status", "start", "type", "resolution", "self_uri", "event_uris", "resource_uris"], "properties": {
  "attributes": {"type": ["object", "null"]}, "id": {"type": "string"},
  "name": {"type": ["string", "null"]}, "description": {"type": ["string", "null"]},
  "last_modified": {"type": "string", "format": "date-time"},
  "status": {"$ref": "#/components/schemas/Status"},
  "start": {"type": "string", "format": "date-time"},
  "end": {"type": ["string", "null"], "format": "date-time"},
  "type": {"$ref": "#/components/schemas/IncidentType"},
  "resolution": {"$ref": "#/components/schemas/Resolution"},
  "self_uri": {"type": "string", "format": "uri", "readOnly": true},
  "event_uris": {"type": "array", "items": {"type": "string", "format": "uri"}},
  "resource_uris": {"type": "array", "items": {"type": "string", "format": "uri"}}}},
"Event": {"type": "object", "required": ["id", "last_modified", "occurred_at", "status", "self_uri", "resource_uri", "incident_uri"], "properties": {
  "attributes": {"type": ["object", "null"]}, "id": {"type": "string"},
  "name": {"type": ["string", "null"]}, "description": {"type": ["string", "null"]},
  "last_modified": {"type": "string", "format": "date-time"},
  "occurred_at": {"type": "string", "format": "date-time"},
  "status": {"$ref": "#/components/schemas/Status"},
  "self_uri": {"type": "string", "format": "uri", "readOnly": true},
  "resource_uri": {"type": "string", "format": "uri"},
  "incident_uri": {"type": ["string", "null"], "format": "uri"}}},
"Capability": {"type": "object", "required": ["id", "units", "self_uri"], "properties": {
  "attributes": {"type": ["object", "null"]}, "id": {"type": "string"},
  "name": {"type": ["string", "null"]}, "description": {"type": ["string", "null"]},
  "last_modified": {"type": ["string", "null"], "format": "date-time"},
  "units": {"type": "array", "items": {"type": "string"}},
  "self_uri": {"type": "string", "format": "uri", "readOnly": true}}},
"Project": {"type": "object", "required": ["id", "name", "description", "user_ids", "last_modified", "self_uri"], "properties": {
  "attributes": {"type": ["object", "null"]}, "id": {"type": "string"}, "name": {"type": "string"},
  "description": {"type": "string"}, "user_ids": {"type": "array", "items": {"type": "string"}},
  "last_modified": {"type": "string", "format": "date-time"},
  "self_uri": {"type": "string", "format": "uri", "readOnly": true}}},
"AllocationEntry": {"type": "object", "required": ["allocation", "usage", "unit"], "properties": {
  "attributes": {"type": ["object", "null"]}, "allocation": {"type": "number"},
  "usage": {"type": "number"}, "unit": {"type": "string"}}},
"ProjectAllocation": {"type": "object", "required": ["id", "entries", "project_uri", "capability_uri"], "properties": {
  "attributes": {"type": ["object", "null"]}, "id": {"type": "string"},
  "entries": {"type": "array", "items": {"$ref": "#/components/schemas/AllocationEntry"}},
  "project_uri": {"type": "string", "format": "uri"}, "capability_uri": {"type": "string", "format": "uri"}}},
"UserAllocation": {"type": "object", "required": ["id", "user_id", "entries", "project_allocation_uri"], "properties": {
  "attributes": {"type": ["object", "null"]}, "id": {"type": "string"}, "user_id": {"type": "string"},
  "entries": {"type": "array", "items": {"$ref": "#/components/schemas/AllocationEntry"}},
  "project_allocation_uri": {"type": "string", "format": "uri"}}},
"VolumeMount": {"type": "object", "required": ["source", "target"], "properties": {
  "attributes": {"type": ["object", "null"]}, "source": {"type": "string", "minLength": 1},
  "target": {"type": "string", "minLength": 1}, "read_only": {"type": "boolean", "default": true}}},
"Container": {"type": "object", "required": ["image"], "properties": {
  "attributes": {"type": ["object", "null"]}, "image": {"type": "string", "minLength": 1},
  "volume_mounts": {"type": "array", "items": {"$ref": "#/components/schemas/VolumeMount"}, "default": []}}},
"ResourceSpec": {"type": "object", "properties": {
  "attributes": {"type": ["object", "null"]},
  "node_count": {"type": ["integer", "null"], "minimum": 1},
  "process_count": {"type": ["integer", "null"], "minimum": 1},
  "processes_per_node": {"type": ["integer", "null"], "minimum": 1},
  "cpu_cores_per_process": {"type": ["integer", "null"], "minimum": 1},
  "gpu_cores_per_process": {"type": ["integer", "null"], "minimum": 1},
  "exclusive_node_use": {"type": "boolean", "default": true},
  "memory": {"type": ["integer", "null"], "minimum": 1, "description": "Bytes per node"}}},
"JobAttributes": {"type": "object", "properties": {
  "attributes": {"type": ["object", "null"]},
  "duration": {"type": ["integer", "null"], "minimum": 1, "description": "Seconds"},
  "queue_name": {"type": ["string", "null"], "minLength": 1},
  "account": {"type": ["string", "null"], "minLength": 1},
  "reservation_id": {"type": ["string", "null"], "minLength": 1},
  "custom_attributes": {"type": "object", "additionalProperties": {"type": "string"}, "default": {}}}},
"JobSpec": {"type": "object", "additionalProperties": false, "properties": {
  "attributes": {"anyOf": [{"$ref": "#/components/schemas/JobAttributes"}, {"type": "null"}]},
  "executable": {"type": ["string", "null"], "minLength": 1},
  "container": {"anyOf": [{"$ref": "#/components/schemas/Container"}, {"type": "null"}]},
  "arguments": {"type": "array", "items": {"type": "string"}, "default": []},
  "directory": {"type": ["string", "null"], "minLength": 1},
  "name": {"type": ["string", "null"], "minLength": 1},
  "inherit_environment": {"type": "boolean", "default": true},
  "environment": {"type": "object", "additionalProperties": {"type": "string"}, "default": {}},
  "stdin_path": {"type": ["string", "null"], "minLength": 1},
  "stdout_path": {"type": ["string", "null"], "minLength": 1},
  "stderr_path": {"type": ["string", "null"], "minLength": 1},
  "resources": {"anyOf": [{"$ref": "#/components/schemas/ResourceSpec"}, {"type": "null"}]},
  "pre_launch": {"type": ["string", "null"], "minLength": 1},
  "post_launch": {"type": ["string", "null"], "minLength": 1},
  "launcher": {"type": ["string", "null"], "minLength": 1}}},
"JobState": {"type": "string", "enum": ["new", "queued", "held", "active", "completed", "failed", "canceled"]},
"JobStatus": {"type": "object", "required": ["state"], "properties": {
  "attributes": {"type": ["object", "null"]}, "state": {"$ref": "#/components/schemas/JobState"},
  "time": {"type": ["number", "null"], "description": "Epoch seconds"},
  "message": {"type": ["string", "null"]}, "exit_code": {"type": ["integer", "null"]},
  "meta_data": {"type": ["object", "null"]}}},
"Job": {"type": "object", "required": ["id"], "properties": {
  "attributes": {"type": ["object", "null"]}, "id": {"type": "string"},
  "status": {"anyOf": [{"$ref": "#/components/schemas/JobStatus"}, {"type": "null"}]},
  "job_spec": {"anyOf": [{"$ref": "#/components/schemas/JobSpec"}, {"type": "null"}]}}},
"TaskSubmitResponse": {"type": "object", "required": ["task_id", "task_uri"], "properties": {
  "task_id": {"type": "string"}, "task_uri": {"type": "string", "format": "uri"}}},
"TaskStatus": {"type": "string", "enum": ["pending", "active", "completed", "failed", "canceled"]},
"TaskCommand": {"type": "object", "required": ["router", "command", "args"], "properties": {
  "router": {"type": "string"}, "command": {"type": "string"}, "args": {"type": "object"}}},
"Task": {"type": "object", "required": ["id"], "properties": {
  "id": {"type": "string"},
  "status": {"$ref": "#/components/schemas/TaskStatus", "default": "pending"},
  "result": {"type": ["object", "null"]},
  "command": {"anyOf": [{"$ref": "#/components/schemas/TaskCommand"}, {"type": "null"}]}}},
"File": {"type": "object", "properties": {
  "name": {"type": "string"}, "type": {"type": "string", "enum": ["file", "directory", "symlink", "other"]},
  "link_target": {"type": ["string", "null"]}, "user": {"type": "string"}, "group": {"type": "string"},
  "permissions": {"type": "string"}, "last_modified": {"type": "string"}, "size": {"type": "string"}}},
"FileContent": {"type": "object", "properties": {
  "content": {"type": "string"}, "content_type": {"type": "string", "enum": ["lines", "bytes"]},
  "start_position": {"type": "integer"}, "end_position": {"type": "integer"}}},
"FileStat": {"type": "object", "properties": {
  "mode": {"type": "integer"}, "ino": {"type": "integer"}, "dev": {"type": "integer"},
  "nlink": {"type": "integer"}, "uid": {"type": "integer"}, "gid": {"type": "integer"},
  "size": {"type": "integer"}, "atime": {"type": "integer"}, "ctime": {"type": "integer"},
  "mtime": {"type": "integer"}}},
"StorageInstance": {"type": "object", "required": ["logical_name", "path", "access"], "properties": {
  "logical_name": {"type": "string", "enum": ["home", "scratch", "project", "campaign", "archive", "shared", "temporary"]},
  "path": {"type": "string"}, "filesystem": {"type": ["string", "null"]},
  "performance_tier": {"anyOf": [{"type": "string", "enum": ["high", "medium", "low", "tape"]}, {"type": "null"}]},
  "purge_policy_days": {"type": ["integer", "null"]}, "shared": {"type": "boolean", "default": false},
  "access": {"type": "object", "required": ["read", "write", "execute"], "properties": {
    "read": {"type": "boolean"}, "write": {"type": "boolean"}, "execute": {"type": "boolean"}}}}},
"AccessEndpoint": {"type": "object", "required": ["id", "resource_id", "protocol", "auth_type", "capabilities"], "properties": {
  "id": {"type": "string"}, "resource_id": {"type": "string"},
  "protocol": {"type": "string", "enum": ["globus", "xrootd", "s3"]},
  "display_name": {"type": ["string", "null"]}, "auth_type": {"type": "string"},
  "capabilities": {"type": "array", "items": {"type": "string", "enum": ["list", "read", "write", "transfer", "streaming"]}},
  "endpoint_id": {"type": ["string", "null"]}, "uri": {"type": ["string", "null"]},
  "root_path": {"type": ["string", "null"]}, "endpoint": {"type": ["string", "null"]},
  "bucket": {"type": ["string", "null"]}, "region": {"type": ["string", "null"]},
  "endpoint_url": {"type": ["string", "null"]}}}
})json";

}  // namespace

void AddIriSchemas(boost::json::object& schemas) {
  const boost::json::value parsed = boost::json::parse(kSchemas);
  for (const auto& [name, schema] : parsed.as_object()) schemas[name] = schema;
}

}  // namespace sfapid::iri
