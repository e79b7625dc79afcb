// Rows are answered again only for the stamp they were rendered at: a change to any job (a new
// generation) or the next second makes every kept row stale.
#include "backends/scheduler/local/row_cache.h"

#include <gtest/gtest.h>

#include <memory>

namespace sfapid::local {
namespace {

SerializedRow Text(const char* s) { return std::make_shared<const std::string>(s); }

TEST(RowCacheTest, ARowIsAnsweredOnlyAtTheStampItWasRenderedAt) {
  RowCache cache;
  const RowStamp at{3, 100};
  EXPECT_EQ(cache.Find(1, false, at), nullptr);
  cache.Keep(1, false, at, Text("queue row"));
  cache.Keep(1, true, at, Text("sacct row"));
  ASSERT_NE(cache.Find(1, false, at), nullptr);
  EXPECT_EQ(*cache.Find(1, false, at), "queue row");
  EXPECT_EQ(*cache.Find(1, true, at), "sacct row");
  EXPECT_EQ(cache.Find(2, false, at), nullptr);
  EXPECT_EQ(cache.Find(1, false, {4, 100}), nullptr);  // a job changed since
  EXPECT_EQ(cache.Find(1, false, {3, 101}), nullptr);  // a second later: times moved
}

TEST(RowCacheTest, ANewerStampDropsEveryRowAndAnOlderOneIsNotKept) {
  RowCache cache;
  cache.Keep(1, false, {3, 100}, Text("old"));
  cache.Keep(2, false, {4, 100}, Text("new"));
  EXPECT_EQ(cache.Find(1, false, {4, 100}), nullptr);
  // A query that began before the change finishes after it: its row is not kept.
  cache.Keep(1, false, {3, 100}, Text("late"));
  EXPECT_EQ(cache.Find(1, false, {3, 100}), nullptr);
  EXPECT_EQ(*cache.Find(2, false, {4, 100}), "new");
}

}  // namespace
}  // namespace sfapid::local
