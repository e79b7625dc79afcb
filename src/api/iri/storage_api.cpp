// /storage (spec §2.6): the caller's storage locations on a system, resolved by the storage
// locations service (core/files/storage_locations.h), and the system's access endpoints as the
// config lists them. Only systems with files have storage; any other resource is 404.
#include <boost/json/array.hpp>

#include "api/iri/account_model.h"
#include "api/iri/iri_route.h"
#include "api/iri/problem.h"
#include "config/storage_config.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

QueryParam Enum(const char* name, std::vector<std::string> values, const char* description) {
  return {.name = name,
          .type = ParamType::kEnum,
          .description = description,
          .values = std::move(values)};
}

StorageIntent IntentOf(const std::string* text) {
  if (!text || *text == "read") return StorageIntent::kRead;
  if (*text == "write") return StorageIntent::kWrite;
  if (*text == "staging") return StorageIntent::kStaging;
  return StorageIntent::kLongTermStorage;  // the enum's last value, checked by CheckQuery
}

// The project `project` names, else the one of `allocation` ("<project>.<capability>", as the
// account tag makes them); nullopt when neither is given (an empty value counts as not given, as
// in the reference implementation). An allocation id of another shape names no project of anyone:
// its "project" is the whole id, which the caller is not in (403).
std::optional<std::string> ProjectOf(const QueryValues& q) {
  if (const std::string* project = q.Get("project"); project && !project->empty()) return *project;
  const std::string* allocation = q.Get("allocation");
  if (!allocation || allocation->empty()) return std::nullopt;
  const size_t dot = allocation->rfind('.');
  if (dot != std::string::npos && dot > 0 && FindCapability(allocation->substr(dot + 1)))
    return allocation->substr(0, dot);
  return *allocation;
}

json::value OrNull(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(json::string(text));
}

json::object LocationJson(const StorageLocation& l) {
  return {{"logical_name", l.logical_name},
          {"path", l.path},
          {"filesystem", OrNull(l.filesystem)},
          {"performance_tier", OrNull(l.performance_tier)},
          {"purge_policy_days",
           l.purge_policy_days ? json::value(*l.purge_policy_days) : json::value(nullptr)},
          {"shared", l.shared},
          {"access",
           {{"read", l.access.read}, {"write", l.access.write}, {"execute", l.access.execute}}}};
}

// Null protocol-specific fields are left out (the spec's example omits them).
json::object EndpointJson(const AccessEndpointConfig& e, const std::string& system) {
  json::array capabilities;
  for (const auto& c : e.capabilities) capabilities.push_back(json::string(c));
  json::object out{{"id", e.id},
                   {"resource_id", system},
                   {"protocol", e.protocol},
                   {"display_name", e.display_name},
                   {"auth_type", e.auth_type},
                   {"capabilities", std::move(capabilities)}};
  for (const auto& [key, value] :
       {std::pair<const char*, const std::string*>{"endpoint_id", &e.endpoint_id},
        {"uri", &e.uri},
        {"root_path", &e.root_path},
        {"endpoint", &e.endpoint},
        {"bucket", &e.bucket},
        {"region", &e.region},
        {"endpoint_url", &e.endpoint_url}})
    if (!value->empty()) out[key] = *value;
  return out;
}

}  // namespace

void AddStorageRoutes(IriContext& ctx) {
  const std::string tag = "storage";
  const std::pair<std::string, std::string> resource = {"resource_id",
                                                        "A system with files (its name)"};
  AddRoute(
      ctx, Access::kRead,
      {.method = "GET",
       .path = "/storage/locations/{resource_id}",
       .operation_id = "getStorageLocations",
       .tag = tag,
       .summary = "Where the caller's data lives on a resource",
       .path_params = {resource},
       .query = {Enum("logicalpath", LogicalNames(), "Only locations of this kind"),
                 {.name = "project", .description = "Project-scoped locations of this project"},
                 {.name = "allocation",
                  .description = "Project-scoped locations of this allocation's project"},
                 Enum("intent", {"read", "write", "staging", "long-term-storage"},
                      "What the data is for: write keeps what the caller may write, staging "
                      "drops the archive, long-term-storage keeps only the archive")},
       .answer = ListOf("StorageInstance"),
       .maturity = "in_development",
       .implementation = "optional",
       .execution = http::Execution::kBlocking,
       .handler = [&ctx](http::Request& req, const QueryValues& q) {
         LocationQuery query{.project = ProjectOf(q), .intent = IntentOf(q.Get("intent"))};
         if (const std::string* name = q.Get("logicalpath")) query.logical_name = *name;
         auto locations = ctx.storage.For(req.principal->user, req.PathParam("resource_id"), query);
         if (!locations) return FromStatus(req, locations.status());
         json::array out;
         for (const auto& l : *locations) out.push_back(LocationJson(l));
         return http::Response::Json(std::move(out));
       }});
  AddRoute(ctx, Access::kRead,
           {.method = "GET",
            .path = "/storage/access-endpoints/{resource_id}",
            .operation_id = "getStorageAccessEndpoints",
            .tag = tag,
            .summary = "The services that reach a resource's files",
            .path_params = {resource},
            .query = {Enum("protocol", AccessProtocols(), "Only endpoints of this protocol"),
                      {.name = "endpoint_id", .description = "Only the endpoint of this id"}},
            .answer = ListOf("AccessEndpoint"),
            .maturity = "in_development",
            .implementation = "required",  // inline: the config answers, nothing blocks
            .handler = [&ctx](http::Request& req, const QueryValues& q) {
              const std::string& name = req.PathParam("resource_id");
              const SystemConfig* system = FindSystem(ctx.systems, name);
              if (!system || !system->HasFiles())
                return Problem(req, 404, "no system with files named '" + name + "'");
              const std::string* protocol = q.Get("protocol");
              const std::string* id = q.Get("endpoint_id");
              json::array out;
              for (const auto& e : system->access_endpoints)
                if ((!protocol || e.protocol == *protocol) && (!id || e.id == *id))
                  out.push_back(EndpointJson(e, name));
              return http::Response::Json(std::move(out));
            }});
}

}  // namespace sfapid::iri
