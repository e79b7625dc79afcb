// Events in the store (SQLite, or PostgreSQL under tests/run-on-postgres): appended in id order,
// read after an id (all users, or one), the last and first ids, purging, and the wake-up of a
// waiter by an append.
#include <gtest/gtest.h>

#include <boost/json.hpp>
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
  const int64_t next = Append("alice", "t3");
  EXPECT_GT(next, last);
  EXPECT_EQ(*events().FirstEventId(), next);  // a resume from `last - 1` can tell it lost one
}

TEST_F(EventStoreTest, ATaskIsAnEventWhenMadeAndWhenItEndsOnlyOnce) {
  auto id = store_->tasks().CreateTask("alice", "command", "perlmutter", "node-a", Now());
  ASSERT_TRUE(id);
  ASSERT_TRUE(*store_->tasks().UpdateTask(*id, "new", std::string("partial")));
  ASSERT_TRUE(*store_->tasks().UpdateTask(*id, "completed", std::string("{}")));
  EXPECT_FALSE(*store_->tasks().UpdateTask(*id, "failed", std::string("{}")));  // already ended
  auto got = events().EventsOfAfter("alice", 0, 10);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].kind, "task");
  EXPECT_EQ((*got)[0].object_id, *id);
  EXPECT_EQ(boost::json::parse((*got)[0].data),
            boost::json::parse(R"({"task_id":")" + *id +
                               R"(","status":"new","task_kind":"command","system":"perlmutter"})"));
  EXPECT_EQ(boost::json::parse((*got)[1].data).at("status"), "completed");
}

TEST_F(EventStoreTest, WakeEndsAWaitAtOnce) {
  std::thread waker([this] {
    std::this_thread::sleep_for(50ms);
    events().Wake();
  });
  const auto before = std::chrono::steady_clock::now();
  events().WaitForEvents(60s);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 30s);
  waker.join();
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
