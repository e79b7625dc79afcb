#include "core/web/sign_in_lockout.h"

#include <algorithm>

namespace sfapid {

std::chrono::seconds SignInLockout::Window() const {
  return std::chrono::seconds(static_cast<int64_t>(config_.lockout_minutes * 60));
}

Result<int64_t> SignInLockout::RetryAfter(const std::string& key) {
  const TimePoint now = Now();
  auto count = store_.CountSignInFailures(key, now - Window());
  if (!count) return count.status();
  if (count->count < config_.max_failures || !count->oldest) return int64_t{0};
  return std::max<int64_t>(1, (*count->oldest + Window() - now).count());
}

Status SignInLockout::RecordFailure(const std::string& key) {
  return store_.RecordSignInFailure(key, Now());
}

}  // namespace sfapid
