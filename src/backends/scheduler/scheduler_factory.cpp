#include "backends/scheduler/local/local_scheduler.h"
#include "backends/scheduler/scheduler.h"
#include "backends/scheduler/slurm/slurm_scheduler.h"

namespace sfapid {

Result<std::unique_ptr<Scheduler>> MakeScheduler(const SystemConfig& system,
                                                 const std::string& spool, RunAs& runas,
                                                 const SchedulerPeers& peers) {
  if (system.scheduler.backend == "local")
    return std::unique_ptr<Scheduler>(new LocalScheduler(system, spool));
  if (system.scheduler.backend == "slurm")
    return std::unique_ptr<Scheduler>(new SlurmScheduler(system, runas, spool, peers));
  return Status::InvalidArgument("system '" + system.name + "': unknown scheduler backend '" +
                                 system.scheduler.backend + "'");
}

}  // namespace sfapid
