// Runs slow work as tasks: a request stores a task and returns its id at once; a pool of worker
// threads runs it; the result (JSON) is stored, partial results while it runs.
//
// Restarts: a task of a resumable kind (OnResume: commands, job submissions and cancels) is stored
// with its request, and its work notes a checkpoint just before its first effect that must not
// happen twice. A task left without a checkpoint — queued, or stopped before that effect — runs
// again from its request after a restart (or on another node); one with a checkpoint never runs
// twice: it ends as its orphan handler finds out (a submission's job) or "failed" saying so.
// Tasks of other kinds that a restart interrupts end "failed" with a result that says so.
//
// Several nodes on one store: a task is run by the node that accepted it (its work lives in that
// node's memory) and is marked with the node's name under a lease the node renews every
// lease_seconds / 6. Every node sweeps for tasks whose lease ran out — their node died — and ends
// them "failed" saying so, each exactly once; a node that starts ends the tasks its previous run
// left. A cancel through another node reaches the running task at the next renewal.
//
// Fairness: job submissions and cancellations (short scheduler calls) have workers of their own,
// so they never wait behind anyone's long commands or transfers; and in each lane one user runs at
// most a cap of tasks at once, below the lane's worker count, so one user never holds every
// worker. A queued task waits for a worker its user may take; others' tasks pass it meanwhile.
#pragma once

#include <atomic>
#include <boost/json/value.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "core/tasks/recent_ends.h"
#include "store/task_store.h"
#include "util/interval_gate.h"

namespace sfapid {

class TaskContext {
 public:
  TaskContext(std::string id, std::string node, TaskStore& store)
      : id_(std::move(id)), node_(std::move(node)), store_(store) {}

  const std::string& id() const { return id_; }
  bool cancelled() const;
  // Cancelled because sfapid is stopping, not by the user.
  bool shutting_down() const;
  // Stores a result while the task is still running ("new").
  void SetPartial(const boost::json::value& result);
  // Notes, durably, what the work is about to do that it cannot take back (TaskRecord::
  // checkpoint), for whoever must end the task if this node dies (TaskEngine::OnOrphan); from
  // then on the task is never run again. Not ok: the work must stop without that effect (the
  // store failed, or another node took the task over while this one seemed dead: lost()).
  Status Checkpoint(const std::string& checkpoint);
  // Another node runs this task now: this node's outcome is not recorded.
  bool lost() const;

 private:
  friend class TaskEngine;
  // Work notices the flag by polling cancelled() (WatchProcess does, every 100 ms) and stops.
  void Cancel(bool shutting_down = false);

  std::string id_;
  std::string node_;
  TaskStore& store_;
  mutable std::mutex mu_;
  bool lost_ = false;
  bool cancelled_ = false;
  bool shutting_down_ = false;
  std::optional<std::string> last_result_;
  // The last partial result the store took: what GetAtOnce may show (last_result_ may not have
  // reached the store yet, or ever).
  std::shared_ptr<const std::string> stored_partial_;
};

struct TaskOutcome {
  std::string status;  // "completed" or "failed"
  boost::json::value result;
};

using TaskWork = std::function<TaskOutcome(TaskContext&)>;

// What a task is besides its work: its request as the kind's JSON (TaskRecord::request; "" for a
// kind that cannot run again) and the idempotency token of the HTTP request that asked for it
// (NewTask::idempotency_token).
struct TaskLaunch {
  std::string request;
  std::string idempotency_token;
};

// The result of a task the engine itself ends (sfapid stopped or restarted, an unexpected
// error): {"status": "error", "error": why}, the generic shape every task kind's result shares.
boost::json::object TaskFailure(const std::string& why);

class TaskEngine {
 public:
  // alone_on_store: no other node shares the store (SQLite), so what this node holds in memory
  // about the tasks it runs is the whole truth (GetAtOnce).
  TaskEngine(TaskStore& store, const TasksConfig& config, std::string node,
             bool alone_on_store = false);
  ~TaskEngine();

  // Ends tasks a previous run left unfinished, starts the workers and the purge of old tasks.
  void Start();
  // Called after tasks of a restarted or dead node were ended (records that follow a task, such
  // as a transfer's, end too). Set before Start.
  void OnOrphansEnded(std::function<void()> listener) { orphans_ended_ = std::move(listener); }
  // How a task of `kind` with a checkpoint, left by a node that died or restarted, ends: the
  // handler finds out what its work did (a submission's job in the scheduler) and says so, or
  // returns nullopt for the generic failure ("check its effects"). Set before Start.
  using OrphanHandler = std::function<std::optional<TaskOutcome>(const TaskRecord&)>;
  void OnOrphan(const std::string& kind, OrphanHandler handler) {
    orphan_handlers_[kind] = std::move(handler);
  }
  // How a task of `kind` left without a checkpoint is run again: its work, rebuilt from the
  // record (owner, system, request), or why it cannot be (it then ends "failed" saying so). Set
  // before Start.
  using Resumer = std::function<Result<TaskWork>(const TaskRecord&)>;
  void OnResume(const std::string& kind, Resumer resumer) { resumers_[kind] = std::move(resumer); }
  // Waits up to `within` for queued and running tasks to end (a graceful stop lets short work
  // finish rather than fail it); true when none is left.
  bool WaitIdle(std::chrono::milliseconds within);
  // Stops taking work, cancels what runs (its tasks end "failed": the server stopped) and joins.
  // Queued tasks of resumable kinds stay for the next start (or another node); others fail.
  void Stop();

  // The task's id; with an idempotency token already used, the id of the task made under it,
  // without running anything.
  Result<std::string> Submit(const std::string& owner, const std::string& kind,
                             const std::string& system, TaskWork work, TaskLaunch launch = {});
  // Another user's task is NotFound, exactly like a missing one.
  Result<TaskRecord> Get(const std::string& id, const std::string& owner);
  // The task as Get would find it, from memory, without waiting for a lock or the store: one
  // this node ended a moment ago, or (alone on the store) one it queued or runs now. nullopt when
  // memory cannot say for sure: Get then asks the store. For the I/O thread (http::Route::at_once).
  std::optional<TaskRecord> GetAtOnce(const std::string& id, const std::string& owner);
  Result<std::vector<TaskRecord>> List(const std::string& owner);
  Status Cancel(const std::string& id, const std::string& owner);
  // The task once it has ended, waiting up to `within` (an API whose operation is synchronous but
  // whose work runs as a task: the IRI's launchJob). The record as it stands when time runs out.
  // Ends this node records are seen at once; others' at the next look (every 200 ms).
  Result<TaskRecord> WaitForEnd(const std::string& id, const std::string& owner,
                                std::chrono::milliseconds within);

 private:
  enum class Lane { kGeneral, kJobs };
  static Lane LaneOf(const std::string& kind);
  int CapOf(Lane lane) const;
  struct Queued {
    std::string id;
    std::string owner;
    Lane lane = Lane::kGeneral;
    TaskWork work;
    bool resumable = false;  // stored with its request: a stop leaves it queued
  };
  // Queues an orphan that never reached its checkpoint again, on this node; false when it
  // cannot be (no resumer for its kind, no request), and the caller ends it.
  bool Resume(const TaskRecord& task);
  void WorkerLoop(Lane lane);
  // The oldest queued task of the lane whose user is under the cap; queue_.end() if none. Under
  // mu_.
  std::deque<Queued>::iterator NextFor(Lane lane);
  void Run(Queued item);
  // Stores a task's end, retried briefly; one the store keeps refusing is kept in memory and
  // stored by the lease loop once it can be (RecordUnrecordedEnds).
  // With the owner given, an end this update stored is also kept for polls (RecentEnds).
  void RecordEnd(const std::string& id, const std::string& status, const boost::json::value& result,
                 const std::string* owner = nullptr);
  // Forgets tasks that ended more than retention_days ago; at start and then at most hourly.
  void PurgeOld();
  void RecordUnrecordedEnds();
  // The task is this node's and alive here: queued, running, or ended with its end not stored.
  bool HoldsHere(const std::string& id);
  std::chrono::seconds Lease() const;
  // Renews this node's leases, hands cancels made through other nodes to running work and ends
  // orphaned tasks, every lease / 6 until Stop.
  void LeaseLoop();
  // Ends tasks no live node runs: this node's from before it started (restarted true) and any
  // whose lease ran out.
  void EndOrphans(bool restarted);
  void PassOnRemoteCancels();

  TaskStore& store_;
  const TasksConfig& config_;
  const std::string node_;
  const bool alone_on_store_;
  std::function<void()> orphans_ended_;
  std::map<std::string, OrphanHandler> orphan_handlers_;  // by kind
  std::map<std::string, Resumer> resumers_;               // by kind
  std::mutex mu_;
  std::condition_variable wake_;  // the lease loop: stopping
  // A lane's idle workers: a queued task wakes one of its lane, not every thread (a submission
  // used to wake all nine, each to find nothing and sleep again). A worker that ends a task looks
  // at the queue itself before it waits.
  std::condition_variable lane_wake_[2];
  std::condition_variable& WakeOf(Lane lane) { return lane_wake_[lane == Lane::kJobs ? 1 : 0]; }
  std::deque<Queued> queue_;
  std::map<std::string, std::shared_ptr<TaskContext>> running_;
  // Owners of the tasks this run's Submit queued, while they are queued or running (under mu_):
  // nothing but this node has written them since they were stored "new" with no result.
  std::unordered_map<std::string, std::string> submitted_here_;
  // Cancels so far (counted under mu_; read without it): a task that a cancel may have reached
  // between its insert and its queueing (its id was already out: the event stream) is not
  // answered from memory.
  std::atomic<uint64_t> cancels_ = 0;
  RecentEnds recent_ends_;
  std::map<std::pair<Lane, std::string>, int> running_per_user_;  // under mu_
  struct UnrecordedEnd {
    std::string status;
    std::string result;  // JSON text
  };
  // Its own lock: RecordEnd is called with mu_ held (Stop) and without.
  std::mutex unrecorded_mu_;
  std::map<std::string, UnrecordedEnd> unrecorded_ends_;  // by task id
  std::mutex ended_mu_;
  std::condition_variable ended_;  // a task's end was stored
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  IntervalGate purge_gate_{std::chrono::hours(1)};
};

}  // namespace sfapid
