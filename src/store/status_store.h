// Persistence of what operators say about their systems: status, outages and notes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"
#include "util/time_format.h"

namespace sfapid {

struct SystemStatusRecord {
  std::string name;
  std::string status;       // active | degraded | unavailable | other
  std::string description;  // empty: a description is derived from the status
  TimePoint updated_at;
};

struct OutageRecord {
  int64_t id = 0;
  std::string name;  // system
  TimePoint start_at;
  TimePoint end_at;
  std::string description;
  std::string notes;
  std::optional<std::string> status;  // Active | Cancelled | Completed | Extended | Planned
  std::string swo;                    // "true" | "degr" | "fals": will the system be off?
  TimePoint update_at;
};

struct NoteRecord {
  int64_t id = 0;
  std::string name;  // system
  std::string notes;
  bool active = true;
  TimePoint timestamp;
};

class StatusStore {
 public:
  virtual ~StatusStore() = default;

  virtual Result<std::vector<SystemStatusRecord>> ListStatuses() = 0;
  virtual Status SetStatus(const SystemStatusRecord& record) = 0;
  // Forgets what the operator said: the system is active again. NotFound when nothing was set.
  virtual Status ClearStatus(const std::string& name) = 0;

  // All systems' outages when name is empty. Ordered by start time.
  virtual Result<std::vector<OutageRecord>> ListOutages(const std::string& name) = 0;
  virtual Result<int64_t> AddOutage(const OutageRecord& record) = 0;
  virtual Status RemoveOutage(int64_t id) = 0;

  virtual Result<std::vector<NoteRecord>> ListNotes(const std::string& name) = 0;
  virtual Result<int64_t> AddNote(const NoteRecord& record) = 0;
  virtual Status RemoveNote(int64_t id) = 0;
};

}  // namespace sfapid
