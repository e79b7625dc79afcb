// The shared view behind the Slurm backend's queue and accounting (snapshot.h), with a counting
// fetch instead of squeue.
#include "backends/scheduler/snapshot.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sfapid {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

TEST(Snapshot, FreshReadsShareRefreshesThatStartAtLeastMinIntervalApart) {
  std::atomic<int> fetches{0};
  std::vector<Clock::time_point> starts;
  std::mutex mu;
  Snapshot<int> view(
      [&]() -> Result<int> {
        std::lock_guard lock(mu);
        starts.push_back(Clock::now());
        std::this_thread::sleep_for(milliseconds(5));
        return ++fetches;
      },
      milliseconds(1000), milliseconds(100));
  // 8 threads each asking for 5 fresh views, one after another.
  std::vector<std::thread> pollers;
  for (int t = 0; t < 8; ++t)
    pollers.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        const auto asked = Clock::now();
        auto v = view.GetStartedAfter(asked);
        ASSERT_TRUE(v.ok());
      }
    });
  for (auto& p : pollers) p.join();
  // 40 fresh reads; each refresh is shared, and none starts within 100 ms of the one before.
  EXPECT_LE(fetches.load(), 40);
  ASSERT_GE(starts.size(), 2u);
  // The snapshot spaces its own start stamps (taken just before it calls the fetch); the fetch
  // stamps a moment later, after a thread switch, so two of its stamps may be a scheduling delay
  // closer than 100 ms (99.76 ms was seen): a few milliseconds of slack, far below a refresh
  // that ignored the interval.
  for (size_t i = 1; i < starts.size(); ++i)
    EXPECT_GE(starts[i] - starts[i - 1], milliseconds(95)) << "refresh " << i;
  EXPECT_EQ(view.stats().callers, 40u);
}

TEST(Snapshot, ACachedReadTakesAYoungViewWithoutFetching) {
  int fetches = 0;
  Snapshot<int> view([&]() -> Result<int> { return ++fetches; }, milliseconds(60000));
  EXPECT_EQ(**view.Get(), 1);
  EXPECT_EQ(**view.Get(), 1);
  EXPECT_EQ(fetches, 1);
  EXPECT_EQ(**view.GetStartedAfter(Clock::now()), 2);  // fresh: a new refresh
}

TEST(Snapshot, AFailedRefreshFailsItsWaitersAndTheNextReadTriesAgain) {
  int fetches = 0;
  Snapshot<int> view(
      [&]() -> Result<int> {
        if (++fetches == 1) return Status::Unavailable("slurmctld is down");
        return fetches;
      },
      milliseconds(60000));
  auto first = view.Get();
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().message(), "slurmctld is down");
  EXPECT_EQ(**view.Get(), 2);
}

}  // namespace
}  // namespace sfapid
