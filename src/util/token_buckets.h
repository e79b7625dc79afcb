// Token buckets by key (an API client, a source address): each key may spend `rate` requests a
// second on average and up to `burst` at once; a key that has none left is told how long until it
// has one. Memory is bounded: beyond max_keys, buckets that have refilled (idle keys) are
// forgotten, then the ones idle longest. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sfapid {

class TokenBuckets {
 public:
  using Clock = std::chrono::steady_clock;

  // rate <= 0: no limit (every Take succeeds, nothing is kept).
  TokenBuckets(double rate, double burst, size_t max_keys = 65536);

  // Spends one token of key's bucket: 0 when it had one, otherwise the whole seconds until it
  // will have one (at least 1); a refused request spends nothing.
  int64_t Take(const std::string& key, Clock::time_point now = Clock::now());

  // Whether Take would refuse now, without spending (for a refusal before a body is read).
  int64_t Peek(const std::string& key, Clock::time_point now = Clock::now());

  bool limited() const { return rate_ > 0; }
  size_t keys();

 private:
  struct Bucket {
    double tokens;
    Clock::time_point at;  // when tokens was last brought up to date
  };
  Bucket& Refilled(const std::string& key, Clock::time_point now);  // under mu_
  void Forget(Clock::time_point now);                               // under mu_
  int64_t SecondsToOne(const Bucket& b) const;

  const double rate_, burst_;
  const size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace sfapid
