#include "backends/scheduler/local/local_scheduler.h"
#include "backends/scheduler/owned_elsewhere.h"
#include "backends/scheduler/scheduler.h"
#include "backends/scheduler/slurm/slurm_scheduler.h"
#include "domain/scheduler_owners.h"

namespace sfapid {

Result<std::unique_ptr<Scheduler>> MakeScheduler(const SystemConfig& system,
                                                 const std::string& spool, RunAs& runas,
                                                 const SchedulerPeers& peers) {
  if (system.scheduler.backend == "local") {
    if (peers.owners) {
      auto owner = peers.owners->ClaimOwner(system.name, peers.node);
      if (!owner)
        return Status::Unavailable("cannot tell which sfapid node runs " + system.name +
                                   "'s local scheduler: " + owner.status().message());
      if (*owner != peers.node)
        return std::unique_ptr<Scheduler>(
            new OwnedElsewhereScheduler(system.name, *owner, peers.node));
    }
    return std::unique_ptr<Scheduler>(new LocalScheduler(system, spool));
  }
  if (system.scheduler.backend == "slurm") {
    if (!peers.watched)
      return Status::Internal("system '" + system.name +
                              "': the Slurm backend keeps its watched jobs in the store");
    return std::unique_ptr<Scheduler>(new SlurmScheduler(system, runas, spool, peers));
  }
  return Status::InvalidArgument("system '" + system.name + "': unknown scheduler backend '" +
                                 system.scheduler.backend + "'");
}

}  // namespace sfapid
