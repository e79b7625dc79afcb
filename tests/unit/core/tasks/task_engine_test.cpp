// TaskEngine over a real SQLite task store: results stored as tasks end, isolation between users,
// cancellation of queued and running work, the end of work at Stop and at the next Start, task
// ownership among nodes (leases, a dead node's tasks, cancels through another node), and the
// fairness rules ([tasks] max_running_per_user, job_workers as a lane of their own).
#include "core/tasks/task_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "support/test_store.h"
#include "support/wait_for_task.h"

namespace sfapid {
namespace {

namespace json = boost::json;
using testing::ResultOf;
using testing::WaitForTask;

// Work that holds its worker until released, counting how many such works run at once.
class Gate {
 public:
  TaskWork Work(const std::string& name) {
    return [this, name](TaskContext& ctx) {
      std::unique_lock lock(mu_);
      started_.push_back(name);
      ++running_;
      changed_.notify_all();
      // Cancellation sets a flag without notifying: look again every few milliseconds.
      while (!open_ && !ctx.cancelled()) changed_.wait_for(lock, std::chrono::milliseconds(5));
      --running_;
      return TaskOutcome{"completed", json::object{{"name", name}}};
    };
  }
  // Waits until `n` works have started; false after a few seconds.
  bool WaitStarted(std::size_t n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return started_.size() >= n; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }
  std::vector<std::string> started() {
    std::lock_guard lock(mu_);
    return started_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> started_;
  int running_ = 0;
  bool open_ = false;
};

// Works start in whichever order their workers get there.
std::vector<std::string> Sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

class TaskEngineTest : public ::testing::Test {
 protected:
  void TearDown() override {
    gate_.Open();
    engine_.Stop();
  }

  testing::TestStore store_;
  TasksConfig config_;
  TaskEngine engine_{store_->tasks(), config_, "node-a:8080"};
  Gate gate_;
};

TEST_F(TaskEngineTest, ATasksResultIsStoredWhenItEnds) {
  engine_.Start();
  auto id = engine_.Submit("alice", "command", "perlmutter", [](TaskContext&) {
    return TaskOutcome{"completed", json::object{{"status", "ok"}, {"output", "hi"}}};
  });
  ASSERT_TRUE(id) << id.status().message();
  const TaskRecord task = WaitForTask(engine_, *id, "alice");
  EXPECT_EQ(task.status, "completed");
  EXPECT_EQ(task.kind, "command");
  EXPECT_EQ(task.system, "perlmutter");
  EXPECT_EQ(ResultOf(task), (json::object{{"status", "ok"}, {"output", "hi"}}));
}

TEST_F(TaskEngineTest, AGracefulStopLetsQueuedAndRunningTasksFinishWithinTheGrace) {
  engine_.Start();
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i)  // more than alice may run at once: some wait in the queue
    ids.push_back(*engine_.Submit("alice", "command", "p", [](TaskContext&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return TaskOutcome{"completed", json::object{}};
    }));
  EXPECT_TRUE(engine_.WaitIdle(std::chrono::seconds(10)));
  engine_.Stop();
  for (const auto& id : ids) EXPECT_EQ(store_->tasks().GetTask(id)->status, "completed") << id;
}

TEST_F(TaskEngineTest, WhatOutlastsTheGraceEndsFailedSayingSo) {
  engine_.Start();
  auto running = engine_.Submit("alice", "command", "p", gate_.Work("long"));
  ASSERT_TRUE(gate_.WaitStarted(1));
  EXPECT_FALSE(engine_.WaitIdle(std::chrono::milliseconds(50)));
  engine_.Stop();
  const TaskRecord task = *store_->tasks().GetTask(*running);
  EXPECT_EQ(task.status, "failed");
  EXPECT_NE(task.result->find("sfapid stopped while this task ran"), std::string::npos);
}

TEST_F(TaskEngineTest, WorkThatThrowsEndsFailedWithTheReason) {
  engine_.Start();
  auto id = engine_.Submit("alice", "command", "perlmutter", [](TaskContext&) -> TaskOutcome {
    throw std::runtime_error("disk on fire");
  });
  ASSERT_TRUE(id);
  const TaskRecord task = WaitForTask(engine_, *id, "alice");
  EXPECT_EQ(task.status, "failed");
  EXPECT_EQ(ResultOf(task).at("error"), "internal error: disk on fire");
}

TEST_F(TaskEngineTest, AnotherUsersTaskIsNotFound) {
  engine_.Start();
  auto id = engine_.Submit("alice", "command", "perlmutter", gate_.Work("a"));
  ASSERT_TRUE(id);
  auto seen = engine_.Get(*id, "bob");
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.status().code(), Code::kNotFound);
  EXPECT_EQ(engine_.Cancel(*id, "bob").code(), Code::kNotFound);
  auto listed = engine_.List("bob");
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
}

TEST_F(TaskEngineTest, PartialResultsAreVisibleWhileTheTaskRuns) {
  engine_.Start();
  std::atomic<bool> release{false};
  auto id = engine_.Submit("alice", "command", "perlmutter", [&](TaskContext& ctx) {
    ctx.SetPartial(json::object{{"output", "half"}});
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return TaskOutcome{"completed", json::object{{"output", "all"}}};
  });
  ASSERT_TRUE(id);
  TaskRecord task;
  for (int i = 0; i < 500 && !task.result; ++i) {
    task = *engine_.Get(*id, "alice");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(task.status, "new");
  EXPECT_EQ(ResultOf(task), (json::object{{"output", "half"}}));
  release = true;
  EXPECT_EQ(ResultOf(WaitForTask(engine_, *id, "alice")), (json::object{{"output", "all"}}));
}

TEST_F(TaskEngineTest, OneUserRunsAtMostTheirShareAndOthersPassTheirQueuedTasks) {
  config_.workers = 3;
  config_.max_running_per_user = 2;
  engine_.Start();
  ASSERT_TRUE(engine_.Submit("alice", "command", "p", gate_.Work("alice-1")));
  ASSERT_TRUE(engine_.Submit("alice", "command", "p", gate_.Work("alice-2")));
  ASSERT_TRUE(engine_.Submit("alice", "command", "p", gate_.Work("alice-3")));
  ASSERT_TRUE(engine_.Submit("bob", "command", "p", gate_.Work("bob-1")));
  // A free worker remains after alice's two, and bob's later task takes it, not alice's third.
  ASSERT_TRUE(gate_.WaitStarted(3));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Sorted(gate_.started()), (std::vector<std::string>{"alice-1", "alice-2", "bob-1"}));
  gate_.Open();
  EXPECT_TRUE(gate_.WaitStarted(4));
}

TEST_F(TaskEngineTest, AUsersShareStaysBelowTheWorkerCount) {
  // max_running_per_user above the workers is held to workers - 1: another user finds a worker.
  config_.workers = 2;
  config_.max_running_per_user = 5;
  engine_.Start();
  ASSERT_TRUE(engine_.Submit("alice", "command", "p", gate_.Work("alice-1")));
  ASSERT_TRUE(engine_.Submit("alice", "command", "p", gate_.Work("alice-2")));
  ASSERT_TRUE(engine_.Submit("bob", "command", "p", gate_.Work("bob-1")));
  ASSERT_TRUE(gate_.WaitStarted(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Sorted(gate_.started()), (std::vector<std::string>{"alice-1", "bob-1"}));
}

TEST_F(TaskEngineTest, JobSubmissionsHaveWorkersOfTheirOwn) {
  config_.workers = 1;
  config_.job_workers = 2;
  engine_.Start();
  ASSERT_TRUE(engine_.Submit("alice", "command", "p", gate_.Work("long command")));
  ASSERT_TRUE(gate_.WaitStarted(1));
  // The only general worker is busy; a submission still runs at once.
  auto submit = engine_.Submit("bob", "submit_job", "p", [](TaskContext&) {
    return TaskOutcome{"completed", json::object{{"jobid", "1"}}};
  });
  ASSERT_TRUE(submit);
  EXPECT_EQ(WaitForTask(engine_, *submit, "bob", std::chrono::seconds(3)).status, "completed");
}

TEST_F(TaskEngineTest, OneUserTakesAtMostAllButOneJobWorker) {
  config_.job_workers = 2;
  engine_.Start();
  ASSERT_TRUE(engine_.Submit("alice", "submit_job", "p", gate_.Work("alice-1")));
  ASSERT_TRUE(engine_.Submit("alice", "cancel_job", "p", gate_.Work("alice-2")));
  ASSERT_TRUE(engine_.Submit("bob", "submit_job", "p", gate_.Work("bob-1")));
  ASSERT_TRUE(gate_.WaitStarted(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Sorted(gate_.started()), (std::vector<std::string>{"alice-1", "bob-1"}));
}

TEST_F(TaskEngineTest, AQueuedTaskCancelledNeverRuns) {
  config_.workers = 1;
  engine_.Start();
  ASSERT_TRUE(engine_.Submit("alice", "command", "p", gate_.Work("first")));
  ASSERT_TRUE(gate_.WaitStarted(1));
  std::atomic<bool> ran{false};
  auto queued = engine_.Submit("bob", "command", "p", [&](TaskContext&) {
    ran = true;
    return TaskOutcome{"completed", json::object{}};
  });
  ASSERT_TRUE(queued);
  ASSERT_TRUE(engine_.Cancel(*queued, "bob").ok());
  gate_.Open();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(ran);
  EXPECT_EQ(engine_.Get(*queued, "bob")->status, "cancelled");
}

TEST_F(TaskEngineTest, CancellingARunningTaskTellsItsWorkAndKeepsThePartialResult) {
  engine_.Start();
  std::atomic<bool> noticed{false};
  auto id = engine_.Submit("alice", "command", "p", [&](TaskContext& ctx) {
    ctx.SetPartial(json::object{{"output", "so far"}});
    while (!ctx.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    noticed = !ctx.shutting_down();
    return TaskOutcome{"completed", json::object{{"output", "late"}}};
  });
  ASSERT_TRUE(id);
  while (!engine_.Get(*id, "alice")->result)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(engine_.Cancel(*id, "alice").ok());
  for (int i = 0; i < 500 && !noticed; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(noticed);
  const TaskRecord task = *engine_.Get(*id, "alice");
  EXPECT_EQ(task.status, "cancelled");
  // What the work returned after the cancel does not replace what the user was shown.
  EXPECT_EQ(ResultOf(task), (json::object{{"output", "so far"}}));
}

TEST_F(TaskEngineTest, StopEndsRunningAndQueuedTasksFailed) {
  config_.workers = 1;
  engine_.Start();
  auto running = engine_.Submit("alice", "command", "p", gate_.Work("running"));
  ASSERT_TRUE(gate_.WaitStarted(1));
  auto queued = engine_.Submit("bob", "command", "p", gate_.Work("queued"));
  ASSERT_TRUE(running && queued);
  engine_.Stop();
  const TaskRecord r = *engine_.Get(*running, "alice");
  const TaskRecord q = *engine_.Get(*queued, "bob");
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(ResultOf(r).at("error"), "sfapid stopped while this task ran; it did not finish");
  EXPECT_EQ(q.status, "failed");
  EXPECT_EQ(ResultOf(q).at("error"), "sfapid stopped before this task started");
  auto late = engine_.Submit("alice", "command", "p", gate_.Work("late"));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.status().code(), Code::kUnavailable);
}

TEST_F(TaskEngineTest, StartEndsWhatThisNodesPreviousRunLeftUnfinished) {
  auto left = store_->tasks().CreateTask("alice", "command", "p", "node-a:8080",
                                         Now() + std::chrono::hours(1));
  auto begun = store_->tasks().CreateTask("alice", "command", "p", "node-a:8080",
                                          Now() + std::chrono::hours(1));
  ASSERT_TRUE(left && begun);
  ASSERT_TRUE(*store_->tasks().SetCheckpoint(*begun, "node-a:8080", "started"));
  engine_.Start();
  const TaskRecord task = *engine_.Get(*left, "alice");
  EXPECT_EQ(task.status, "failed");
  // Nothing says whether it had begun (a kind that is not run again notes no checkpoint).
  EXPECT_EQ(ResultOf(task).at("error"),
            "sfapid restarted before this task finished; it did not finish. Check its effects "
            "and run it again if needed.");
  EXPECT_EQ(ResultOf(*engine_.Get(*begun, "alice")).at("error"),
            "sfapid restarted while this task ran; it did not finish. Check its effects and run "
            "it again if needed.");
}

// Work rebuilt from a stored request: it records what it was asked and ends completed.
TaskEngine::Resumer RecordingResumer(std::vector<std::string>& ran) {
  return [&ran](const TaskRecord& task) -> Result<TaskWork> {
    if (task.request == "broken") return Status::Internal("its stored request is not a command's");
    return TaskWork([&ran, request = task.request](TaskContext& ctx) {
      if (Status s = ctx.Checkpoint("started"); !s.ok())
        return TaskOutcome{"failed", TaskFailure(s.message())};
      ran.push_back(request);
      return TaskOutcome{"completed", json::object{{"ran", request}}};
    });
  };
}

TEST_F(TaskEngineTest, ATaskARestartLeftBeforeItsCheckpointRunsAgainOnceFromItsRequest) {
  auto queued = store_->tasks().AddTask(
      {"alice", "command", "p", "node-a:8080", Now() + std::chrono::hours(1), "echo 1", ""});
  auto begun = store_->tasks().AddTask(
      {"alice", "command", "p", "node-a:8080", Now() + std::chrono::hours(1), "echo 2", ""});
  auto broken = store_->tasks().AddTask(
      {"alice", "command", "p", "node-a:8080", Now() + std::chrono::hours(1), "broken", ""});
  ASSERT_TRUE(queued && begun && broken);
  ASSERT_TRUE(*store_->tasks().SetCheckpoint(begun->id, "node-a:8080", "started"));
  std::vector<std::string> ran;
  engine_.OnResume("command", RecordingResumer(ran));
  engine_.Start();
  const TaskRecord again = WaitForTask(engine_, queued->id, "alice");
  EXPECT_EQ(again.status, "completed");
  EXPECT_EQ(ResultOf(again), (json::object{{"ran", "echo 1"}}));
  // Past its checkpoint it may have run: never again.
  const TaskRecord failed = *engine_.Get(begun->id, "alice");
  EXPECT_EQ(failed.status, "failed");
  EXPECT_EQ(ResultOf(failed).at("error"),
            "sfapid restarted while this task ran; it did not finish. Check its effects and run "
            "it again if needed.");
  const TaskRecord unbuildable = *engine_.Get(broken->id, "alice");
  EXPECT_EQ(unbuildable.status, "failed");
  EXPECT_EQ(ResultOf(unbuildable).at("error"),
            "sfapid restarted before this task started, and it cannot be run again: its stored "
            "request is not a command's");
  engine_.Stop();
  EXPECT_EQ(ran, std::vector<std::string>{"echo 1"});
}

TEST_F(TaskEngineTest, AStopLeavesQueuedTasksThatCanRunAgainForTheNextStart) {
  config_.workers = 1;
  std::vector<std::string> ran;
  engine_.OnResume("command", RecordingResumer(ran));
  engine_.Start();
  auto running = engine_.Submit("alice", "command", "p", gate_.Work("running"));
  ASSERT_TRUE(gate_.WaitStarted(1));
  auto resumable =
      engine_.Submit("bob", "command", "p", gate_.Work("never here"), {"echo kept", ""});
  auto plain = engine_.Submit("bob", "transfer", "p", gate_.Work("plain"));
  ASSERT_TRUE(running && resumable && plain);
  engine_.Stop();
  EXPECT_EQ(engine_.Get(*resumable, "bob")->status, "new");
  EXPECT_EQ(engine_.Get(*plain, "bob")->status, "failed");
  // The next run of this node runs it from its request.
  TaskEngine next(store_->tasks(), config_, "node-a:8080");
  next.OnResume("command", RecordingResumer(ran));
  next.Start();
  EXPECT_EQ(WaitForTask(next, *resumable, "bob").status, "completed");
  next.Stop();
  EXPECT_EQ(ran, std::vector<std::string>{"echo kept"});
  EXPECT_EQ(gate_.started(), std::vector<std::string>{"running"});
}

TEST_F(TaskEngineTest, ADeadNodesTaskThatHadNotStartedRunsHere) {
  config_.lease_seconds = 3;  // swept every half second
  auto left = store_->tasks().AddTask(
      {"alice", "command", "p", "node-b:8080", Now() + std::chrono::seconds(1), "echo b", ""});
  ASSERT_TRUE(left);
  std::vector<std::string> ran;
  engine_.OnResume("command", RecordingResumer(ran));
  engine_.Start();
  const TaskRecord task = WaitForTask(engine_, left->id, "alice");
  EXPECT_EQ(task.status, "completed");
  EXPECT_EQ(task.node, "node-a:8080");
  engine_.Stop();
  EXPECT_EQ(ran, std::vector<std::string>{"echo b"});
}

TEST_F(TaskEngineTest, WorkWhoseTaskAnotherNodeTookOverStopsAndRecordsNothing) {
  std::vector<std::string> ran;
  engine_.OnResume("command", RecordingResumer(ran));
  engine_.Start();
  std::atomic<bool> go{false};
  auto id = engine_.Submit("alice", "command", "p",
                           [&](TaskContext& ctx) {
                             while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(5));
                             if (Status s = ctx.Checkpoint("started"); !s.ok())
                               return TaskOutcome{"failed", TaskFailure(s.message())};
                             ran.push_back("here");
                             return TaskOutcome{"completed", json::object{}};
                           },
                           {"echo x", ""});
  ASSERT_TRUE(id);
  // This node looked dead (a long pause) and node-b took the task over.
  auto record = store_->tasks().GetTask(*id);
  ASSERT_TRUE(record);
  ASSERT_TRUE(
      *store_->tasks().AdoptOrphanedTask(*record, "node-b:8080", Now() + std::chrono::hours(1)));
  go = true;
  engine_.Stop();
  EXPECT_TRUE(ran.empty());
  const TaskRecord task = *store_->tasks().GetTask(*id);
  EXPECT_EQ(task.status, "new");  // node-b's to run and to end
  EXPECT_EQ(task.node, "node-b:8080");
}

TEST_F(TaskEngineTest, ATaskAskedForAgainWithItsIdempotencyTokenIsTheFirstOne) {
  std::vector<std::string> ran;
  engine_.OnResume("command", RecordingResumer(ran));
  engine_.Start();
  std::atomic<int> runs{0};
  auto work = [&](TaskContext&) {
    ++runs;
    return TaskOutcome{"completed", json::object{}};
  };
  auto first = engine_.Submit("alice", "command", "p", work, {"echo 1", "token-1"});
  ASSERT_TRUE(first);
  WaitForTask(engine_, *first, "alice");
  auto again = engine_.Submit("alice", "command", "p", work, {"echo 1", "token-1"});
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);
  auto other = engine_.Submit("alice", "command", "p", work, {"echo 1", "token-2"});
  ASSERT_TRUE(other);
  EXPECT_NE(*other, *first);
  WaitForTask(engine_, *other, "alice");
  EXPECT_EQ(runs, 2);
}

TEST_F(TaskEngineTest, ATaskFromBeforeLeasesEndsAsARestartedOne) {
  // What migration 11 makes of a task an older version left running: no node, lease 0.
  auto old = store_->tasks().CreateTask("alice", "command", "p", "", TimePoint{});
  ASSERT_TRUE(old);
  engine_.Start();
  EXPECT_EQ(ResultOf(*engine_.Get(*old, "alice")).at("error"),
            "sfapid restarted before this task finished; it did not finish. Check its effects "
            "and run it again if needed.");
}

TEST_F(TaskEngineTest, StartLeavesTheTasksOfAnotherLiveNodeAlone) {
  auto other = store_->tasks().CreateTask("alice", "command", "p", "node-b:8080",
                                          Now() + std::chrono::hours(1));
  ASSERT_TRUE(other);
  engine_.Start();
  EXPECT_EQ(engine_.Get(*other, "alice")->status, "new");
}

TEST_F(TaskEngineTest, ADeadNodesTaskEndsWhenItsLeaseRunsOut) {
  config_.lease_seconds = 3;  // swept every half second
  auto other = store_->tasks().CreateTask("alice", "command", "p", "node-b:8080",
                                          Now() + std::chrono::seconds(1));
  ASSERT_TRUE(other);
  engine_.Start();
  EXPECT_EQ(engine_.Get(*other, "alice")->status, "new");  // node-b may still be alive
  const TaskRecord task = WaitForTask(engine_, *other, "alice");
  EXPECT_EQ(task.status, "failed");
  const std::string why(ResultOf(task).at("error").as_string());
  EXPECT_NE(why.find("the sfapid node that ran this task (node-b:8080) stopped before it finished: "
                     "its lease ran out at "),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("Check its effects and run it again if needed."), std::string::npos);
}

TEST_F(TaskEngineTest, AnOrphanWithACheckpointEndsAsItsKindsHandlerFoundOut) {
  auto noted = store_->tasks().CreateTask("alice", "submit_job", "p", "node-a:8080",
                                          Now() + std::chrono::hours(1));
  auto unnoted = store_->tasks().CreateTask("alice", "submit_job", "p", "node-a:8080",
                                            Now() + std::chrono::hours(1));
  auto no_handler = store_->tasks().CreateTask("alice", "command", "p", "node-a:8080",
                                               Now() + std::chrono::hours(1));
  ASSERT_TRUE(noted && unnoted && no_handler);
  ASSERT_TRUE(*store_->tasks().SetCheckpoint(*noted, "node-a:8080", "script x"));
  ASSERT_TRUE(*store_->tasks().SetCheckpoint(*no_handler, "node-a:8080", "script y"));
  std::vector<std::string> asked;
  engine_.OnOrphan("submit_job", [&](const TaskRecord& task) -> std::optional<TaskOutcome> {
    asked.push_back(task.id + " " + task.checkpoint);
    return TaskOutcome{"completed", json::object{{"jobid", "9"}}};
  });
  engine_.Start();
  EXPECT_EQ(asked, std::vector<std::string>{*noted + " script x"});  // only noted work is asked
  const TaskRecord found = *engine_.Get(*noted, "alice");
  EXPECT_EQ(found.status, "completed");
  EXPECT_EQ(ResultOf(found), (json::object{{"jobid", "9"}}));
  for (const std::string& id : {*unnoted, *no_handler})
    EXPECT_EQ(engine_.Get(id, "alice")->status, "failed");
}

TEST_F(TaskEngineTest, ARunningTaskKeepsItsLeaseWhileItsNodeLives) {
  config_.lease_seconds = 3;
  engine_.Start();
  auto id = engine_.Submit("alice", "command", "p", gate_.Work("long"));
  ASSERT_TRUE(id);
  ASSERT_TRUE(gate_.WaitStarted(1));
  const TimePoint first = store_->tasks().GetTask(*id)->lease_until;
  std::this_thread::sleep_for(std::chrono::milliseconds(4500));  // past the first lease
  auto task = store_->tasks().GetTask(*id);
  EXPECT_EQ(task->status, "new");
  EXPECT_EQ(task->node, "node-a:8080");
  EXPECT_GT(task->lease_until, first);
  EXPECT_GT(task->lease_until, Now());
}

TEST_F(TaskEngineTest, ACancelMadeThroughAnotherNodeStopsTheRunningWork) {
  config_.lease_seconds = 3;
  engine_.Start();
  std::atomic<bool> stopped{false};
  auto id = engine_.Submit("alice", "command", "p", [&](TaskContext& ctx) {
    while (!ctx.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stopped = true;
    return TaskOutcome{"completed", json::object{}};
  });
  ASSERT_TRUE(id);
  // What TaskEngine::Cancel on the other node does to the shared record.
  ASSERT_TRUE(*store_->tasks().UpdateTask(*id, "cancelled", std::nullopt));
  for (int i = 0; i < 100 && !stopped; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(stopped);
  EXPECT_EQ(engine_.Get(*id, "alice")->status, "cancelled");
  // Its work's end changed nothing in the store, so memory does not answer for it either.
  for (int i = 0; i < 50 && engine_.GetAtOnce(*id, "alice"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(engine_.GetAtOnce(*id, "alice"));
}

// GetAtOnce, what a poll of GET /tasks/{id} is answered from on the I/O thread: always what the
// store would say, or nothing.
void ExpectSameAsStored(const TaskRecord& at_once, const TaskRecord& stored) {
  EXPECT_EQ(at_once.id, stored.id);
  EXPECT_EQ(at_once.status, stored.status);
  EXPECT_EQ(at_once.result, stored.result);
}

TEST_F(TaskEngineTest, OnASharedStoreOnlyEndsThisNodeStoredAreAnsweredAtOnce) {
  engine_.Start();
  auto id = engine_.Submit("alice", "command", "p", gate_.Work("a"));
  ASSERT_TRUE(id);
  ASSERT_TRUE(gate_.WaitStarted(1));
  // Running: another node may cancel it in the store at any moment.
  EXPECT_FALSE(engine_.GetAtOnce(*id, "alice"));
  gate_.Open();
  const TaskRecord stored = WaitForTask(engine_, *id, "alice");
  auto at_once = engine_.GetAtOnce(*id, "alice");
  ASSERT_TRUE(at_once);
  ExpectSameAsStored(*at_once, stored);
  EXPECT_EQ(ResultOf(*at_once), (json::object{{"name", "a"}}));
  EXPECT_FALSE(engine_.GetAtOnce(*id, "bob"));  // the store's NotFound answers bob
}

class TaskEngineAloneTest : public TaskEngineTest {
 protected:
  void TearDown() override {
    gate_.Open();
    alone_.Stop();
    TaskEngineTest::TearDown();
  }
  TaskEngine alone_{store_->tasks(), config_, "node-a:8080", /*alone_on_store=*/true};
};

TEST_F(TaskEngineAloneTest, AQueuedRunningOrEndedTaskIsAnsweredAtOnceAsStored) {
  config_.workers = 2;  // alice runs one task at a time: the second waits in the queue
  alone_.Start();
  std::atomic<bool> release{false};
  auto running = alone_.Submit("alice", "command", "p", [&](TaskContext& ctx) {
    ctx.SetPartial(json::object{{"output", "half"}});
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return TaskOutcome{"completed", json::object{{"output", "all"}}};
  });
  ASSERT_TRUE(running);
  auto queued = alone_.Submit("alice", "command", "p", gate_.Work("queued"));
  ASSERT_TRUE(queued);
  while (!alone_.Get(*running, "alice")->result)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));

  auto at_once = alone_.GetAtOnce(*running, "alice");
  ASSERT_TRUE(at_once);
  ExpectSameAsStored(*at_once, *alone_.Get(*running, "alice"));
  EXPECT_EQ(ResultOf(*at_once), (json::object{{"output", "half"}}));
  at_once = alone_.GetAtOnce(*queued, "alice");
  ASSERT_TRUE(at_once);
  ExpectSameAsStored(*at_once, *alone_.Get(*queued, "alice"));
  EXPECT_EQ(at_once->status, "new");
  EXPECT_FALSE(at_once->result);
  EXPECT_FALSE(alone_.GetAtOnce(*running, "bob"));
  EXPECT_FALSE(alone_.GetAtOnce(*queued, "bob"));

  release = true;
  gate_.Open();
  for (const auto& id : {*running, *queued}) {
    const TaskRecord stored = WaitForTask(alone_, id, "alice");
    at_once = alone_.GetAtOnce(id, "alice");
    ASSERT_TRUE(at_once);
    ExpectSameAsStored(*at_once, stored);
    EXPECT_EQ(at_once->status, "completed");
  }
}

TEST_F(TaskEngineAloneTest, ALongPartialResultIsLeftToTheStore) {
  alone_.Start();
  std::atomic<bool> release{false};
  auto id = alone_.Submit("alice", "command", "p", [&](TaskContext& ctx) {
    ctx.SetPartial(json::object{{"output", std::string(RecentEnds::kMaxResultBytes, 'x')}});
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return TaskOutcome{"completed", json::object{}};
  });
  ASSERT_TRUE(id);
  while (!alone_.Get(*id, "alice")->result)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(alone_.GetAtOnce(*id, "alice"));
  release = true;
  WaitForTask(alone_, *id, "alice");
}

TEST_F(TaskEngineAloneTest, ACancelledTaskIsNeverAnsweredNewAtOnce) {
  alone_.Start();
  auto id = alone_.Submit("alice", "command", "p", gate_.Work("a"));
  ASSERT_TRUE(id);
  ASSERT_TRUE(gate_.WaitStarted(1));
  ASSERT_TRUE(alone_.GetAtOnce(*id, "alice"));
  ASSERT_TRUE(alone_.Cancel(*id, "alice").ok());
  // From the cancel's answer on, memory defers to the store, which says cancelled.
  auto at_once = alone_.GetAtOnce(*id, "alice");
  EXPECT_TRUE(!at_once || at_once->status == "cancelled");
  EXPECT_EQ(alone_.Get(*id, "alice")->status, "cancelled");
}

TEST_F(TaskEngineAloneTest, ATaskOfAnEarlierRunIsLeftToTheStore) {
  // A task stored "new" by a run before this one (a partial result of its own, say): this run
  // did not queue it, so memory does not answer for it.
  auto earlier = store_->tasks().CreateTask("alice", "command", "p", "node-a:8080",
                                            Now() + std::chrono::hours(1));
  ASSERT_TRUE(earlier);
  EXPECT_FALSE(alone_.GetAtOnce(*earlier, "alice"));
}

}  // namespace
}  // namespace sfapid
