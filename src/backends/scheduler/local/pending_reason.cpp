#include "backends/scheduler/local/pending_reason.h"

#include "backends/scheduler/local/job_ids.h"

namespace sfapid::local {

std::string PendingReason(const LocalJob& job, const JobMap& jobs,
                          const std::map<int64_t, int>& array_running, int64_t now) {
  if (job.held) return "JobHeldUser";
  if (job.begin_time > now) return "BeginTime";
  for (const auto& dep : job.dependencies) {
    bool waiting = false, never = false;
    for (const LocalJob* parent : ResolveJobId(jobs, dep.jobid)) {
      const bool ended = parent->Ended() && parent->supervisor == 0;
      if (dep.type == "after") {
        waiting |= parent->start_time == 0 && !ended;
      } else if (!ended) {
        waiting = true;
      } else if (dep.type == "afterok") {
        never |= parent->state != JobState::kCompleted;
      } else if (dep.type == "afternotok") {
        never |= parent->state == JobState::kCompleted;
      }
    }
    if (never) return "DependencyNeverSatisfied";
    if (waiting) return "Dependency";
  }
  if (job.array_job_id != 0 && job.array_max_running > 0) {
    auto it = array_running.find(job.array_job_id);
    if (it != array_running.end() && it->second >= job.array_max_running)
      return "JobArrayTaskLimit";
  }
  return "";
}

}  // namespace sfapid::local
