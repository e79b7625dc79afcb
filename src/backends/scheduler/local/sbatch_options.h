// What a batch script asks for, read from its #SBATCH lines the way sbatch reads them: directives
// up to the first command line, long and short forms, and sbatch's own error texts for what it
// would refuse. Options the local scheduler cannot honour on one machine are kept in `ignored`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/scheduler/array_indices.h"
#include "util/status.h"

namespace sfapid::local {

struct Dependency {
  std::string type;   // "after", "afterok", "afterany", "afternotok"
  std::string jobid;  // "123" (a whole array when 123 is one) or "123_4"
};

struct SbatchOptions {
  std::optional<std::string> name;
  std::optional<int64_t> time_limit;  // seconds, or slurm::kUnlimited
  std::optional<std::string> output, error, input, chdir, account, qos, partition, constraint,
      comment, reservation;
  bool append_output = false;  // --open-mode=append
  int nodes = 1;
  int ntasks = 1;
  bool nodes_set = false, ntasks_set = false;  // given, not defaulted (--ntasks-per-node's sums)
  int ntasks_per_node = 0;                     // 0: not asked
  int cpus_per_task = 1;
  bool exclusive = false;  // --exclusive in any form
  // --export as written ("ALL", "NONE", "ALL,A=1"); nullopt: not given (as ALL).
  std::optional<std::string> export_env;
  int64_t mem_mb = 0;  // 0: not asked (or --mem=0: the whole node)
  bool mem_whole_node = false;
  std::string dependency_text;
  std::vector<Dependency> dependencies;
  std::optional<ArrayIndices> array;
  std::string array_text;
  std::optional<int64_t> begin;  // Unix seconds
  bool hold = false;
  std::vector<std::string> ignored;  // e.g. "--mail-type=END", as written
};

// Reads the directives of a script. `now` anchors --begin. InvalidArgument carries the text sbatch
// prints (one or more "sbatch: error: ..." lines).
Result<SbatchOptions> ParseSbatchScript(std::string_view script, int64_t now);

}  // namespace sfapid::local
