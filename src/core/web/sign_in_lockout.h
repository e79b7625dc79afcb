// Temporary lockout after repeated sign-in failures, per user and per source address, counted in
// the store so that every node sees the same count: max_failures within lockout_minutes lock that
// user or address out until lockout_minutes after the oldest of them.
#pragma once

#include <cstdint>
#include <string>

#include "config/config.h"
#include "store/web_store.h"

namespace sfapid {

class SignInLockout {
 public:
  SignInLockout(const WebConfig& config, WebStore& store) : config_(config), store_(store) {}

  // Seconds until `key` may try again; 0 when it may now.
  Result<int64_t> RetryAfter(const std::string& key);
  Status RecordFailure(const std::string& key);
  Status Clear(const std::string& key) { return store_.ClearSignInFailures(key); }

  static std::string UserKey(const std::string& user) { return "user:" + user; }
  static std::string AddressKey(const std::string& ip) { return "ip:" + ip; }

 private:
  std::chrono::seconds Window() const;
  const WebConfig& config_;
  WebStore& store_;
};

}  // namespace sfapid
