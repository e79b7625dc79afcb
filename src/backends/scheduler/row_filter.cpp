#include "backends/scheduler/row_filter.h"

#include <algorithm>

#include "backends/scheduler/job_fields.h"

namespace sfapid {

namespace {

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = s.find(',', start);
    std::string item = s.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::string Get(const JobRow& row, const std::string& key) {
  const auto* v = row.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

RowFilter::RowFilter(const std::vector<JobFilter>& filters, bool sacct) {
  for (const auto& f : filters) {
    Rule r;
    r.field = f.name;
    if (f.name == "jobid" || f.name == "user" || f.name == "partition" || f.name == "state" ||
        f.name == "name" || f.name == "account")
      r.values = SplitComma(f.value);
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
      const std::string id = Get(row, "jobid"), raw = Get(row, "jobidraw"),
                        array = Get(row, "array_job_id");
      const std::string array_of = id.substr(0, id.find('_'));
      for (const auto& v : r.values)
        any |= v == id || v == raw || (id.find('_') != std::string::npos && v == array_of) ||
               (!array.empty() && v == array && id.find('_') != std::string::npos);
    } else if (r.is_state) {
      std::string state = Get(row, "state");
      state = state.substr(0, state.find(' '));  // "CANCELLED by 1008"
      any = std::find(r.values.begin(), r.values.end(), state) != r.values.end();
    } else {
      any = std::find(r.values.begin(), r.values.end(), Get(row, r.field)) != r.values.end();
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace sfapid
