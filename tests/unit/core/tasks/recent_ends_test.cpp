// RecentEnds: the last ends a node stored, answered to their owner only, for a window and a
// bounded number; the first end kept is the one a task keeps.
#include "core/tasks/recent_ends.h"

#include <gtest/gtest.h>

#include <thread>

namespace sfapid {
namespace {

using namespace std::chrono_literals;

TEST(RecentEndsTest, AnEndIsKeptForItsOwnerOnly) {
  RecentEnds ends(60s, 10);
  ends.Add("7", "alice", "completed", R"({"status":"ok"})");
  auto seen = ends.Find("7", "alice");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->id, "7");
  EXPECT_EQ(seen->status, "completed");
  EXPECT_EQ(seen->result, R"({"status":"ok"})");
  EXPECT_FALSE(ends.Find("7", "bob"));
  EXPECT_FALSE(ends.Find("8", "alice"));
  ends.Add("7", "alice", "failed", "{}");  // a task ends once: the first end stays
  EXPECT_EQ(ends.Find("7", "alice")->status, "completed");
}

TEST(RecentEndsTest, TheOldestGoFirstBeyondTheMaximum) {
  RecentEnds ends(60s, 3);
  for (int i = 1; i <= 5; ++i) ends.Add(std::to_string(i), "alice", "completed", "{}");
  EXPECT_FALSE(ends.Find("1", "alice"));
  EXPECT_FALSE(ends.Find("2", "alice"));
  for (const char* id : {"3", "4", "5"}) EXPECT_TRUE(ends.Find(id, "alice")) << id;
}

TEST(RecentEndsTest, ALongResultIsLeftToTheStoreAndTheBytesKeptAreBounded) {
  RecentEnds ends(60s, 100, 3 * 1000);
  ends.Add("big", "alice", "completed", std::string(RecentEnds::kMaxResultBytes + 1, 'x'));
  EXPECT_FALSE(ends.Find("big", "alice"));
  for (int i = 1; i <= 4; ++i)
    ends.Add(std::to_string(i), "alice", "completed", std::string(1000, 'x'));
  EXPECT_FALSE(ends.Find("1", "alice"));  // the fourth's bytes pushed the first out
  for (const char* id : {"2", "3", "4"}) EXPECT_TRUE(ends.Find(id, "alice")) << id;
}

TEST(RecentEndsTest, AnEndIsForgottenAfterTheWindow) {
  RecentEnds ends(50ms, 10);
  ends.Add("1", "alice", "completed", "{}");
  EXPECT_TRUE(ends.Find("1", "alice"));
  std::this_thread::sleep_for(80ms);
  ends.Add("2", "alice", "completed", "{}");
  EXPECT_FALSE(ends.Find("1", "alice"));
  EXPECT_TRUE(ends.Find("2", "alice"));
}

}  // namespace
}  // namespace sfapid
