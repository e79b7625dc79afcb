// Why a pending job of the local scheduler may not start yet, in squeue's REASON words: held,
// waiting for its begin time, for the jobs it depends on, or for its array's %N throttle. Whether
// it fits on the nodes (Resources) is the scheduler's to find out.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "backends/scheduler/local/local_job.h"

namespace sfapid::local {

// "JobHeldUser", "BeginTime", "DependencyNeverSatisfied", "Dependency", "JobArrayTaskLimit", or
// "" when nothing but room holds it back. `array_running` counts each array's running tasks.
std::string PendingReason(const LocalJob& job, const JobMap& jobs,
                          const std::map<int64_t, int>& array_running, int64_t now);

}  // namespace sfapid::local
