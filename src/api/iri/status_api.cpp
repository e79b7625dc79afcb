// /status (spec §2.2): resources, incidents and events, from the status service's snapshot
// (status_model.h says how sfapid's systems, outages and notes map onto them). Public.
#include <boost/json/array.hpp>

#include "api/iri/account_model.h"
#include "api/iri/base_url.h"
#include "api/iri/iri_route.h"
#include "api/iri/problem.h"
#include "api/iri/status_model.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

// RFC 8141 in short: urn:<namespace>:<segment>[:<segment>...].
constexpr const char* kUrnPattern =
    "^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}(:[A-Za-z0-9._~!$&'()*+,;=@/%-]+)+$";

QueryParam Enum(const char* name, std::vector<std::string> values, const char* description) {
  return {.name = name,
          .type = ParamType::kEnum,
          .description = description,
          .values = std::move(values)};
}

QueryParam Text(const char* name, const char* description) {
  return {.name = name, .description = description, .min_length = 1};
}

QueryParam Time(const char* name, const char* description) {
  return {.name = name, .type = ParamType::kDateTime, .description = description};
}

const std::vector<std::string> kStatuses = {"up", "down", "degraded", "unknown"};

std::vector<QueryParam> WithPaging(std::vector<QueryParam> params) {
  for (auto& p : PagingParams()) params.push_back(std::move(p));
  return params;
}

bool Contains(const std::string& text, const std::string* part) {
  return !part || text.find(*part) != std::string::npos;
}
bool Equals(const std::string& value, const std::string* wanted) {
  return !wanted || value == *wanted;
}

// resource_type matches whole leading URN segments: ":storage" takes ":storage:filesystem".
bool TypeMatches(const std::string& type, const std::string* wanted) {
  return !wanted || type == *wanted || type.rfind(*wanted + ":", 0) == 0;
}

// capability values are allocation units: a resource whose capabilities count in any of them.
bool HasCapability(const ResourceItem& r, const std::vector<std::string>& units) {
  if (units.empty()) return true;
  for (const auto& id : r.capabilities)
    if (const CapabilityDef* c = FindCapability(id))
      for (const char* unit : c->units)
        for (const auto& u : units)
          if (u == unit) return true;
  return false;
}

template <typename Item>
http::Response ListJson(std::vector<const Item*> items, const QueryValues& q) {
  json::array out;
  for (const Item* i : Page(std::move(items), q)) out.push_back(i->body);
  return http::Response::Json(std::move(out));
}

StatusModel Model(IriContext& ctx, const http::Request& req) {
  return BuildStatusModel(*ctx.status.Snapshot(), BaseUrl(req, ctx.server),
                          ctx.facility.site.short_name, Now());
}

}  // namespace

std::vector<json::object> ResourcesWith(IriContext& ctx, const http::Request& req,
                                        const std::string& endpoint) {
  std::vector<json::object> out;
  for (const auto& r : Model(ctx, req).resources)
    for (const auto& e : r.body.at("supported_endpoints").as_array())
      if (e.as_string() == endpoint) out.push_back(r.body);
  return out;
}

void AddStatusRoutes(IriContext& ctx) {
  const std::string tag = "status";
  AddRoute(
      ctx, Access::kPublic,
      {.method = "GET",
       .path = "/status/resources",
       .operation_id = "getResources",
       .tag = tag,
       .summary = "The facility's resources (its systems) and their status",
       .query = WithPaging(
           {Text("name", "Resources of this name"),
            Text("description", "Resources whose description contains this"),
            Text("group", "Resources of this group (compute, filesystem, storage, service)"),
            ModifiedSinceParam(),
            {.name = "resource_type",
             .description = "Resources of this type or a narrower one (a URN prefix by segments)",
             .min_length = 15,
             .pattern = kUrnPattern},
            Enum("current_status", kStatuses, "Resources in this status"),
            {.name = "capability",
             .description = "Resources whose allocations count in any of these units",
             .min_length = 24,
             .pattern = kUrnPattern,
             .repeatable = true}}),
       .answer = ListOf("Resource"),
       .handler = [&ctx](http::Request& req, const QueryValues& q) {
         StatusModel m = Model(ctx, req);
         std::vector<const ResourceItem*> kept;
         for (const auto& r : m.resources)
           if (Equals(r.name, q.Get("name")) && Contains(r.description, q.Get("description")) &&
               Equals(r.group, q.Get("group")) && ChangedSince(q, r.last_modified) &&
               TypeMatches(r.resource_type, q.Get("resource_type")) &&
               Equals(r.current_status, q.Get("current_status")) &&
               HasCapability(r, q.All("capability")))
             kept.push_back(&r);
         return ListJson(std::move(kept), q);
       }});
  AddRoute(ctx, Access::kPublic,
           {.method = "GET",
            .path = "/status/resources/{resource_id}",
            .operation_id = "getResource",
            .tag = tag,
            .summary = "One resource",
            .path_params = {{"resource_id", "The resource's id (a system's name)"}},
            .answer = SchemaRef("Resource"),
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              StatusModel m = Model(ctx, req);
              for (const auto& r : m.resources)
                if (r.id == req.PathParam("resource_id")) return http::Response::Json(r.body);
              return Problem(req, 404, "no resource '" + req.PathParam("resource_id") + "'");
            }});
  AddRoute(ctx, Access::kPublic,
           {.method = "GET",
            .path = "/status/incidents",
            .operation_id = "getIncidents",
            .tag = tag,
            .summary = "Incidents (sfapid's outages), past, current and planned",
            .query = WithPaging(
                {Text("name", "Incidents of this name"),
                 Text("description", "Incidents whose description contains this"),
                 Enum("status", kStatuses, "Incidents with this status"),
                 Enum("type", {"planned", "unplanned", "reservation"}, "Incidents of this type"),
                 Time("from", "Incidents that start at or after this time"),
                 Time("time", "Incidents under way at this time"),
                 Time("to", "Incidents that end before this time"), ModifiedSinceParam(),
                 Text("resource_id", "Incidents affecting this resource"),
                 Enum("resolution", {"unresolved", "cancelled", "completed", "extended", "pending"},
                      "Incidents with this resolution")}),
            .answer = ListOf("Incident"),
            .handler = [&ctx](http::Request& req, const QueryValues& q) {
              StatusModel m = Model(ctx, req);
              const auto from = q.Time("from"), time = q.Time("time"), to = q.Time("to");
              const std::string* resource = q.Get("resource_id");
              std::vector<const IncidentItem*> kept;
              for (const auto& i : m.incidents) {
                if (!Equals(i.name, q.Get("name")) ||
                    !Contains(i.description, q.Get("description")) ||
                    !Equals(i.status, q.Get("status")) || !Equals(i.type, q.Get("type")) ||
                    !Equals(i.resolution, q.Get("resolution")) || !ChangedSince(q, i.last_modified))
                  continue;
                if (resource && std::find(i.resources.begin(), i.resources.end(), *resource) ==
                                    i.resources.end())
                  continue;
                if (from && i.start < *from) continue;
                if (to && (!i.end || *i.end >= *to)) continue;
                if (time && (i.start > *time || (i.end && *i.end <= *time))) continue;
                kept.push_back(&i);
              }
              return ListJson(std::move(kept), q);
            }});
  AddRoute(ctx, Access::kPublic,
           {.method = "GET",
            .path = "/status/incidents/{incident_id}",
            .operation_id = "getIncident",
            .tag = tag,
            .summary = "One incident",
            .path_params = {{"incident_id", "The incident's id"}},
            .answer = SchemaRef("Incident"),
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              StatusModel m = Model(ctx, req);
              for (const auto& i : m.incidents)
                if (i.id == req.PathParam("incident_id")) return http::Response::Json(i.body);
              return Problem(req, 404, "no incident '" + req.PathParam("incident_id") + "'");
            }});
  AddRoute(ctx, Access::kPublic,
           {.method = "GET",
            .path = "/status/events",
            .operation_id = "getEventsByIncident",
            .tag = tag,
            .summary = "Events: what happened to the resources, with or without an incident",
            .query = WithPaging({Text("incident_id", "Events of this incident"),
                                 Text("resource_id", "Events of this resource"),
                                 Text("name", "Events of this name"),
                                 Text("description", "Events whose description contains this"),
                                 Enum("status", kStatuses, "Events that set this status"),
                                 Time("from", "Events at or after this time"),
                                 Time("time", "Events at exactly this time"),
                                 Time("to", "Events before this time"), ModifiedSinceParam()}),
            .answer = ListOf("Event"),
            .handler = [&ctx](http::Request& req, const QueryValues& q) {
              StatusModel m = Model(ctx, req);
              const auto from = q.Time("from"), time = q.Time("time"), to = q.Time("to");
              std::vector<const EventItem*> kept;
              for (const auto& e : m.events) {
                if (!Equals(e.incident, q.Get("incident_id")) ||
                    !Equals(e.resource, q.Get("resource_id")) || !Equals(e.name, q.Get("name")) ||
                    !Contains(e.description, q.Get("description")) ||
                    !Equals(e.status, q.Get("status")) || !ChangedSince(q, e.last_modified))
                  continue;
                if ((from && e.occurred_at < *from) || (to && e.occurred_at >= *to) ||
                    (time && e.occurred_at != *time))
                  continue;
                kept.push_back(&e);
              }
              return ListJson(std::move(kept), q);
            }});
  AddRoute(ctx, Access::kPublic,
           {.method = "GET",
            .path = "/status/events/{event_id}",
            .operation_id = "getEventByIncident",
            .tag = tag,
            .summary = "One event",
            .path_params = {{"event_id", "The event's id"}},
            .answer = SchemaRef("Event"),
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              StatusModel m = Model(ctx, req);
              for (const auto& e : m.events)
                if (e.id == req.PathParam("event_id")) return http::Response::Json(e.body);
              return Problem(req, 404, "no event '" + req.PathParam("event_id") + "'");
            }});
}

}  // namespace sfapid::iri
