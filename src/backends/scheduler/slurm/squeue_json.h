// squeue --json (Slurm 22.05) read into the SFAPI's squeue rows (spec §3): every field of
// `squeue --format=%all`, each as squeue prints it, every value a string. JSON, because the text
// formats break on a '|' in a job name or comment (docs/slurm-test-cluster.md).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "backends/scheduler/scheduler.h"
#include "backends/scheduler/slurm/queue_to_sacct.h"

namespace sfapid::slurm {

struct SqueueJob {
  JobRow row;
  int64_t raw_id = 0;        // job_id
  int64_t array_job_id = 0;  // 0: not an array
  std::string user;          // user_name
  QueueOnly queue_only;      // job_id, and the wait status as sacct writes it ("3:0", "0:15")
};

// Every job of a `squeue --json` document; `now` for elapsed and remaining times. InvalidArgument
// when the document is not squeue's.
Result<std::vector<SqueueJob>> ParseSqueueJson(std::string_view text, int64_t now);

// One job object of that document as a row.
JobRow SqueueRowFromJson(const boost::json::object& job, int64_t now);

}  // namespace sfapid::slurm
