// Which jobs a job id names, as squeue -j and scancel read it: "12" is job 12, or every task of
// array 12, or the task whose own (raw) id is 12; "12_3" is task 3 of array 12. Anything else
// (not digits, too long) names no job.
#pragma once

#include <string_view>
#include <vector>

#include "backends/scheduler/local/local_job.h"

namespace sfapid::local {

// In id order.
std::vector<LocalJob*> ResolveJobId(JobMap& jobs, std::string_view jobid);
std::vector<const LocalJob*> ResolveJobId(const JobMap& jobs, std::string_view jobid);

}  // namespace sfapid::local
