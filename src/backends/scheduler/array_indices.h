// Slurm's job array index expressions, as sbatch's --array takes them and as squeue prints the
// pending part of an array ("0-7:2,9%2": ranges, steps, lists, an optional "%N" throttle). Both
// schedulers read them: the local one from scripts, the Slurm one to list a pending array one task
// per row (as `squeue -r` does).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace sfapid {

struct ArrayIndices {
  std::vector<int64_t> indices;  // ascending, unique
  int max_running = 0;           // "%N"; 0 = no limit
};

// Slurm's default MaxArraySize is 1001: indices 0..1000.
inline constexpr int64_t kMaxArrayIndex = 1000;
// The largest MaxArraySize a Slurm cluster may set is 4000001.
inline constexpr int64_t kMaxSlurmArrayIndex = 4000000;

// The most tasks of one pending array record the Slurm backend lists one per row; a larger one
// stays one row ("12_[0-99999]"), as squeue shows it, so one user's array cannot make every
// snapshot huge.
inline constexpr size_t kMaxListedArrayTasks = 1001;

// InvalidArgument when `text` is not an index expression; NotFound when it is but names an index
// above `max_index` (sbatch words the two differently); Unavailable when it names more than
// `max_count` indices (checked before any is listed).
Result<ArrayIndices> ParseArrayIndices(std::string_view text, int64_t max_index = kMaxArrayIndex,
                                       size_t max_count = kMaxListedArrayTasks);

}  // namespace sfapid
