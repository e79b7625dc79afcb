// The environment a local job's script starts with, as slurmd gives a batch script: a login-like
// base (HOME, SHELL, USER, LOGNAME, PATH; with --export=ALL, the default, also LANG), the
// NAME=value items of --export, and the SLURM_* variables scripts read (job id, name, submit
// folder, nodes, tasks, CPUs, memory, times, array task, SLURM_EXPORT_ENV). With --export=NONE
// the job gets only the login base and Slurm's variables.
#pragma once

#include <boost/json/array.hpp>
#include <cstdint>
#include <string>

#include "backends/scheduler/local/local_job.h"

namespace sfapid::local {

struct JobPlacement {
  std::string cluster;    // SLURM_CLUSTER_NAME
  std::string node;       // the first node: where the script runs (SLURMD_NODENAME)
  std::string node_list;  // every node, "nid[001-002]"
  int64_t start_time = 0;
};

// "NAME=value" strings for a job starting now on `where`.
boost::json::array JobEnvironment(const LocalJob& job, const JobPlacement& where);

}  // namespace sfapid::local
