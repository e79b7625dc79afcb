// Slurm's MaxSubmitJobs for the local scheduler: a user's pending and running jobs, each array
// task counted, may not pass the limit with a new submission.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <set>

#include "backends/scheduler/local/local_job.h"
#include "util/status.h"

namespace sfapid::local {

// Ok when `uid` may add `adding` jobs to those of `active` (ids in `jobs`) that have not ended;
// otherwise sbatch's AssocMaxSubmitJobLimit error. A limit of 0 or less is no limit.
Status CheckSubmitLimit(int limit, const JobMap& jobs, const std::set<int64_t>& active, uid_t uid,
                        size_t adding);

}  // namespace sfapid::local
