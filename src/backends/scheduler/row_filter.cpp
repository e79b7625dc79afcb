#include "backends/scheduler/row_filter.h"

#include <algorithm>

#include "backends/scheduler/job_fields.h"
#include "util/split.h"

namespace sfapid {

namespace {

bool Contains(const std::vector<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace

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
    if (f.name == "jobid") {
      r.kind = Kind::kJobId;
      job_ids_.insert(job_ids_.end(), r.values.begin(), r.values.end());
      has_job_ids_ = true;
    } else if (f.name == "user") {
      r.kind = Kind::kUser;
    } else if (f.name == "state") {
      r.kind = Kind::kState;
      for (auto& v : r.values)
        if (auto n = slurm::NormalizeState(v); !n.empty()) v = std::string(n);
    }
    rules_.push_back(std::move(r));
  }
}

bool RowFilter::Matches(const JobRow& row) const {
  return Matches([&row](std::string_view field) { return RowField(row, field); });
}

bool RowFilter::Matches(const FieldReader& field) const {
  for (const auto& r : rules_) {
    bool any = false;
    switch (r.kind) {
      case Kind::kJobId: {
        const std::string id = field("jobid"), raw = field("jobidraw"),
                          array = field("array_job_id");
        const bool task = id.find('_') != std::string::npos;
        const std::string array_of = id.substr(0, id.find('_'));
        for (const auto& v : r.values)
          any |= v == id || v == raw || (task && v == array_of) ||
                 (!array.empty() && v == array && task);
        break;
      }
      case Kind::kUser: {
        // squeue -u and sacct -u: a user name or a numeric uid.
        const std::string user = field("user"), uid = field("uid");
        for (const auto& v : r.values) any |= v == user || (!uid.empty() && v == uid);
        break;
      }
      case Kind::kState: {
        std::string state = field("state");
        state = state.substr(0, state.find(' '));  // "CANCELLED by 1008"
        any = Contains(r.values, state);
        break;
      }
      case Kind::kField:
        any = Contains(r.values, field(r.field));
        break;
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace sfapid
