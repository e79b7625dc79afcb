// Events in the store (SQLite, or PostgreSQL under tests/run-on-postgres): appended in id order,
// read after an id (all users, or one), the last and first ids, purging, and the wake-up of a
// waiter by an append.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <thread>

#include "support/test_store.h"

namespace sfapid {
namespace {

using namespace std::chrono_literals;

class EventStoreTest : public ::testing::Test {
 protected:
  EventStore& events() { return store_->events(); }
  int64_t Append(const std::string& owner, const std::string& object_id) {
    auto id = events().AppendEvent({0, 0, owner, "job", object_id, R"({"state":"RUNNING"})"});
    EXPECT_TRUE(id) << id.status().message();
    return id ? *id : 0;
  }
  testing::TestStore store_;
};

TEST_F(EventStoreTest, EventsComeBackInOrderAfterAnId) {
  EXPECT_EQ(*events().LastEventId(), 0);
  EXPECT_EQ(*events().FirstEventId(), 0);
  const int64_t a = Append("alice", "perlmutter/1");
  const int64_t b = Append("bob", "perlmutter/2");
  const int64_t c = Append("alice", "perlmutter/3");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  auto all = events().EventsAfter(a, 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, b);
  EXPECT_EQ((*all)[0].owner, "bob");
  EXPECT_EQ((*all)[1].object_id, "perlmutter/3");
  EXPECT_EQ((*all)[1].kind, "job");
  EXPECT_EQ((*all)[1].data, R"({"state":"RUNNING"})");
  EXPECT_GT((*all)[1].created_ms, 0);
  EXPECT_EQ(events().EventsAfter(0, 1)->size(), 1u);
  auto alices = events().EventsOfAfter("alice", 0, 10);
  ASSERT_TRUE(alices);
  ASSERT_EQ(alices->size(), 2u);
  EXPECT_EQ((*alices)[0].id, a);
  EXPECT_EQ((*alices)[1].id, c);
  EXPECT_EQ(*events().LastEventId(), c);
  EXPECT_EQ(*events().FirstEventId(), a);
}

TEST_F(EventStoreTest, PurgedEventsAreGoneAndTheirIdsNeverComeBack) {
  Append("alice", "t1");
  const int64_t last = Append("alice", "t2");
  auto purged = events().PurgeEventsBefore(std::numeric_limits<int64_t>::max());
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(*events().FirstEventId(), 0);
  EXPECT_EQ(*events().LastEventId(), last);  // the counter stays: a resume can tell it lost some
  EXPECT_GT(Append("alice", "t3"), last);
}

TEST_F(EventStoreTest, AnAppendWakesTheWaiter) {
  std::thread appender([this] {
    std::this_thread::sleep_for(50ms);
    Append("alice", "t1");
  });
  const auto before = std::chrono::steady_clock::now();
  events().WaitForEvents(60s);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 30s);
  appender.join();
}

TEST_F(EventStoreTest, OnPostgresqlAnotherNodesAppendWakesTheWaiter) {
  if (testing::TestPostgresUrl().empty()) GTEST_SKIP() << "LISTEN/NOTIFY: PostgreSQL only";
  auto other_node = testing::OpenTestStore(store_.dir / "sfapid.db");  // the same database
  ASSERT_TRUE(other_node) << other_node.status().message();
  events().WaitForEvents(1ms);  // listening from now on
  std::thread appender([&] {
    std::this_thread::sleep_for(50ms);
    ASSERT_TRUE((*other_node)->events().AppendEvent({0, 0, "alice", "task", "t9", "{}"}));
  });
  const auto before = std::chrono::steady_clock::now();
  events().WaitForEvents(60s);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 30s);
  appender.join();
  EXPECT_EQ(events().EventsAfter(0, 10)->back().object_id, "t9");
}

}  // namespace
}  // namespace sfapid
