// The local scheduler's answer to a queue (squeue) or accounting (sacct) read: which of its jobs
// each view shows, filtered by the kwargs filter both backends share (row_filter.h), in id order,
// with index and limit applied after filtering.
#pragma once

#include <vector>

#include "backends/scheduler/local/job_rows.h"
#include "backends/scheduler/local/local_job.h"
#include "backends/scheduler/local/row_cache.h"
#include "backends/scheduler/scheduler.h"

namespace sfapid::local {

// `min_job_age_seconds`: how long an ended job stays in the queue view (Slurm's MinJobAge).
// `cache`: rows rendered at `stamp` are taken from it and those rendered here kept in it.
std::vector<SerializedRow> QueryJobs(const JobMap& jobs, const JobQuery& query,
                                     const ClusterView& view, double min_job_age_seconds,
                                     RowCache* cache = nullptr, RowStamp stamp = {});

}  // namespace sfapid::local
