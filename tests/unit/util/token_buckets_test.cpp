// Token buckets: a burst is allowed, then the steady rate; a refused key is told when to come back
// and spends nothing; keys do not share; idle keys are forgotten when memory is full.
#include "util/token_buckets.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

using namespace std::chrono_literals;
const TokenBuckets::Clock::time_point t0{};

std::string Key(std::string prefix, int i) {
  prefix += std::to_string(i);
  return prefix;
}

TEST(TokenBuckets, ABurstThenTheRate) {
  TokenBuckets b(2, 5);  // 2 a second, 5 at once
  for (int i = 0; i < 5; ++i) EXPECT_EQ(b.Take("alice", t0), 0) << i;
  EXPECT_EQ(b.Take("alice", t0), 1);          // empty: one token in half a second
  EXPECT_EQ(b.Take("alice", t0 + 400ms), 1);  // not yet (0.8 of a token)
  EXPECT_EQ(b.Take("alice", t0 + 500ms), 0);  // one token came back
  EXPECT_EQ(b.Take("alice", t0 + 500ms), 1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(b.Take("alice", t0 + 10s), 0) << i;  // full again, not more
  EXPECT_EQ(b.Take("alice", t0 + 10s), 1);
}

TEST(TokenBuckets, TheWaitIsWholeSecondsUntilOneToken) {
  TokenBuckets b(0.1, 1);  // one every ten seconds
  EXPECT_EQ(b.Take("x", t0), 0);
  EXPECT_EQ(b.Take("x", t0), 10);
  EXPECT_EQ(b.Peek("x", t0 + 3s), 7);
  EXPECT_EQ(b.Take("x", t0 + 9500ms), 1);
  EXPECT_EQ(b.Take("x", t0 + 10s), 0);
}

TEST(TokenBuckets, KeysDoNotShareAndPeekSpendsNothing) {
  TokenBuckets b(1, 1);
  EXPECT_EQ(b.Peek("a", t0), 0);
  EXPECT_EQ(b.Take("a", t0), 0);
  EXPECT_EQ(b.Peek("a", t0), 1);
  EXPECT_EQ(b.Peek("a", t0), 1);
  EXPECT_EQ(b.Take("b", t0), 0);
}

TEST(TokenBuckets, NoRateIsNoLimitAndKeepsNothing) {
  TokenBuckets b(0, 0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(b.Take("a", t0), 0);
  EXPECT_EQ(b.keys(), 0u);
  EXPECT_FALSE(b.limited());
}

TEST(TokenBuckets, MemoryIsBoundedAndBusyKeysAreKeptOverIdleOnes) {
  TokenBuckets b(1, 2, 100);
  for (int i = 0; i < 100; ++i) b.Take(Key("old", i), t0);  // each spent one
  b.Take("busy", t0 + 1500ms);
  b.Take("busy", t0 + 1500ms);  // busy is empty now
  // At t0+2s the old keys refilled (idle): a new key makes them go, busy stays empty.
  b.Take("new", t0 + 2s);
  EXPECT_LE(b.keys(), 100u);
  EXPECT_EQ(b.Take("busy", t0 + 2s), 1);
  // All busy: the idlest eighth goes in one pass, never more than max_keys are kept.
  for (int i = 0; i < 1000; ++i) {
    const auto at = t0 + 3s + std::chrono::milliseconds(i);
    b.Take(Key("k", i), at);
    b.Take(Key("k", i), at);
  }
  EXPECT_LE(b.keys(), 100u);
}

}  // namespace
}  // namespace sfapid
