// sfapid's status as the IRI status tag sees it (docs/iri.md "Status"): each configured system is
// a Resource; each outage an Incident; Events are what happened to a resource — an outage's start
// and end once they are past, each operator note, and the system's current status since it was
// set. Built per request from the status service's snapshot (ids are stable across requests).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/status/status_service.h"

namespace sfapid::iri {

// What the filters of getResources, getIncidents and getEventsByIncident read, beside the body.
struct ResourceItem {
  std::string id, name, description, group, resource_type, current_status;
  std::vector<std::string> capabilities;  // capability ids
  TimePoint last_modified;
  boost::json::object body;
};

struct IncidentItem {
  std::string id, name, description, status, type, resolution;
  std::vector<std::string> resources;
  TimePoint start, last_modified;
  std::optional<TimePoint> end;
  boost::json::object body;
};

struct EventItem {
  std::string id, name, description, status, resource, incident;  // incident "" = none
  TimePoint occurred_at, last_modified;
  boost::json::object body;
};

struct StatusModel {
  std::vector<ResourceItem> resources;  // in configuration order
  std::vector<IncidentItem> incidents;  // by id
  std::vector<EventItem> events;        // by time, then id
};

// base: the API's absolute base URL; site: the facility's one site's id.
StatusModel BuildStatusModel(const StatusSnapshot& snapshot, const std::string& base,
                             const std::string& site, TimePoint now);

// The spec's resource_type URN and supported endpoints of a system.
std::string ResourceType(SystemType type);
// The capability ids a system's allocations are counted in (account_model.h names them).
std::vector<std::string> CapabilitiesOf(SystemType type);

}  // namespace sfapid::iri
