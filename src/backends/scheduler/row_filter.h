// kwargs filters (spec §3) applied to rendered rows, for backends whose rows come ready-made
// (Slurm): jobid (comma list; an array's id matches its tasks), user, partition, state (full or
// short names), name, account, and any other name as an exact match on that field.
#pragma once

#include <vector>

#include "backends/scheduler/scheduler.h"

namespace sfapid {

class RowFilter {
 public:
  explicit RowFilter(const std::vector<JobFilter>& filters, bool sacct);
  bool Matches(const JobRow& row) const;

 private:
  struct Rule {
    std::string field;
    std::vector<std::string> values;  // any of
    bool is_jobid = false, is_state = false;
  };
  std::vector<Rule> rules_;
};

}  // namespace sfapid
