// The batch scheduler behind a compute system. The local scheduler (embedded default) and Slurm
// implement it; services never know which one they talk to. Job submission, queue and accounting
// arrive with the compute issue; health is what the status service needs now.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "util/status.h"

namespace sfapid {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // "local" or "slurm": for messages.
  virtual std::string backend_name() const = 0;
  // Does the scheduler answer? A failure says why, for the system's status note.
  virtual Status Health() = 0;
};

// The scheduler a compute system's config names.
Result<std::unique_ptr<Scheduler>> MakeScheduler(const SystemConfig& system, const Config& config);

}  // namespace sfapid
