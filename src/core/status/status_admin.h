// What operators say of systems (`sfapid status|outage|note`): statuses, outages and notes,
// checked — a known system, a valid status, an end not before its start — before they are stored.
// A running server's StatusService serves a change within status.refresh_interval_seconds.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "store/status_store.h"

namespace sfapid {

class StatusAdmin {
 public:
  StatusAdmin(const std::vector<SystemConfig>& systems, StatusStore& store)
      : systems_(systems), store_(store) {}

  // Sets a system's status (and, when `note` is not empty, adds it as an active note).
  Status SetStatus(const std::string& system, const std::string& status,
                   const std::string& description, const std::string& note);
  // Every configured system, in config order: the status an operator set, or "active" with no
  // updated_at when none was.
  struct SystemStatus {
    std::string name, status, description;
    std::optional<TimePoint> updated_at;
  };
  Result<std::vector<SystemStatus>> Statuses();
  // Forgets a system's set status: it is active again.
  Status ClearStatus(const std::string& system);

  // The outage's id. Its system must be known and its end not before its start.
  Result<int64_t> AddOutage(const OutageRecord& outage);
  // `system` empty: every system's.
  Result<std::vector<OutageRecord>> Outages(const std::string& system);
  Status RemoveOutage(int64_t id);

  // The note's id.
  Result<int64_t> AddNote(const std::string& system, const std::string& text, bool active);
  Result<std::vector<NoteRecord>> Notes(const std::string& system);
  Status RemoveNote(int64_t id);

 private:
  // NotFound naming the known systems.
  Status KnownSystem(const std::string& name) const;

  const std::vector<SystemConfig>& systems_;
  StatusStore& store_;
};

}  // namespace sfapid
