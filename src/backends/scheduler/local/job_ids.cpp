#include "backends/scheduler/local/job_ids.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace sfapid::local {

std::vector<LocalJob*> ResolveJobId(JobMap& jobs, std::string_view jobid) {
  std::vector<LocalJob*> out;
  const size_t us = jobid.find('_');
  const std::string_view main = jobid.substr(0, us);
  if (main.empty() || main.size() > 18 || !std::all_of(main.begin(), main.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      }))
    return out;
  const int64_t id = std::stoll(std::string(main));
  if (us != std::string_view::npos) {
    const std::string_view task = jobid.substr(us + 1);
    for (auto it = jobs.find(id); it != jobs.end() && it->second.array_job_id == id; ++it)
      if (std::to_string(it->second.array_task_id) == task) out.push_back(&it->second);
    return out;
  }
  auto it = jobs.find(id);
  if (it == jobs.end()) return out;
  if (it->second.array_job_id != id) {
    out.push_back(&it->second);
    return out;
  }
  for (; it != jobs.end() && it->second.array_job_id == id; ++it) out.push_back(&it->second);
  return out;
}

std::vector<const LocalJob*> ResolveJobId(const JobMap& jobs, std::string_view jobid) {
  // The same walk; the map is not changed through the pointers it hands back.
  const std::vector<LocalJob*> found = ResolveJobId(const_cast<JobMap&>(jobs), jobid);
  return {found.begin(), found.end()};
}

}  // namespace sfapid::local
