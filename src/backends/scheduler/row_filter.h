// kwargs filters (spec §3), one meaning for every scheduler backend: jobid (comma list; an array's
// id matches its tasks, a task's raw id matches that task), user (comma list of Unix user names or
// uids, as `squeue -u` takes them), partition, state (full or short names), name (sacct: the
// job name), account, and any other name as an exact match on that output field. Every filter
// given must hold.
//
// A backend whose rows come ready-made (Slurm) matches rows; one that renders rows from its own
// records (the local scheduler) answers the fields the filter asks for through a FieldReader, so
// that rows are only rendered for jobs that pass.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/scheduler/scheduler.h"

namespace sfapid {

class RowFilter {
 public:
  // A job's value of an output field ("" when it has none). Beyond the row's own fields the
  // filter asks for "jobidraw" in both views: the job's own id, which squeue matches with -j.
  using FieldReader = std::function<std::string(std::string_view field)>;

  explicit RowFilter(const std::vector<JobFilter>& filters, bool sacct);
  bool Matches(const JobRow& row) const;
  bool Matches(const FieldReader& field) const;

  // The ids the jobid filters name (every one), for a backend that looks jobs up by id before
  // matching; empty when no jobid filter is given.
  const std::vector<std::string>& job_ids() const { return job_ids_; }
  bool has_job_ids() const { return has_job_ids_; }

 private:
  enum class Kind { kJobId, kUser, kState, kField };
  struct Rule {
    Kind kind = Kind::kField;
    std::string field;
    std::vector<std::string> values;  // any of
  };
  std::vector<Rule> rules_;
  std::vector<std::string> job_ids_;
  bool has_job_ids_ = false;
};

}  // namespace sfapid
