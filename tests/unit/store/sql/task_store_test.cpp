// Task ownership in the task store (SQLite, or PostgreSQL under tests/run-on-postgres): which
// node runs a task, lease renewal, and which unfinished tasks count as orphaned and are ended
// exactly once.
#include <gtest/gtest.h>

#include "support/test_store.h"

namespace sfapid {
namespace {

using std::chrono::seconds;

class TaskStoreTest : public ::testing::Test {
 protected:
  TaskStore& tasks() { return store_->tasks(); }

  std::string Create(const std::string& node, TimePoint lease_until) {
    auto id = tasks().CreateTask("alice", "command", "perlmutter", node, lease_until);
    EXPECT_TRUE(id) << id.status().message();
    return id ? *id : "";
  }
  std::vector<std::string> Ids(const Result<std::vector<TaskRecord>>& records) {
    EXPECT_TRUE(records) << records.status().message();
    std::vector<std::string> ids;
    if (records)
      for (const auto& r : *records) ids.push_back(r.id);
    return ids;
  }

  testing::TestStore store_;
};

TEST_F(TaskStoreTest, ATaskRecordsItsNodeAndLease) {
  const TimePoint until = Now() + seconds(30);
  const std::string id = Create("node-a:8080", until);
  auto task = tasks().GetTask(id);
  ASSERT_TRUE(task);
  EXPECT_EQ(task->node, "node-a:8080");
  EXPECT_EQ(task->lease_until, until);
  EXPECT_EQ(task->status, "new");
}

TEST_F(TaskStoreTest, RenewingExtendsOnlyTheNodesUnfinishedTasks) {
  const TimePoint soon = Now() + seconds(5), later = Now() + seconds(60);
  const std::string mine = Create("a", soon), ended = Create("a", soon), other = Create("b", soon);
  ASSERT_TRUE(*tasks().UpdateTask(ended, "completed", "{}"));
  auto renewed = tasks().RenewLeases("a", later);
  ASSERT_TRUE(renewed);
  EXPECT_EQ(*renewed, 1);
  EXPECT_EQ(tasks().GetTask(mine)->lease_until, later);
  EXPECT_EQ(tasks().GetTask(ended)->lease_until, soon);
  EXPECT_EQ(tasks().GetTask(other)->lease_until, soon);
}

TEST_F(TaskStoreTest, OrphansAreTheRestartedNodesOwnAndThoseWithAnExpiredLease) {
  const TimePoint now = Now();
  const std::string own = Create("a", now + seconds(30));
  const std::string live = Create("b", now + seconds(30));
  const std::string dead = Create("c", now - seconds(1));
  const std::string finished = Create("c", now - seconds(1));
  ASSERT_TRUE(*tasks().UpdateTask(finished, "failed", "{}"));
  EXPECT_EQ(Ids(tasks().OrphanedTasks("a", now)), (std::vector<std::string>{own, dead}));
  // A sweep while running names no node: only expired leases.
  EXPECT_EQ(Ids(tasks().OrphanedTasks("", now)), (std::vector<std::string>{dead}));
  (void)live;
}

TEST_F(TaskStoreTest, AnOrphanIsEndedExactlyOnce) {
  Create("c", Now() - seconds(1));
  auto orphans = tasks().OrphanedTasks("", Now());
  ASSERT_TRUE(orphans);
  ASSERT_EQ(orphans->size(), 1u);
  // Two nodes sweeping at once both read it; one of them ends it.
  auto first =
      tasks().EndOrphanedTask(orphans->front(), "failed", R"({"status":"error","error":"gone"})");
  auto second =
      tasks().EndOrphanedTask(orphans->front(), "failed", R"({"status":"error","error":"again"})");
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*second);
  auto task = tasks().GetTask(orphans->front().id);
  EXPECT_EQ(task->status, "failed");
  EXPECT_EQ(task->result, R"({"status":"error","error":"gone"})");
}

TEST_F(TaskStoreTest, ANodeThatRenewedAfterTheSweepReadKeepsItsTask) {
  Create("slow", Now() - seconds(1));
  auto orphans = tasks().OrphanedTasks("", Now());
  ASSERT_TRUE(orphans);
  ASSERT_EQ(orphans->size(), 1u);
  ASSERT_EQ(*tasks().RenewLeases("slow", Now() + seconds(30)), 1);
  auto ended = tasks().EndOrphanedTask(orphans->front(), "failed", "{}");
  ASSERT_TRUE(ended);
  EXPECT_FALSE(*ended);
  EXPECT_EQ(tasks().GetTask(orphans->front().id)->status, "new");
}

TEST_F(TaskStoreTest, ACheckpointReachesTheSweeperWhichMayEndTheTaskCompleted) {
  const std::string id = Create("dead", Now() - seconds(1));
  ASSERT_TRUE(tasks().SetCheckpoint(id, R"({"script":"/home/a/s.sh"})").ok());
  auto orphans = tasks().OrphanedTasks("", Now());
  ASSERT_TRUE(orphans);
  ASSERT_EQ(orphans->size(), 1u);
  EXPECT_EQ(orphans->front().checkpoint, R"({"script":"/home/a/s.sh"})");
  auto ended = tasks().EndOrphanedTask(orphans->front(), "completed", R"({"jobid":"7"})");
  ASSERT_TRUE(ended && *ended);
  auto task = tasks().GetTask(id);
  EXPECT_EQ(task->status, "completed");
  EXPECT_EQ(task->result, R"({"jobid":"7"})");
  // An ended task's checkpoint no longer changes.
  ASSERT_TRUE(tasks().SetCheckpoint(id, "later").ok());
  EXPECT_EQ(tasks().GetTask(id)->checkpoint, R"({"script":"/home/a/s.sh"})");
}

}  // namespace
}  // namespace sfapid
