// `sacct -X -P --delimiter=<US> --format=ALL` (Slurm 22.05) read into the SFAPI's sacct rows (spec
// §3): exactly the spec's fields (a newer sacct's extra columns are dropped, missing ones empty),
// every value a string. The unit separator (0x1f) as delimiter cannot occur in names or comments,
// unlike sacct's default '|'.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "backends/scheduler/scheduler.h"

namespace sfapid::slurm {

inline constexpr char kSacctDelimiter = '\x1f';

// Rows of sacct's output (a header line, then one line per job). InvalidArgument when the header
// is not sacct's.
Result<std::vector<JobRow>> ParseSacctText(std::string_view text, char delimiter = kSacctDelimiter);

// sacct (22.05 has no --array) shows the tasks of an array that have not started as one row,
// "6_[0-2%2]": replaces each such row by one row per task ("6_0", "6_1", "6_2"), as the queue lists
// them. A row whose expression cannot be read is kept as it is.
void ListPendingArrayTasks(std::vector<JobRow>& rows);

}  // namespace sfapid::slurm
