// Turns a submitted script into the local scheduler's jobs, as sbatch and slurmctld would: the
// script's directives resolved against the system's defaults (partition, account, time limit,
// output files), refused in Slurm's words when the cluster could never run it, and one job per
// task of an array. Ids are given later, by the scheduler, when it stores them.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/scheduler/local/local_job.h"
#include "backends/scheduler/local/node_pool.h"
#include "backends/scheduler/scheduler.h"
#include "config/config.h"
#include "util/status.h"

namespace sfapid::local {

class JobFactory {
 public:
  // Both are kept by reference and outlive the factory (the scheduler owns all three).
  JobFactory(const SchedulerConfig& config, const NodePool& nodes);

  // The job (one per array task, in task order), or sbatch's error as InvalidArgument.
  Result<std::vector<LocalJob>> Make(const JobScript& script, int64_t now) const;
  // Applies the changes to a job as `scontrol update` would, under the limits a submission
  // meets. When the job could then never run it is unchanged, and the answer is scontrol's:
  // PermissionDenied for a time limit past the partition's ("Access/permission denied for job
  // <id>"), else InvalidArgument ("Invalid partition name specified for job <id>"). Whether the
  // job may change at all (its state, its owner) is the caller's to say.
  Status Change(LocalJob& job, const JobChanges& changes) const;

 private:
  // Why the cluster could never run the job, in Slurm's words, or "" when it could.
  std::string Unfit(const LocalJob& job) const;

  const SchedulerConfig& config_;
  const NodePool& nodes_;
  int64_t default_time_ = 3600, max_time_ = 2 * 86400;  // seconds, from config_'s text
};

// As Slurm: a dependency on a job it does not know (long gone, or never was) is dropped, not an
// error; squeue then shows only the dependencies that remain. `jobs` are one submission's.
void DropUnknownDependencies(std::vector<LocalJob>& jobs, const JobMap& known);

// "sbatch: error: <text>", as InvalidArgument.
Status SbatchError(const std::string& text);

}  // namespace sfapid::local
