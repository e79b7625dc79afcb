// A job the queue shows but Slurm's accounting does not have yet, in sacct's shape: slurmdbd
// learns of a new job seconds after sbatch returns, and the SFAPI promises that a user's own
// submission is in what they read next, in either view.
#pragma once

#include <string>

#include "backends/scheduler/scheduler.h"

namespace sfapid::slurm {

// What squeue --json knows of a job that squeue's fields do not show but sacct's do.
struct QueueOnly {
  std::string jobidraw;   // the job's own id: an array task's differs from "12_3"
  std::string exit_code;  // "code:signal", e.g. "3:0", "0:15"
};

// The sacct row (every field of spec §3) Slurm will record for this squeue row, as far as the
// queue knows it; accounting-only fields (energy, I/O, CPU use) are empty.
JobRow SacctRowFromQueue(const JobRow& queue_row, const std::string& cluster,
                         const QueueOnly& more = {});

}  // namespace sfapid::slurm
