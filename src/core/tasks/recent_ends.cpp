#include "core/tasks/recent_ends.h"

namespace sfapid {

void RecentEnds::Add(const std::string& id, const std::string& owner, const std::string& status,
                     const std::string& result) {
  if (result.size() > kMaxResultBytes) return;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  ForgetOld(now);
  // A task ends once: the first end kept is the one stored.
  if (!ends_.try_emplace(id, End{owner, status, result, now}).second) return;
  order_.push_back(id);
  bytes_ += result.size();
  while (ends_.size() > max_kept_ || bytes_ > max_bytes_) ForgetOldest();
}

void RecentEnds::ForgetOldest() {
  if (auto it = ends_.find(order_.front()); it != ends_.end()) {
    bytes_ -= it->second.result.size();
    ends_.erase(it);
  }
  order_.pop_front();
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
    ForgetOldest();
  }
}

}  // namespace sfapid
