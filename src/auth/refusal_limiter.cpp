#include "auth/refusal_limiter.h"

namespace sfapid {

namespace {
// Addresses remembered at once; beyond it, ended windows are forgotten first, then the oldest.
constexpr size_t kMaxAddresses = 65536;
}  // namespace

void RefusalLimiter::ForgetEnded(Clock::time_point now) {
  for (auto it = windows_.begin(); it != windows_.end();)
    it = now - it->second.start >= window_ ? windows_.erase(it) : std::next(it);
  while (windows_.size() >= kMaxAddresses) {
    auto oldest = windows_.begin();
    for (auto it = windows_.begin(); it != windows_.end(); ++it)
      if (it->second.start < oldest->second.start) oldest = it;
    windows_.erase(oldest);
  }
}

RefusalLimiter::Window& RefusalLimiter::Current(const std::string& address, Clock::time_point now) {
  auto it = windows_.find(address);
  if (it == windows_.end()) {
    if (windows_.size() >= kMaxAddresses) ForgetEnded(now);
    it = windows_.emplace(address, Window{now, 0}).first;
  } else if (now - it->second.start >= window_) {
    it->second = Window{now, 0};
  }
  return it->second;
}

int64_t RefusalLimiter::RetryAfterSeconds(const std::string& address, Clock::time_point now) {
  if (max_refusals_ <= 0) return 0;
  std::lock_guard lock(mu_);
  auto it = windows_.find(address);
  if (it == windows_.end() || it->second.refusals < max_refusals_) return 0;
  const auto left = it->second.start + window_ - now;
  if (left <= Clock::duration::zero()) return 0;
  return std::chrono::ceil<std::chrono::seconds>(left).count();
}

RefusalLimiter::Counted RefusalLimiter::CountRefusal(const std::string& address,
                                                     Clock::time_point now) {
  if (max_refusals_ <= 0) return {};
  std::lock_guard lock(mu_);
  Window& w = Current(address, now);
  ++w.refusals;
  return {w.refusals, w.refusals == max_refusals_};
}

}  // namespace sfapid
