// "At most once per interval" for housekeeping that rides on requests (pruning old tasks or audit
// rows): the first call is due, then one call per interval; cheap enough for every request.
#pragma once

#include <chrono>
#include <mutex>

namespace sfapid {

class IntervalGate {
 public:
  explicit IntervalGate(std::chrono::steady_clock::duration interval) : interval_(interval) {}

  // True for the first call, then for the first call after each interval has passed.
  bool Due() {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (opened_ && now - last_ < interval_) return false;
    opened_ = true;
    last_ = now;
    return true;
  }

 private:
  const std::chrono::steady_clock::duration interval_;
  std::mutex mu_;
  bool opened_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace sfapid
