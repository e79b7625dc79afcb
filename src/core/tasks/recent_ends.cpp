#include "core/tasks/recent_ends.h"

namespace sfapid {

void RecentEnds::Add(const std::string& id, const std::string& owner, const std::string& status,
                     const std::string& result) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  ForgetOld(now);
  // A task ends once: the first end kept is the one stored.
  if (!ends_.try_emplace(id, End{owner, status, result, now}).second) return;
  order_.push_back(id);
  while (ends_.size() > max_kept_) {
    ends_.erase(order_.front());
    order_.pop_front();
  }
}

std::optional<TaskRecord> RecentEnds::Find(const std::string& id, const std::string& owner) {
  std::lock_guard lock(mu_);
  ForgetOld(std::chrono::steady_clock::now());
  auto it = ends_.find(id);
  if (it == ends_.end() || it->second.owner != owner) return std::nullopt;
  TaskRecord task;
  task.id = id;
  task.owner = owner;
  task.status = it->second.status;
  task.result = it->second.result;
  return task;
}

void RecentEnds::ForgetOld(std::chrono::steady_clock::time_point now) {
  while (!order_.empty()) {
    auto it = ends_.find(order_.front());
    if (it != ends_.end() && now - it->second.at < window_) return;
    if (it != ends_.end()) ends_.erase(it);
    order_.pop_front();
  }
}

}  // namespace sfapid
