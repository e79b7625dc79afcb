// [[systems.locations]] and [[systems.access_endpoints]] of one system (storage_config.h): each
// value checked against the IRI spec's enums here, so that the API never has to answer a value its
// schema does not allow.
#include <algorithm>

#include "config/section_readers.h"

namespace sfapid::config_reading {

namespace {

bool OneOf(const std::string& value, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

std::string Listed(const std::vector<std::string>& allowed) {
  std::string out;
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i) out += i + 1 == allowed.size() ? " or " : ", ";
    out += allowed[i];
  }
  return out;
}

// Why a location's path is not one sfapid can fill in for a caller, or "" when it is: absolute
// (or under {home}), with no placeholder but {user}, {home} and {project}.
std::string PathProblem(const std::string& path) {
  if (path.empty() || (path.front() != '/' && path.rfind("{home}", 0) != 0))
    return "must be an absolute path (or start with {home})";
  for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
    const size_t close = path.find('}', open);
    if (close == std::string::npos) return "has a '{' without its '}'";
    const std::string name = path.substr(open + 1, close - open - 1);
    if (name != "user" && name != "home" && name != "project")
      return "names {" + name + "}; only {user}, {home} and {project} are filled in";
  }
  return "";
}

StorageLocationConfig ReadLocation(const toml::table& t, const std::string& source,
                                   const std::string& prefix) {
  TableReader r(t, source, prefix);
  StorageLocationConfig l;
  r.Read("logical_name", l.logical_name);
  r.Read("path", l.path);
  r.Read("filesystem", l.filesystem);
  r.Read("performance_tier", l.performance_tier);
  int64_t days = -1;  // Read refuses negative values, so -1 stays "not given"
  r.Read("purge_policy_days", days);
  if (days >= 0) l.purge_policy_days = days;
  r.Read("shared", l.shared);
  r.RejectUnknown();
  r.Require(OneOf(l.logical_name, LogicalNames()), "logical_name",
            "must be " + Listed(LogicalNames()));
  const std::string problem = PathProblem(l.path);
  r.Require(problem.empty(), "path", problem);
  r.Require(l.performance_tier.empty() || OneOf(l.performance_tier, PerformanceTiers()),
            "performance_tier", "must be " + Listed(PerformanceTiers()));
  return l;
}

AccessEndpointConfig ReadEndpoint(const toml::table& t, const std::string& source,
                                  const std::string& prefix) {
  TableReader r(t, source, prefix);
  AccessEndpointConfig e;
  r.Read("id", e.id);
  r.Read("protocol", e.protocol);
  r.Read("display_name", e.display_name);
  r.Read("auth_type", e.auth_type);
  r.ReadStrings("capabilities", e.capabilities);
  // Each protocol's own fields, and the protocol they belong to.
  const std::vector<std::pair<const char*, std::string*>> own = {
      {"endpoint_id", &e.endpoint_id},  {"uri", &e.uri},       {"root_path", &e.root_path},
      {"endpoint", &e.endpoint},        {"bucket", &e.bucket}, {"region", &e.region},
      {"endpoint_url", &e.endpoint_url}};
  for (const auto& [key, field] : own) r.Read(key, *field);
  r.RejectUnknown();
  r.Require(!e.id.empty(), "id", "must be given");
  r.Require(OneOf(e.protocol, AccessProtocols()), "protocol",
            "must be " + Listed(AccessProtocols()));
  r.Require(!e.auth_type.empty(), "auth_type", "must be given (how clients authenticate)");
  for (size_t i = 0; i < e.capabilities.size(); ++i) {
    r.Require(OneOf(e.capabilities[i], AccessCapabilities()), "capabilities",
              "'" + e.capabilities[i] + "' must be " + Listed(AccessCapabilities()));
    r.Require(std::find(e.capabilities.begin(), e.capabilities.begin() + i, e.capabilities[i]) ==
                  e.capabilities.begin() + i,
              "capabilities", "'" + e.capabilities[i] + "' is listed twice");
  }
  for (const auto& [key, field] : own) {
    const std::string k = key;
    const char* belongs = k == "endpoint"                                           ? "xrootd"
                          : (k == "bucket" || k == "region" || k == "endpoint_url") ? "s3"
                                                                                    : "globus";
    std::string what = "is a field of ";
    what += belongs;
    what += " endpoints";
    r.Require(field->empty() || e.protocol == belongs, k, what);
  }
  if (e.display_name.empty()) e.display_name = e.id;
  return e;
}

}  // namespace

void ReadStorage(TableReader& system, const std::string& source, const std::string& prefix,
                 SystemConfig& s) {
  const toml::array* locations = system.TableArray("locations");
  const toml::array* endpoints = system.TableArray("access_endpoints");
  if ((locations || endpoints) && !s.HasFiles())
    system.Fail(system.NodeOr(locations ? "locations" : "access_endpoints"),
                locations ? "locations" : "access_endpoints",
                "only systems with files (compute, filesystem, storage) have storage");
  size_t i = 0;
  if (locations)
    for (const auto& node : *locations)
      s.locations.push_back(ReadLocation(*node.as_table(), source,
                                         prefix + ".locations[" + std::to_string(i++) + "]"));
  i = 0;
  if (endpoints)
    for (const auto& node : *endpoints) {
      AccessEndpointConfig e = ReadEndpoint(
          *node.as_table(), source, prefix + ".access_endpoints[" + std::to_string(i++) + "]");
      for (const auto& other : s.access_endpoints)
        if (other.id == e.id)
          system.Fail(node, "access_endpoints", "endpoint '" + e.id + "' is listed twice");
      s.access_endpoints.push_back(std::move(e));
    }
}

}  // namespace sfapid::config_reading
