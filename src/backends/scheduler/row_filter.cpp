#include "backends/scheduler/row_filter.h"

#include <algorithm>

#include "backends/scheduler/job_fields.h"
#include "util/split.h"

namespace sfapid {

RowFilter::RowFilter(const std::vector<JobFilter>& filters, bool sacct) {
  for (const auto& f : filters) {
    Rule r;
    r.field = f.name;
    if (f.name == "jobid" || f.name == "user" || f.name == "partition" || f.name == "state" ||
        f.name == "name" || f.name == "account")
      r.values = SplitList(f.value);
    else
      r.values = {f.value};
    if (f.name == "name" && sacct) r.field = "jobname";
    r.is_jobid = f.name == "jobid";
    r.is_state = f.name == "state";
    if (r.is_state)
      for (auto& v : r.values)
        if (auto n = slurm::NormalizeState(v); !n.empty()) v = std::string(n);
    rules_.push_back(std::move(r));
  }
}

bool RowFilter::Matches(const JobRow& row) const {
  for (const auto& r : rules_) {
    bool any = false;
    if (r.is_jobid) {
      const std::string id = RowField(row, "jobid"), raw = RowField(row, "jobidraw"),
                        array = RowField(row, "array_job_id");
      const std::string array_of = id.substr(0, id.find('_'));
      for (const auto& v : r.values)
        any |= v == id || v == raw || (id.find('_') != std::string::npos && v == array_of) ||
               (!array.empty() && v == array && id.find('_') != std::string::npos);
    } else if (r.is_state) {
      std::string state = RowField(row, "state");
      state = state.substr(0, state.find(' '));  // "CANCELLED by 1008"
      any = std::find(r.values.begin(), r.values.end(), state) != r.values.end();
    } else {
      any = std::find(r.values.begin(), r.values.end(), RowField(row, r.field)) != r.values.end();
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace sfapid
