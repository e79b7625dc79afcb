#include "backends/scheduler/local/submit_limit.h"

#include "backends/scheduler/local/job_factory.h"

namespace sfapid::local {

Status CheckSubmitLimit(int limit, const JobMap& jobs, const std::set<int64_t>& active, uid_t uid,
                        size_t adding) {
  if (limit <= 0) return Status::Ok();
  size_t live = 0;
  for (int64_t id : active) {
    const LocalJob& job = jobs.at(id);
    live += job.uid == uid && !job.Ended();
  }
  if (live + adding <= static_cast<size_t>(limit)) return Status::Ok();
  return SbatchError(
      "AssocMaxSubmitJobLimit\nsbatch: error: Batch job submission failed: Job violates "
      "accounting/QOS policy (job submit limit, user's size and/or time limits)");
}

}  // namespace sfapid::local
