#include "auth/refusal_limiter.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

using namespace std::chrono_literals;

TEST(RefusalLimiter, LimitsOneAddressForTheRestOfItsWindow) {
  RefusalLimiter limiter(3, 60);
  const auto t0 = RefusalLimiter::Clock::now();
  EXPECT_EQ(limiter.RetryAfterSeconds("a", t0), 0);
  EXPECT_FALSE(limiter.CountRefusal("a", t0).now_limited);
  EXPECT_FALSE(limiter.CountRefusal("a", t0 + 1s).now_limited);
  EXPECT_EQ(limiter.RetryAfterSeconds("a", t0 + 2s), 0);
  EXPECT_TRUE(limiter.CountRefusal("a", t0 + 2s).now_limited);
  EXPECT_EQ(limiter.RetryAfterSeconds("a", t0 + 10s), 50);
  EXPECT_EQ(limiter.RetryAfterSeconds("b", t0 + 10s), 0);  // others are not affected
  EXPECT_EQ(limiter.RetryAfterSeconds("a", t0 + 60s), 0);  // a new window
  EXPECT_EQ(limiter.CountRefusal("a", t0 + 61s).refusals_in_window, 1);
}

TEST(RefusalLimiter, ZeroMeansNoLimit) {
  RefusalLimiter limiter(0, 60);
  for (int i = 0; i < 100; ++i) limiter.CountRefusal("a");
  EXPECT_EQ(limiter.RetryAfterSeconds("a"), 0);
}

}  // namespace
}  // namespace sfapid
