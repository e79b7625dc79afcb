// Keeps a flood of similar log lines (refused token requests) from filling the log: at most
// `per_second` lines pass each second; the rest are counted and the count is reported by the next
// line that passes.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace sfapid {

class LogSampler {
 public:
  explicit LogSampler(int per_second) : per_second_(per_second) {}

  // Whether this line may be written; `suppressed` is set to how many were dropped before it.
  bool Allow(int64_t& suppressed) {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (now - second_ >= std::chrono::seconds(1)) {
      second_ = now;
      passed_ = 0;
    }
    if (per_second_ > 0 && passed_ >= per_second_) {
      ++dropped_;
      return false;
    }
    ++passed_;
    suppressed = dropped_;
    dropped_ = 0;
    return true;
  }

 private:
  const int per_second_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point second_{};
  int passed_ = 0;
  int64_t dropped_ = 0;
};

}  // namespace sfapid
