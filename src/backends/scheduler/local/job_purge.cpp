#include "backends/scheduler/local/job_purge.h"

#include <algorithm>
#include <iterator>
#include <string>

namespace sfapid::local {

bool PurgeSchedule::WouldRun(int64_t now) const {
  if (keep_seconds_ <= 0) return false;
  const double every = std::min(600.0, keep_seconds_ / 10);
  return last_ == 0 || now - last_ >= every;
}

bool PurgeSchedule::Due(int64_t now) {
  if (!WouldRun(now)) return false;
  last_ = now;
  return true;
}

std::vector<int64_t> PurgeableJobs(const JobMap& jobs, const std::set<int64_t>& active,
                                   int64_t cutoff, size_t max_ids) {
  const auto gone = [&](const LocalJob& j) {
    return j.Ended() && j.supervisor == 0 && j.reported && j.end_time < cutoff;
  };
  std::set<std::string> depended_on;
  for (int64_t id : active)
    for (const auto& dep : jobs.at(id).dependencies)
      depended_on.insert(dep.jobid.substr(0, dep.jobid.find('_')));
  std::vector<int64_t> ids;
  for (auto it = jobs.begin(); it != jobs.end() && ids.size() < max_ids;) {
    // A job, or an array's tasks (contiguous ids), as one group.
    auto end = std::next(it);
    if (it->second.array_job_id != 0)
      while (end != jobs.end() && end->second.array_job_id == it->second.array_job_id) ++end;
    if (!depended_on.count(std::to_string(it->first)) &&
        std::all_of(it, end, [&](const auto& entry) { return gone(entry.second); }))
      for (auto j = it; j != end; ++j) ids.push_back(j->first);
    it = end;
  }
  return ids;
}

}  // namespace sfapid::local
