// What the local scheduler tells the job-ended handler: each job that ended for good, and for an
// array whose last task just ended, one summary under the array's own id (as callbacks
// registered at submission know it).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "backends/scheduler/local/local_job.h"
#include "domain/finished_job.h"

namespace sfapid::local {

FinishedJob Finished(const LocalJob& job, const std::string& cluster);

// The reports for the jobs `ended` (ids in `jobs`), each then its arrays' summaries.
std::vector<FinishedJob> EndReports(const JobMap& jobs, const std::set<int64_t>& ended,
                                    const std::string& cluster);

}  // namespace sfapid::local
