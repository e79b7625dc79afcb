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
  auto set = tasks().SetCheckpoint(id, "dead", R"({"script":"/home/a/s.sh"})");
  ASSERT_TRUE(set && *set);
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
  auto later = tasks().SetCheckpoint(id, "dead", "later");
  ASSERT_TRUE(later);
  EXPECT_FALSE(*later);
  EXPECT_EQ(tasks().GetTask(id)->checkpoint, R"({"script":"/home/a/s.sh"})");
}

TEST_F(TaskStoreTest, ATaskKeepsItsRequestUntilItEnds) {
  auto made = tasks().AddTask(
      {"alice", "command", "perlmutter", "a", Now() + seconds(30), R"({"command":"true"})", ""});
  ASSERT_TRUE(made);
  EXPECT_FALSE(made->existed);
  EXPECT_EQ(tasks().GetTask(made->id)->request, R"({"command":"true"})");
  ASSERT_TRUE(*tasks().UpdateTask(made->id, "new", R"({"partial":1})"));
  EXPECT_EQ(tasks().GetTask(made->id)->request, R"({"command":"true"})");
  ASSERT_TRUE(*tasks().UpdateTask(made->id, "completed", "{}"));
  EXPECT_EQ(tasks().GetTask(made->id)->request, "");  // never run again: not kept
}

TEST_F(TaskStoreTest, OneIdempotencyTokenMakesOneTask) {
  const NewTask task{"alice", "submit_job", "perlmutter", "a", Now() + seconds(30), "{}", "tok-1"};
  auto first = tasks().AddTask(task);
  auto again = tasks().AddTask(task);
  auto other = tasks().AddTask({"alice", "submit_job", "perlmutter", "a", Now(), "{}", "tok-2"});
  auto untokened = tasks().AddTask({"alice", "command", "perlmutter", "a", Now(), "{}", ""});
  auto untokened_too = tasks().AddTask({"alice", "command", "perlmutter", "a", Now(), "{}", ""});
  ASSERT_TRUE(first && again && other && untokened && untokened_too);
  EXPECT_FALSE(first->existed);
  EXPECT_TRUE(again->existed);
  EXPECT_EQ(again->id, first->id);
  EXPECT_NE(other->id, first->id);
  EXPECT_NE(untokened->id, untokened_too->id);
  auto listed = tasks().ListTasks("alice");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 4u);
}

TEST_F(TaskStoreTest, AnOrphanWithoutACheckpointIsAdoptedOnceAndItsFirstNodeCanNoLongerStartIt) {
  const std::string id = Create("stalled", Now() - seconds(1));
  auto orphans = tasks().OrphanedTasks("", Now());
  ASSERT_TRUE(orphans);
  ASSERT_EQ(orphans->size(), 1u);
  auto first = tasks().AdoptOrphanedTask(orphans->front(), "b", Now() + seconds(30));
  auto second = tasks().AdoptOrphanedTask(orphans->front(), "c", Now() + seconds(30));
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*second);
  EXPECT_EQ(tasks().GetTask(id)->node, "b");
  EXPECT_EQ(tasks().GetTask(id)->status, "new");
  // The stalled node wakes and tries to begin its effect: refused, so only b runs it.
  auto stalled = tasks().SetCheckpoint(id, "stalled", "started");
  ASSERT_TRUE(stalled);
  EXPECT_FALSE(*stalled);
  auto adopter = tasks().SetCheckpoint(id, "b", "started");
  ASSERT_TRUE(adopter);
  EXPECT_TRUE(*adopter);
}

TEST_F(TaskStoreTest, AnOrphanPastItsCheckpointIsNeverAdopted) {
  const std::string id = Create("dead", Now() - seconds(1));
  ASSERT_TRUE(*tasks().SetCheckpoint(id, "dead", "started"));
  auto orphans = tasks().OrphanedTasks("", Now());
  ASSERT_TRUE(orphans);
  ASSERT_EQ(orphans->size(), 1u);
  auto adopted = tasks().AdoptOrphanedTask(orphans->front(), "b", Now() + seconds(30));
  ASSERT_TRUE(adopted);
  EXPECT_FALSE(*adopted);
  EXPECT_EQ(tasks().GetTask(id)->node, "dead");
}

}  // namespace
}  // namespace sfapid
