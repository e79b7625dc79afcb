// The Slurm jobs submitted through sfapid that have not ended yet, watched until accounting has
// their final state so that callbacks and usage hear of each (backends/scheduler/slurm/
// job_watcher.h). Kept in the store: a job submitted through one node is reported by whichever
// node is alive when it ends, and the list survives restarts and crashes with the store's own
// durability.
//
// Declared here because the store implements it and the scheduler backends use it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace sfapid {

struct WatchedJob {
  std::string jobid;
  std::string user;         // the API user who submitted it
  int64_t submitted = 0;    // Unix seconds
  std::string reservation;  // #SBATCH --reservation of its script ("" = none)
  // The states last reported to the event stream, "jobid=STATE" joined by ';' (an array has a
  // pair per task or pending range the queue shows; neither '=' nor ';' is in a job id).
  std::string states;
};

class WatchedJobs {
 public:
  virtual ~WatchedJobs() = default;
  // Starts watching a job of `cluster` (the same id again replaces the record).
  virtual Status Watch(const std::string& cluster, const WatchedJob& job) = 0;
  // Every job of `cluster` being watched, by job id.
  virtual Result<std::vector<WatchedJob>> Watched(const std::string& cluster) = 0;
  // Stops watching these jobs of `cluster`, all or none.
  virtual Status Forget(const std::string& cluster, const std::vector<std::string>& jobids) = 0;
};

}  // namespace sfapid
