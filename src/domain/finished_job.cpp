#include "domain/finished_job.h"

#include <algorithm>

#include "domain/job_state.h"

namespace sfapid {

FinishedJob SummariseArray(const std::string& array_id, const std::vector<FinishedJob>& tasks) {
  FinishedJob sum;
  sum.jobid = array_id;
  sum.state = JobStateName(JobState::kCompleted);
  sum.exit_code = "0:0";
  sum.array_summary = true;
  for (const FinishedJob& t : tasks) {
    sum.system = t.system;
    sum.user = t.user;
    sum.account = t.account;
    sum.nodes = t.nodes;
    if (ParseJobState(t.state) != JobState::kCompleted &&
        ParseJobState(sum.state) == JobState::kCompleted) {
      sum.state = t.state;
      sum.exit_code = t.exit_code;
    }
    if (sum.submit_time == 0 || (t.submit_time > 0 && t.submit_time < sum.submit_time))
      sum.submit_time = t.submit_time;
    if (t.start_time > 0 && (sum.start_time == 0 || t.start_time < sum.start_time))
      sum.start_time = t.start_time;
    sum.end_time = std::max(sum.end_time, t.end_time);
  }
  return sum;
}

}  // namespace sfapid
