// Where a user's data lives on a system and how it is reached from outside: the
// [[systems.locations]] and [[systems.access_endpoints]] of a system with files, which the IRI
// storage tag answers (docs/iri.md "Storage"). Values are checked against the spec's enums when the
// config is read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sfapid {

// [[systems.locations]]: one kind of folder a user has on the system.
struct StorageLocationConfig {
  std::string logical_name;  // home, scratch, project, campaign, archive, shared, temporary
  // Absolute, or starting with {home}; {user} (the Unix account), {home} and {project} are filled
  // in for the caller.
  std::string path;
  std::string filesystem;                    // a label ("lustre-scratch"); "": none
  std::string performance_tier;              // high, medium, low, tape; "": none
  std::optional<int64_t> purge_policy_days;  // none: nothing is purged
  bool shared = false;                       // used by more users than the caller

  // A path with {project} is one folder per project: it is listed once per project of the caller.
  bool ProjectScoped() const { return path.find("{project}") != std::string::npos; }
};

// [[systems.access_endpoints]]: a service that reaches the system's files (Globus, XRootD, S3).
struct AccessEndpointConfig {
  std::string id;
  std::string protocol;  // globus, xrootd, s3
  std::string display_name;
  std::string auth_type;  // how a client authenticates, in the site's words ("oauth2", "x509")
  std::vector<std::string> capabilities;  // list, read, write, transfer, streaming
  // Each protocol's own fields; "": not given. Globus:
  std::string endpoint_id, uri, root_path;
  std::string endpoint;                      // XRootD: root://host:port
  std::string bucket, region, endpoint_url;  // S3
};

// The spec's enums (LogicalName, the performance tiers, AccessProtocol, AccessCapability), which
// the config reader checks against and the IRI documents.
const std::vector<std::string>& LogicalNames();
const std::vector<std::string>& PerformanceTiers();
const std::vector<std::string>& AccessProtocols();
const std::vector<std::string>& AccessCapabilities();

}  // namespace sfapid
