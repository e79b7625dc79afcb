// What one delivery attempt (a POST or a mail) reports, and the signal that lets Stop() cut an
// attempt short from another thread, so that shutdown does not wait out a slow receiver.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace sfapid {

struct AttemptOutcome {
  // kRefused: the destination may never be reached (a blocked network); retrying cannot help.
  enum Kind { kDelivered, kFailed, kRefused, kInterrupted } kind = kFailed;
  std::string detail;  // "HTTP 204" when delivered; why not, otherwise
};

class StopSignal {
 public:
  // Registers a hook Fire() runs (it must not block). Returns 0, registering nothing, once fired.
  uint64_t Add(std::function<void()> hook) {
    std::lock_guard lock(mu_);
    if (fired_) return 0;
    hooks_.emplace(++next_, std::move(hook));
    return next_;
  }
  // After it returns, the hook neither runs nor will run.
  void Remove(uint64_t id) {
    std::lock_guard lock(mu_);
    hooks_.erase(id);
  }
  void Fire() {
    std::lock_guard lock(mu_);
    fired_ = true;
    for (auto& [id, hook] : hooks_) hook();
    hooks_.clear();
  }
  bool fired() const {
    std::lock_guard lock(mu_);
    return fired_;
  }
  void Reset() {
    std::lock_guard lock(mu_);
    fired_ = false;
  }

 private:
  mutable std::mutex mu_;
  bool fired_ = false;
  uint64_t next_ = 0;
  std::map<uint64_t, std::function<void()>> hooks_;
};

}  // namespace sfapid
