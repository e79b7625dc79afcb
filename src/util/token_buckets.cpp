#include "util/token_buckets.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace sfapid {

TokenBuckets::TokenBuckets(double rate, double burst, size_t max_keys)
    : rate_(rate), burst_(std::max(burst, 1.0)), max_keys_(std::max<size_t>(max_keys, 1)) {}

void TokenBuckets::Forget(Clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& kv) {
    return kv.second.tokens + std::chrono::duration<double>(now - kv.second.at).count() * rate_ >=
           burst_;
  });
  if (buckets_.size() < max_keys_) return;
  // Every key is busy (a flood from many addresses): the idlest eighth goes, in one pass.
  std::vector<Clock::time_point> times;
  times.reserve(buckets_.size());
  for (const auto& kv : buckets_) times.push_back(kv.second.at);
  auto cut = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 8);
  std::nth_element(times.begin(), cut, times.end());
  const Clock::time_point threshold = *cut;
  std::erase_if(buckets_, [&](const auto& kv) { return kv.second.at <= threshold; });
}

TokenBuckets::Bucket& TokenBuckets::Refilled(const std::string& key, Clock::time_point now) {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) Forget(now);
    return buckets_.emplace(key, Bucket{burst_, now}).first->second;
  }
  Bucket& b = it->second;
  if (now > b.at) {
    b.tokens =
        std::min(burst_, b.tokens + std::chrono::duration<double>(now - b.at).count() * rate_);
    b.at = now;
  }
  return b;
}

int64_t TokenBuckets::SecondsToOne(const Bucket& b) const {
  if (b.tokens >= 1) return 0;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1 - b.tokens) / rate_)));
}

int64_t TokenBuckets::Take(const std::string& key, Clock::time_point now) {
  if (rate_ <= 0) return 0;
  std::lock_guard lock(mu_);
  Bucket& b = Refilled(key, now);
  if (const int64_t wait = SecondsToOne(b)) return wait;
  b.tokens -= 1;
  return 0;
}

int64_t TokenBuckets::Peek(const std::string& key, Clock::time_point now) {
  if (rate_ <= 0) return 0;
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return 0;
  return SecondsToOne(Refilled(key, now));
}

size_t TokenBuckets::keys() {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace sfapid
