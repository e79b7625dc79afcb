// One scheduler read for all the nodes on a store (shared_fetch.h), on a real store (SQLite, or
// PostgreSQL under tests/run-on-postgres), with counting reads instead of squeue: nodes asking at
// once share one read, a saved view young enough is used without asking, a node that dies while it
// reads delays the others only until its claim ends, and a failed read lets another node try.
#include "backends/scheduler/shared_fetch.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "backends/scheduler/snapshot.h"
#include "support/test_store.h"
#include "util/time_format.h"

namespace sfapid {
namespace {

using std::chrono::milliseconds;
const std::string kKey = "slurm/perlmutter/queue";

TEST(SharedFetch, NodesAskingAtOnceShareOneRead) {
  testing::TestStore store;
  SharedFetch a(store->views(), kKey, "a", 0, 5000), b(store->views(), kKey, "b", 0, 5000);
  std::atomic<int> reads{0};
  auto read = [&]() -> Result<std::string> {
    std::this_thread::sleep_for(milliseconds(150));  // a slow squeue: everyone arrives meanwhile
    return "view " + std::to_string(++reads);
  };
  const int64_t asked = NowUnixMs();
  std::vector<std::thread> nodes;
  std::vector<std::string> seen(6);
  for (int i = 0; i < 6; ++i)
    nodes.emplace_back([&, i] {
      auto view = (i % 2 ? a : b).Get(asked, read);
      ASSERT_TRUE(view) << view.status().message();
      EXPECT_GE(view->taken_ms, asked);
      seen[i] = view->data;
    });
  for (auto& t : nodes) t.join();
  EXPECT_EQ(reads.load(), 1);
  EXPECT_EQ(seen, std::vector<std::string>(6, "view 1"));
  EXPECT_EQ(a.own_reads() + b.own_reads(), 1u);
  EXPECT_EQ(a.shared_reads() + b.shared_reads(), 5u);
}

TEST(SharedFetch, AYoungEnoughSavedViewIsUsedAndANewerNeedReadsAgain) {
  testing::TestStore store;
  SharedFetch a(store->views(), kKey, "a", 0, 5000), b(store->views(), kKey, "b", 0, 5000);
  int reads = 0;
  auto read = [&]() -> Result<std::string> { return "view " + std::to_string(++reads); };
  const int64_t before = NowUnixMs();
  ASSERT_EQ(a.Get(before, read)->data, "view 1");
  EXPECT_EQ(b.Get(before - 2000, read)->data, "view 1");  // b's caller accepts a 2 s old view
  std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(b.Get(NowUnixMs(), read)->data, "view 2");  // a fresh read
  EXPECT_EQ(reads, 2);
}

TEST(SharedFetch, ANodeThatDiesWhileReadingHoldsTheOthersOnlyUntilItsClaimEnds) {
  testing::TestStore store;
  // The dead node took the claim for 300 ms and never saved.
  const int64_t now = NowUnixMs();
  ASSERT_TRUE(*store->views().ClaimRefresh(kKey, "dead", now, now + 300, 0, now));
  SharedFetch b(store->views(), kKey, "b", 0, 300);
  int reads = 0;
  const auto started = std::chrono::steady_clock::now();
  auto view = b.Get(now, [&]() -> Result<std::string> { return "b's " + std::to_string(++reads); });
  ASSERT_TRUE(view) << view.status().message();
  EXPECT_EQ(view->data, "b's 1");
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(250));
}

TEST(SharedFetch, AFailedReadFailsThatCallerAndTheNextNodeTriesAfterTheMinimumInterval) {
  testing::TestStore store;
  SharedFetch a(store->views(), kKey, "a", 100, 5000), b(store->views(), kKey, "b", 100, 5000);
  auto failed = a.Get(NowUnixMs(), [] { return Result<std::string>(Status::Unavailable("down")); });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.status().message(), "down");
  const auto started = std::chrono::steady_clock::now();
  auto view = b.Get(NowUnixMs(), [] { return Result<std::string>(std::string("up")); });
  ASSERT_TRUE(view) << view.status().message();
  EXPECT_EQ(view->data, "up");
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(60));
}

TEST(SharedFetch, ChangesNotedThroughOneNodeAreSeenThroughAnother) {
  testing::TestStore store;
  SharedFetch a(store->views(), kKey, "a", 0, 5000), b(store->views(), kKey, "b", 0, 5000);
  EXPECT_EQ(b.LastChange("alice"), 0);
  a.NoteChange("alice", 1'800'000'000'123);
  EXPECT_EQ(b.LastChange("alice"), 1'800'000'000'123);
}

// A snapshot over a shared source keeps the time the view was read, not when this node asked:
// an older view that still satisfies the caller counts as that old for the next cached read.
TEST(SharedFetch, ASnapshotKeepsWhenTheSharedViewWasTaken) {
  using Clock = std::chrono::steady_clock;
  const auto read_at = Clock::now() - milliseconds(800);
  int fetches = 0;
  Snapshot<int> view(
      Snapshot<int>::FetchSince([&](Clock::time_point) -> Result<Snapshot<int>::Fetched> {
        return Snapshot<int>::Fetched{++fetches, read_at};
      }),
      milliseconds(1000));
  EXPECT_EQ(**view.GetStartedAfter(read_at - milliseconds(100)), 1);
  EXPECT_GE(view.stats().age_seconds, 0.79);
  EXPECT_EQ(**view.GetStartedAfter(read_at), 1) << "taken at read_at: still good";
}

}  // namespace
}  // namespace sfapid
