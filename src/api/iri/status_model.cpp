#include "api/iri/status_model.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <map>

#include "api/iri/account_model.h"
#include "api/iri/wire_time.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

// sfapid's system status words (active | degraded | unavailable | other) in the spec's Status.
std::string StatusWord(const std::string& sfapi_status) {
  if (sfapi_status == "active") return "up";
  if (sfapi_status == "degraded") return "degraded";
  if (sfapi_status == "unavailable") return "down";
  return "unknown";
}

// swo: will the system be off during the outage? "true" down, "degr" degraded, "fals" up.
std::string OutageStatus(const OutageRecord& o) {
  if (o.swo == "true") return "down";
  if (o.swo == "degr") return "degraded";
  return "up";
}

std::string Resolution(const OutageRecord& o, TimePoint now) {
  if (o.status == "Cancelled") return "cancelled";
  if (o.status == "Completed") return "completed";
  if (o.status == "Extended") return "extended";
  if (o.status == "Planned") return "pending";
  if (o.status == "Active") return "unresolved";
  if (now < o.start_at) return "pending";
  return now < o.end_at ? "unresolved" : "completed";
}

// Planned: announced before it began (its last change precedes its start), or marked so.
std::string IncidentType(const OutageRecord& o) {
  return o.status == "Planned" || o.update_at < o.start_at ? "planned" : "unplanned";
}

json::value OrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

std::string FirstLine(const std::string& text, size_t max) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > max) line = line.substr(0, max);
  return line;
}

json::array Uris(const std::string& base, const std::string& path,
                 const std::vector<std::string>& ids) {
  json::array out;
  for (const auto& id : ids) out.push_back(json::string(base + path + id));
  return out;
}

struct Builder {
  const std::string& base;
  const std::string& site;
  TimePoint now;
  StatusModel model;

  void AddEvent(EventItem e) {
    e.body = {{"id", e.id},
              {"name", e.name},
              {"description", e.description},
              {"last_modified", Timestamp(e.last_modified)},
              {"occurred_at", Timestamp(e.occurred_at)},
              {"status", e.status},
              {"self_uri", base + "/status/events/" + e.id},
              {"resource_uri", base + "/status/resources/" + e.resource},
              {"incident_uri", e.incident.empty()
                                   ? json::value(nullptr)
                                   : json::value(base + "/status/incidents/" + e.incident)}};
    model.events.push_back(std::move(e));
  }

  void AddOutage(const OutageRecord& o) {
    IncidentItem i;
    i.id = "outage-" + std::to_string(o.id);
    i.name = FirstLine(o.description.empty() ? o.name + " outage" : o.description, 120);
    i.description = o.notes.empty() ? o.description : o.description + "\n" + o.notes;
    i.status = OutageStatus(o);
    i.type = IncidentType(o);
    i.resolution = Resolution(o, now);
    i.resources = {o.name};
    i.start = o.start_at;
    i.end = o.end_at;
    i.last_modified = o.update_at;
    std::vector<std::string> event_ids;
    // What has happened of it: its start and end once they are past (a cancelled outage never
    // happened).
    if (i.resolution != "cancelled" && o.start_at <= now) {
      event_ids.push_back(i.id + "-start");
      AddEvent({.id = event_ids.back(),
                .name = i.name + ": started",
                .description = i.description,
                .status = i.status,
                .resource = o.name,
                .incident = i.id,
                .occurred_at = o.start_at,
                .last_modified = o.update_at});
      if (o.end_at <= now) {
        event_ids.push_back(i.id + "-end");
        AddEvent({.id = event_ids.back(),
                  .name = i.name + ": ended",
                  .description = i.description,
                  .status = "up",
                  .resource = o.name,
                  .incident = i.id,
                  .occurred_at = o.end_at,
                  .last_modified = o.update_at});
      }
    }
    i.body = {{"id", i.id},
              {"name", i.name},
              {"description", i.description},
              {"last_modified", Timestamp(i.last_modified)},
              {"status", i.status},
              {"start", Timestamp(i.start)},
              {"end", Timestamp(*i.end)},
              {"type", i.type},
              {"resolution", i.resolution},
              {"self_uri", base + "/status/incidents/" + i.id},
              {"event_uris", Uris(base, "/status/events/", event_ids)},
              {"resource_uris", Uris(base, "/status/resources/", i.resources)}};
    model.incidents.push_back(std::move(i));
  }

  void AddSystem(const SystemStatusView& v, const StatusSnapshot& snap) {
    const SystemConfig& s = *v.system;
    ResourceItem r;
    r.id = s.name;
    r.name = s.full_name.empty() ? s.name : s.full_name;
    r.description = s.description;
    r.group = ToString(s.system_type);
    r.resource_type = ResourceType(s.system_type);
    r.current_status = StatusWord(v.status);
    r.capabilities = CapabilitiesOf(s.system_type);
    r.last_modified = v.updated_at;
    for (const auto& o : snap.outages.at(s.name))
      r.last_modified = std::max(r.last_modified, o.update_at);
    for (const auto& n : snap.notes.at(s.name))
      r.last_modified = std::max(r.last_modified, n.timestamp);
    json::array endpoints;
    if (s.system_type == SystemType::kCompute) endpoints.push_back("compute");
    if (s.HasFiles()) endpoints.push_back("filesystem");
    r.body = {{"id", r.id},
              {"name", r.name},
              {"description", OrNull(r.description)},
              {"last_modified", Timestamp(r.last_modified)},
              {"group", r.group},
              {"current_status", r.current_status},
              {"resource_type", r.resource_type},
              {"supported_endpoints", std::move(endpoints)},
              {"self_uri", base + "/status/resources/" + r.id},
              {"site_uri", base + "/facility/sites/" + site},
              {"capability_uris", Uris(base, "/account/capabilities/", r.capabilities)}};
    // The status it has now, since the operator (or a probe) set it.
    AddEvent(
        {.id = "status-" + s.name + "-" + std::to_string(v.updated_at.time_since_epoch().count()),
         .name = r.name + " is " + r.current_status,
         .description = v.description,
         .status = r.current_status,
         .resource = s.name,
         .occurred_at = v.updated_at,
         .last_modified = v.updated_at});
    for (const auto& n : snap.notes.at(s.name))
      AddEvent({.id = "note-" + std::to_string(n.id),
                .name = FirstLine(n.notes, 120),
                .description = n.notes,
                .status = r.current_status,
                .resource = s.name,
                .occurred_at = n.timestamp,
                .last_modified = n.timestamp});
    model.resources.push_back(std::move(r));
  }
};

}  // namespace

std::string ResourceType(SystemType type) {
  switch (type) {
    case SystemType::kCompute:
      return "urn:doe-iri:resource:compute:system";
    case SystemType::kFilesystem:
      return "urn:doe-iri:resource:storage:filesystem";
    case SystemType::kStorage:
      return "urn:doe-iri:resource:storage:system";
    case SystemType::kService:
      return "urn:doe-iri:resource:service";
  }
  return "urn:doe-iri:resource:unknown";
}

StatusModel BuildStatusModel(const StatusSnapshot& snapshot, const std::string& base,
                             const std::string& site, TimePoint now) {
  Builder b{base, site, now, {}};
  for (const auto& v : snapshot.systems) b.AddSystem(v, snapshot);
  for (const auto& [system, outages] : snapshot.outages)
    for (const auto& o : outages) b.AddOutage(o);
  std::sort(b.model.incidents.begin(), b.model.incidents.end(), [](const auto& x, const auto& y) {
    return x.start < y.start || (x.start == y.start && x.id < y.id);
  });
  std::sort(b.model.events.begin(), b.model.events.end(), [](const auto& x, const auto& y) {
    return x.occurred_at < y.occurred_at || (x.occurred_at == y.occurred_at && x.id < y.id);
  });
  return std::move(b.model);
}

std::vector<std::string> CapabilitiesOf(SystemType type) {
  switch (type) {
    case SystemType::kCompute:
      return {"cpu", "gpu"};
    case SystemType::kFilesystem:
      return {"project-storage"};
    case SystemType::kStorage:
      return {"archive"};
    case SystemType::kService:
      return {};
  }
  return {};
}

}  // namespace sfapid::iri
