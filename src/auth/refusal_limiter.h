// Per-address limit on refused token requests: an address refused `max_refusals` times within a
// window is answered 429 without any check (no signature verified, no audit row written) until the
// window ends, so a flood of guessed or replayed assertions costs the server and its audit trail
// next to nothing, while other addresses go on as before.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace sfapid {

class RefusalLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // max_refusals 0: no limit.
  RefusalLimiter(int max_refusals, double window_seconds)
      : max_refusals_(max_refusals),
        window_(std::chrono::milliseconds(static_cast<int64_t>(window_seconds * 1000))) {}

  // Whole seconds until the address may be checked again; 0 when it may be now.
  int64_t RetryAfterSeconds(const std::string& address, Clock::time_point now = Clock::now());

  struct Counted {
    int refusals_in_window = 0;
    bool now_limited = false;  // this refusal used up the address's allowance
  };
  Counted CountRefusal(const std::string& address, Clock::time_point now = Clock::now());

 private:
  struct Window {
    Clock::time_point start;
    int refusals = 0;
  };
  Window& Current(const std::string& address, Clock::time_point now);  // under mu_
  void ForgetEnded(Clock::time_point now);                             // under mu_

  const int max_refusals_;
  const Clock::duration window_;
  std::mutex mu_;
  std::map<std::string, Window> windows_;
};

}  // namespace sfapid
