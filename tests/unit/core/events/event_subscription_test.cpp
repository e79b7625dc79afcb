// A stream's subscription: the backlog and the live events that came while it was read, each once
// and in order; filters; a bounded queue that overflows instead of growing.
#include "core/events/event_subscription.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

EventRecord E(int64_t id, const std::string& kind = "job", const std::string& object = "m/1") {
  return {id, 0, "alice", kind, object, "{}"};
}

std::vector<int64_t> Ids(const std::vector<EventRecord>& events) {
  std::vector<int64_t> ids;
  for (const auto& e : events) ids.push_back(e.id);
  return ids;
}

TEST(EventSubscription, LiveEventsDuringTheCatchUpAreNeitherLostNorRepeated) {
  EventSubscription sub("alice", {}, 2, 100);
  sub.Deliver(E(5));  // live, while the backlog is read: set aside
  sub.Deliver(E(6));
  ASSERT_TRUE(sub.AddBacklog({E(3), E(4), E(5)}));  // the store had 5 too
  sub.FinishCatchUp(false);
  sub.Deliver(E(6));  // a repeat is dropped
  sub.Deliver(E(7));
  auto taken = sub.Take();
  EXPECT_EQ(Ids(taken.events), (std::vector<int64_t>{3, 4, 5, 6, 7}));
  EXPECT_FALSE(taken.overflowed);
  EXPECT_TRUE(sub.Take().events.empty());
}

TEST(EventSubscription, OnlyWhatTheFilterAsksFor) {
  EventSubscription sub("alice", {{"task"}, {"12"}}, 0, 100);
  sub.FinishCatchUp(false);
  sub.Deliver(E(1, "job", "m/1"));
  sub.Deliver(E(2, "task", "11"));
  sub.Deliver(E(3, "task", "12"));
  EXPECT_EQ(Ids(sub.Take().events), (std::vector<int64_t>{3}));
}

TEST(EventSubscription, AQueueThatIsFullOverflowsAndTakesNoMore) {
  EventSubscription sub("alice", {}, 0, 2);
  EXPECT_FALSE(sub.AddBacklog({E(1), E(2), E(3)}));
  sub.FinishCatchUp(true);
  sub.Deliver(E(4));
  auto taken = sub.Take();
  EXPECT_EQ(Ids(taken.events), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(taken.overflowed);
  EXPECT_TRUE(taken.purged);
}

TEST(EventSubscription, ANewEventWakesTheConsumerUntilItCloses) {
  EventSubscription sub("alice", {}, 0, 10);
  sub.FinishCatchUp(false);
  int wakes = 0;
  sub.SetWake([&] { ++wakes; });
  const int after_set = wakes;
  sub.Deliver(E(1));
  EXPECT_EQ(wakes, after_set + 1);
  sub.Close();
  sub.Deliver(E(2));
  EXPECT_EQ(wakes, after_set + 1);
  EXPECT_TRUE(sub.closed());
}

}  // namespace
}  // namespace sfapid
