#include "backends/scheduler/local/job_end_report.h"

#include "backends/scheduler/local/job_rows.h"

namespace sfapid::local {

FinishedJob Finished(const LocalJob& job, const std::string& cluster) {
  FinishedJob f{cluster,
                job.DisplayId(),
                job.user,
                job.account,
                std::string(JobStateName(job.state)),
                ExitCode(job),
                job.submit_time,
                job.start_time,
                job.end_time,
                job.nodes};
  f.reservation = job.reservation;
  return f;
}

std::vector<FinishedJob> EndReports(const JobMap& jobs, const std::set<int64_t>& ended,
                                    const std::string& cluster) {
  std::vector<FinishedJob> reports;
  std::set<int64_t> arrays;
  for (int64_t id : ended) {
    const LocalJob& job = jobs.at(id);
    reports.push_back(Finished(job, cluster));
    if (job.array_job_id != 0) arrays.insert(job.array_job_id);
  }
  // Its state is the first task's that did not complete (SummariseArray).
  for (int64_t array : arrays) {
    std::vector<FinishedJob> tasks;
    bool all_ended = true;
    for (auto it = jobs.find(array); it != jobs.end() && it->second.array_job_id == array; ++it) {
      const LocalJob& t = it->second;
      all_ended &= t.Ended() && t.supervisor == 0;
      tasks.push_back(Finished(t, cluster));
    }
    if (all_ended) reports.push_back(SummariseArray(std::to_string(array), tasks));
  }
  return reports;
}

}  // namespace sfapid::local
