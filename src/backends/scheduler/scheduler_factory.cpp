#include "backends/scheduler/local/local_scheduler.h"
#include "backends/scheduler/scheduler.h"

namespace sfapid {

Result<std::unique_ptr<Scheduler>> MakeScheduler(const SystemConfig& system, const Config& config) {
  if (system.scheduler.backend == "local")
    return std::unique_ptr<Scheduler>(
        new LocalScheduler(system, config.DataPath(system.scheduler.spool_dir)));
  return Status::InvalidArgument("system '" + system.name + "': unknown scheduler backend '" +
                                 system.scheduler.backend + "'");
}

}  // namespace sfapid
