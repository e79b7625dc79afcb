// The local scheduler's jobs as squeue and sacct print them (spec §3): every field, every value a
// string, in Slurm's formats.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backends/scheduler/local/local_job.h"
#include "backends/scheduler/scheduler.h"

namespace sfapid::local {

struct ClusterView {
  std::string cluster;                  // the system's name
  std::vector<std::string> node_names;  // by node id
  int64_t now = 0;
};

JobRow SqueueRow(const LocalJob& job, const ClusterView& view);
JobRow SacctRow(const LocalJob& job, const ClusterView& view);

// "nid001" or "nid[001-002]".
std::string NodeList(const LocalJob& job, const ClusterView& view);
// sacct's state: "CANCELLED by 1001" for a cancelled job, otherwise the state.
std::string SacctState(const LocalJob& job);
// "3:0": exit code and signal.
std::string ExitCode(const LocalJob& job);

// Expands an --output/--error pattern (%j %x %u %A %a %N %n %t %s %%) into a path, relative paths
// against the job's working folder.
std::string ExpandOutputPattern(const std::string& pattern, const LocalJob& job,
                                const std::string& node_name);

}  // namespace sfapid::local
