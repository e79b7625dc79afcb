// Rows of Slurm's queue (squeue) and accounting (sacct) as the Slurm backend keeps them in its
// snapshots: each row's fields and its JSON, serialised once when the snapshot is taken.
#pragma once

#include <string>
#include <vector>

#include "backends/scheduler/scheduler.h"
#include "backends/scheduler/slurm/queue_to_sacct.h"

namespace sfapid::slurm {

struct Row {
  JobRow fields;
  SerializedRow json;
  // Queue rows: what sacct shows that squeue's fields lack (see queue_to_sacct.h).
  QueueOnly queue_only;
};
using Rows = std::vector<Row>;

// Rows with their JSON.
Rows WithJson(std::vector<JobRow> rows);
// In the API's order (JobIdLess), stable.
void SortByJobId(Rows& rows);
void SortByJobId(std::vector<JobRow>& rows);
// The rows of job `id`: the job itself or, for an array, every task ("12" -> "12_0", "12_1").
std::vector<const JobRow*> RowsOfJob(const Rows& rows, const std::string& id);
// A row's state without sacct's " by <uid>".
std::string RowState(const JobRow& row);

}  // namespace sfapid::slurm
