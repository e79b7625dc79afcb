// A job the queue shows but Slurm's accounting does not have yet, in sacct's shape: slurmdbd
// learns of a new job seconds after sbatch returns, and the SFAPI promises that a user's own
// submission is in what they read next, in either view.
#pragma once

#include <string>

#include "backends/scheduler/scheduler.h"

namespace sfapid::slurm {

// The sacct row (every field of spec §3) Slurm will record for this pending or running squeue
// row, as far as the queue knows it; accounting-only fields (energy, I/O, CPU use) are empty.
JobRow SacctRowFromQueue(const JobRow& queue_row, const std::string& cluster);

}  // namespace sfapid::slurm
