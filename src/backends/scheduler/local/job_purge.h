// Forgetting old jobs, as slurmdbd's PurgeJobAfter: jobs that ended more than
// purge_jobs_after_days ago leave the local scheduler's records, an array once all its tasks have.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

#include "backends/scheduler/local/local_job.h"

namespace sfapid::local {

// When a purge pass is due: every tenth of the keeping time, at most every 10 minutes.
class PurgeSchedule {
 public:
  explicit PurgeSchedule(double keep_days) : keep_seconds_(keep_days * 86400) {}
  // Whether a pass should run now (it is then counted as run); never when nothing is purged.
  bool Due(int64_t now);
  // Whether Due would say yes (nothing counted).
  bool WouldRun(int64_t now) const;
  // The next call to Due says yes: the last pass stopped at its size limit.
  void RunAgainSoon() { last_ = 0; }
  // Jobs that ended before this are old enough to forget.
  int64_t Cutoff(int64_t now) const { return now - static_cast<int64_t>(keep_seconds_); }

 private:
  double keep_seconds_;
  int64_t last_ = 0;  // Unix seconds of the last pass; 0: none yet
};

// The ids (at most `max_ids`, whole arrays only) of jobs that ended for good before `cutoff` and
// whose end was reported. A job a job in `active` depends on is kept: forgetting it would turn a
// dependency that can never be satisfied (afterok on a failed job) into one that is (unknown jobs
// count as done).
std::vector<int64_t> PurgeableJobs(const JobMap& jobs, const std::set<int64_t>& active,
                                   int64_t cutoff, size_t max_ids);

}  // namespace sfapid::local
