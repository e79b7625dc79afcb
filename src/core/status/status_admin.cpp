#include "core/status/status_admin.h"

#include "core/status/status_service.h"

namespace sfapid {

Status StatusAdmin::KnownSystem(const std::string& name) const {
  if (FindSystem(systems_, name)) return Status::Ok();
  std::string known;
  for (const auto& s : systems_) known += (known.empty() ? "" : ", ") + s.name;
  return Status::NotFound("unknown system '" + name + "'; known systems: " + known);
}

Status StatusAdmin::SetStatus(const std::string& system, const std::string& status,
                              const std::string& description, const std::string& note) {
  if (Status s = KnownSystem(system); !s.ok()) return s;
  if (!IsValidSystemStatus(status))
    return Status::InvalidArgument("status '" + status +
                                   "' must be active, degraded, unavailable or other");
  const TimePoint now = Now();
  if (Status s = store_.SetStatus({system, status, description, now}); !s.ok()) return s;
  if (note.empty()) return Status::Ok();
  auto id = store_.AddNote({0, system, note, true, now});
  return id ? Status::Ok() : id.status();
}

Result<std::vector<StatusAdmin::SystemStatus>> StatusAdmin::Statuses() {
  auto set = store_.ListStatuses();
  if (!set) return set.status();
  std::vector<SystemStatus> out;
  for (const auto& system : systems_) {
    SystemStatus s{system.name, "active", "", std::nullopt};
    for (const auto& r : *set)
      if (r.name == system.name) s = {r.name, r.status, r.description, r.updated_at};
    out.push_back(std::move(s));
  }
  return out;
}

Status StatusAdmin::ClearStatus(const std::string& system) {
  if (Status s = KnownSystem(system); !s.ok()) return s;
  return store_.ClearStatus(system);
}

Result<int64_t> StatusAdmin::AddOutage(const OutageRecord& outage) {
  if (Status s = KnownSystem(outage.name); !s.ok()) return s;
  if (outage.end_at < outage.start_at)
    return Status::InvalidArgument("an outage must not end before it starts");
  return store_.AddOutage(outage);
}

Result<std::vector<OutageRecord>> StatusAdmin::Outages(const std::string& system) {
  if (!system.empty())
    if (Status s = KnownSystem(system); !s.ok()) return s;
  return store_.ListOutages(system);
}

Status StatusAdmin::RemoveOutage(int64_t id) { return store_.RemoveOutage(id); }

Result<int64_t> StatusAdmin::AddNote(const std::string& system, const std::string& text,
                                     bool active) {
  if (Status s = KnownSystem(system); !s.ok()) return s;
  if (text.empty()) return Status::InvalidArgument("the note text must not be empty");
  return store_.AddNote({0, system, text, active, Now()});
}

Result<std::vector<NoteRecord>> StatusAdmin::Notes(const std::string& system) {
  if (!system.empty())
    if (Status s = KnownSystem(system); !s.ok()) return s;
  return store_.ListNotes(system);
}

Status StatusAdmin::RemoveNote(int64_t id) { return store_.RemoveNote(id); }

}  // namespace sfapid
