#include "core/tasks/task_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "util/log_status.h"

namespace sfapid {

namespace json = boost::json;

bool TaskContext::cancelled() const {
  std::lock_guard lock(mu_);
  return cancelled_;
}

void TaskContext::SetPartial(const json::value& result) {
  std::string text = json::serialize(result);
  {
    std::lock_guard lock(mu_);
    if (cancelled_) return;
    last_result_ = text;
  }
  auto stored = store_.UpdateTask(id_, "new", text, node_);
  LogIfFailed(stored, "task " + id_ + ": storing its partial result");
  if (stored && *stored) {
    std::lock_guard lock(mu_);
    stored_partial_ = std::make_shared<const std::string>(std::move(text));
  }
}

Status TaskContext::Checkpoint(const std::string& checkpoint) {
  auto set = store_.SetCheckpoint(id_, node_, checkpoint);
  if (!set) return set.status();
  if (*set) return Status::Ok();
  std::lock_guard lock(mu_);
  lost_ = true;
  return Status::FailedPrecondition("the task ended or another sfapid node took it over");
}

bool TaskContext::lost() const {
  std::lock_guard lock(mu_);
  return lost_;
}

void TaskContext::Cancel(bool shutting_down) {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  shutting_down_ = shutting_down;
}

bool TaskContext::shutting_down() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

json::object TaskFailure(const std::string& why) {
  return json::object{{"status", "error"}, {"error", why}};
}

TaskEngine::TaskEngine(TaskStore& store, const TasksConfig& config, std::string node,
                       bool alone_on_store)
    : store_(store),
      config_(config),
      node_(std::move(node)),
      alone_on_store_(alone_on_store),
      // A minute covers a client's polls; never longer than the store keeps ended tasks (the
      // comparison in seconds as doubles: retention_days may be huge).
      recent_ends_(
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
              std::chrono::duration<double>(std::clamp(config.retention_days * 86400, 0.0, 60.0))),
          10000) {}

TaskEngine::~TaskEngine() { Stop(); }

void TaskEngine::Start() {
  EndOrphans(/*restarted=*/true);
  PurgeOld();
  for (int i = 0; i < config_.workers; ++i)
    threads_.emplace_back([this] { WorkerLoop(Lane::kGeneral); });
  for (int i = 0; i < config_.job_workers; ++i)
    threads_.emplace_back([this] { WorkerLoop(Lane::kJobs); });
  threads_.emplace_back([this] { LeaseLoop(); });
}

std::chrono::seconds TaskEngine::Lease() const {
  return std::chrono::seconds(static_cast<int64_t>(config_.lease_seconds));
}

void TaskEngine::EndOrphans(bool restarted) {
  auto orphans = store_.OrphanedTasks(restarted ? node_ : std::string(), Now());
  if (!orphans) {
    LogIfFailed(orphans.status(), "tasks: looking for tasks no node runs");
    return;
  }
  int ended = 0, resumed = 0;
  for (const TaskRecord& task : *orphans) {
    // This node's own, alive here: its lease lapsed only because the store took no writes (a
    // full disk); the next renewal puts it right.
    if (!restarted && task.node == node_ && HoldsHere(task.id)) continue;
    // Nothing done that may not be done twice: it runs again.
    if (task.checkpoint.empty() && Resume(task)) {
      ++resumed;
      continue;
    }
    // Work that noted an effect it cannot take back: what happened is found out, not guessed.
    if (auto handler = orphan_handlers_.find(task.kind);
        !task.checkpoint.empty() && handler != orphan_handlers_.end())
      if (std::optional<TaskOutcome> outcome = handler->second(task)) {
        auto done = store_.EndOrphanedTask(task, outcome->status, json::serialize(outcome->result));
        if (done && *done) ++ended;
        LogIfFailed(done, "task " + task.id + ": ending it as found out (its node is gone)");
        continue;
      }
    std::string why;
    // A task without a node was left by a version before leases: its sfapid was restarted.
    if (task.node == node_ || task.node.empty()) {
      // Without a checkpoint (a kind that notes none) it may never have started.
      why = task.checkpoint.empty()
                ? "sfapid restarted before this task finished; it did not finish."
                : "sfapid restarted while this task ran; it did not finish.";
    } else {
      why = "the sfapid node that ran this task (";
      why += task.node;
      why += ") stopped before it finished: its lease ran out at ";
      why += FormatIso8601(task.lease_until);
      why += ".";
    }
    why += " Check its effects and run it again if needed.";
    auto done = store_.EndOrphanedTask(task, "failed", json::serialize(TaskFailure(why)));
    if (done && *done) ++ended;
    LogIfFailed(done, "task " + task.id + ": ending it (its node is gone)");
  }
  if (resumed > 0) {
    spdlog::info("{} task(s) that had not started when {} queued again", resumed,
                 restarted ? "this node's previous run stopped" : "their node stopped");
    for (auto& lane : lane_wake_) lane.notify_all();
  }
  if (ended == 0) return;
  spdlog::warn("{} task(s) left unfinished by {} now failed", ended,
               restarted ? "this node's previous run or a stopped node" : "a stopped node");
  if (orphans_ended_) orphans_ended_();
}

bool TaskEngine::Resume(const TaskRecord& task) {
  auto resumer = resumers_.find(task.kind);
  if (resumer == resumers_.end() || task.request.empty()) return false;
  auto adopted = store_.AdoptOrphanedTask(task, node_, Now() + Lease());
  if (!adopted) {
    LogIfFailed(adopted.status(), "task " + task.id + ": taking it over to run it again");
    return true;  // the next sweep tries again
  }
  if (!*adopted) return true;  // ended meanwhile, or another node took it
  auto work = resumer->second(task);
  if (!work) {
    RecordEnd(task.id, "failed",
              TaskFailure("sfapid restarted before this task started, and it cannot be run "
                          "again: " +
                          work.status().message()));
    return true;
  }
  std::lock_guard lock(mu_);
  if (stopping_) return true;  // still this node's: the next start finds it
  queue_.push_back({task.id, task.owner, LaneOf(task.kind), std::move(*work), true});
  return true;
}

bool TaskEngine::HoldsHere(const std::string& id) {
  {
    std::lock_guard lock(unrecorded_mu_);
    if (unrecorded_ends_.count(id) > 0) return true;
  }
  std::lock_guard lock(mu_);
  if (running_.count(id) > 0) return true;
  return std::any_of(queue_.begin(), queue_.end(), [&](const Queued& q) { return q.id == id; });
}

void TaskEngine::RecordUnrecordedEnds() {
  std::map<std::string, UnrecordedEnd> ends;
  {
    std::lock_guard lock(unrecorded_mu_);
    ends.swap(unrecorded_ends_);
  }
  for (auto& [id, end] : ends) {
    auto done = store_.UpdateTask(id, end.status, end.result, node_);
    if (done) {
      spdlog::info("task {}: its end ({}) is stored now", id, end.status);
      std::lock_guard lock(ended_mu_);
      ended_.notify_all();
      continue;
    }
    std::lock_guard lock(unrecorded_mu_);
    unrecorded_ends_.emplace(id, std::move(end));
  }
}

void TaskEngine::LeaseLoop() {
  const auto every = std::chrono::duration_cast<std::chrono::milliseconds>(Lease()) / 6;
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, every, [&] { return stopping_; })) {
    lock.unlock();
    LogIfFailed(store_.RenewLeases(node_, Now() + Lease()), "tasks: renewing this node's leases");
    RecordUnrecordedEnds();
    PassOnRemoteCancels();
    EndOrphans(/*restarted=*/false);
    lock.lock();
  }
}

void TaskEngine::PassOnRemoteCancels() {
  std::vector<std::shared_ptr<TaskContext>> running;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, ctx] : running_) running.push_back(ctx);
  }
  for (auto& ctx : running) {
    auto task = store_.GetTask(ctx->id());
    if (task && task->status != "new") ctx->Cancel();  // cancelled (or ended) elsewhere
  }
}

bool TaskEngine::WaitIdle(std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  std::unique_lock lock(mu_);
  if (!queue_.empty() || !running_.empty())
    spdlog::info("waiting up to {} ms for {} running and {} queued task(s) to end", within.count(),
                 running_.size(), queue_.size());
  while (!queue_.empty() || !running_.empty()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    lock.lock();
  }
  return true;
}

void TaskEngine::Stop() {
  std::vector<std::shared_ptr<TaskContext>> running;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    for (auto& [id, ctx] : running_) running.push_back(ctx);
    int kept = 0;
    for (auto& q : queue_)
      if (q.resumable)
        ++kept;  // stays "new" with its request: the next start (or another node) runs it
      else
        RecordEnd(q.id, "failed", TaskFailure("sfapid stopped before this task started"));
    if (kept > 0) spdlog::info("{} queued task(s) left for the next start", kept);
    queue_.clear();
    submitted_here_.clear();
  }
  wake_.notify_all();
  for (auto& lane : lane_wake_) lane.notify_all();
  for (auto& ctx : running) {
    RecordEnd(ctx->id(), "failed",
              TaskFailure("sfapid stopped while this task ran; it did not finish"));
    ctx->Cancel(/*shutting_down=*/true);
  }
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  RecordUnrecordedEnds();  // a last try; what is left ends at the next start
}

void TaskEngine::PurgeOld() {
  if (!purge_gate_.Due()) return;
  auto purged = store_.PurgeTasks(
      Now() - std::chrono::seconds(static_cast<int64_t>(config_.retention_days * 86400)));
  if (purged && *purged > 0)
    spdlog::info("purged {} finished task(s) older than {} days", *purged, config_.retention_days);
}

Result<std::string> TaskEngine::Submit(const std::string& owner, const std::string& kind,
                                       const std::string& system, TaskWork work,
                                       TaskLaunch launch) {
  PurgeOld();  // cheap: a clock check, and a DELETE once an hour
  const uint64_t cancels_before = cancels_.load();
  const bool resumable = !launch.request.empty() && resumers_.count(kind) > 0;
  auto created = store_.AddTask({owner, kind, system, node_, Now() + Lease(),
                                 resumable ? std::move(launch.request) : std::string(),
                                 std::move(launch.idempotency_token)});
  if (!created) return created.status();
  // Made by this request's first try, whose sfapid died: it runs (or ran) as that one's.
  if (created->existed) return created->id;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      RecordEnd(created->id, "failed", TaskFailure("sfapid is stopping"));
      return Status::Unavailable("sfapid is stopping; try again shortly");
    }
    queue_.push_back({created->id, owner, LaneOf(kind), std::move(work), resumable});
    if (cancels_ == cancels_before) submitted_here_[created->id] = owner;
  }
  WakeOf(LaneOf(kind)).notify_one();
  return created->id;
}

TaskEngine::Lane TaskEngine::LaneOf(const std::string& kind) {
  return kind == "submit_job" || kind == "cancel_job" ? Lane::kJobs : Lane::kGeneral;
}

int TaskEngine::CapOf(Lane lane) const {
  if (lane == Lane::kJobs) return std::max(1, config_.job_workers - 1);
  return std::min(config_.max_running_per_user, std::max(1, config_.workers - 1));
}

std::deque<TaskEngine::Queued>::iterator TaskEngine::NextFor(Lane lane) {
  const int cap = CapOf(lane);
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->lane != lane) continue;
    auto running = running_per_user_.find({lane, it->owner});
    if (running == running_per_user_.end() || running->second < cap) return it;
  }
  return queue_.end();
}

void TaskEngine::WorkerLoop(Lane lane) {
  for (;;) {
    Queued item;
    {
      std::unique_lock lock(mu_);
      WakeOf(lane).wait(lock, [&] { return stopping_ || NextFor(lane) != queue_.end(); });
      if (stopping_) return;
      auto next = NextFor(lane);
      item = std::move(*next);
      queue_.erase(next);
      ++running_per_user_[{lane, item.owner}];
    }
    const Lane item_lane = item.lane;
    const std::string owner = item.owner;
    Run(std::move(item));
    {
      std::lock_guard lock(mu_);
      if (--running_per_user_[{item_lane, owner}] <= 0) running_per_user_.erase({item_lane, owner});
    }
    // A task that waited for this user's slot may go now: this worker takes it at its next look.
  }
}

void TaskEngine::Run(Queued item) {
  auto ctx = std::make_shared<TaskContext>(item.id, node_, store_);
  {
    std::lock_guard lock(mu_);
    running_[item.id] = ctx;
  }
  TaskOutcome outcome;
  try {
    outcome = item.work(*ctx);
  } catch (const std::exception& e) {
    spdlog::error("task {} failed unexpectedly: {}", item.id, e.what());
    outcome = {"failed", TaskFailure(std::string("internal error: ") + e.what())};
  }
  {
    std::lock_guard lock(mu_);
    running_.erase(item.id);
    submitted_here_.erase(item.id);
  }
  if (ctx->lost()) {
    spdlog::warn("task {}: another sfapid node took it over before it started here", item.id);
    return;
  }
  // A cancelled task already ended "cancelled"; this update then changes nothing.
  RecordEnd(item.id, outcome.status, outcome.result, &item.owner);
}

void TaskEngine::RecordEnd(const std::string& id, const std::string& status,
                           const json::value& result, const std::string* owner) {
  // A task whose end is not stored would look running until the next restart: a busy or briefly
  // failing store gets a few tries before the operator is told.
  const std::string text = json::serialize(result);
  Result<bool> done = Status::Internal("not tried");
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
    // Only while this node runs it: another that took it over ends it.
    done = store_.UpdateTask(id, status, text, node_);
    if (done) {
      // Only an end this update wrote is the task's for good (not one cancelled meanwhile).
      if (*done && owner != nullptr) recent_ends_.Add(id, *owner, status, text);
      std::lock_guard lock(ended_mu_);
      ended_.notify_all();
      return;
    }
  }
  LogIfFailed(done, "task " + id + ": storing its end (" + status + "); kept to store later");
  // Not lost: the lease loop stores it once the store takes writes again (a full disk freed).
  std::lock_guard lock(unrecorded_mu_);
  unrecorded_ends_[id] = {status, text};
}

Result<TaskRecord> TaskEngine::Get(const std::string& id, const std::string& owner) {
  auto task = store_.GetTask(id);
  if (!task) return task.status();
  if (task->owner != owner) return Status::NotFound("no task " + id);
  return task;
}

std::optional<TaskRecord> TaskEngine::GetAtOnce(const std::string& id, const std::string& owner) {
  if (auto ended = recent_ends_.Find(id, owner)) return ended;
  if (!alone_on_store_) return std::nullopt;  // another node may have cancelled it
  std::unique_lock lock(mu_, std::try_to_lock);
  if (!lock) return std::nullopt;
  auto here = submitted_here_.find(id);
  if (here == submitted_here_.end() || here->second != owner) return std::nullopt;
  TaskRecord task;
  task.id = id;
  task.owner = owner;
  task.status = "new";
  std::shared_ptr<const std::string> partial;
  if (auto running = running_.find(id); running != running_.end()) {
    std::lock_guard context_lock(running->second->mu_);
    if (running->second->cancelled_ || running->second->lost_) return std::nullopt;
    partial = running->second->stored_partial_;
  }
  lock.unlock();
  if (partial) {
    // A long partial result (a command's output so far) is the pool's to copy, not the I/O
    // thread's.
    if (partial->size() > RecentEnds::kMaxResultBytes) return std::nullopt;
    task.result = *partial;
  }
  return task;
}

Result<TaskRecord> TaskEngine::WaitForEnd(const std::string& id, const std::string& owner,
                                          std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (true) {
    auto task = Get(id, owner);
    if (!task || task->status != "new" || std::chrono::steady_clock::now() >= deadline) return task;
    std::unique_lock lock(ended_mu_);
    ended_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() +
                                                   std::chrono::milliseconds(200)));
  }
}

Result<std::vector<TaskRecord>> TaskEngine::List(const std::string& owner) {
  return store_.ListTasks(owner);
}

Status TaskEngine::Cancel(const std::string& id, const std::string& owner) {
  auto task = Get(id, owner);
  if (!task) return task.status();
  if (task->status != "new") return Status::Ok();  // already ended: nothing to do
  std::shared_ptr<TaskContext> ctx;
  {
    std::lock_guard lock(mu_);
    submitted_here_.erase(id);  // from now on the store says what became of it
    ++cancels_;
    if (auto it = running_.find(id); it != running_.end()) ctx = it->second;
    for (auto it = queue_.begin(); it != queue_.end(); ++it)
      if (it->id == id) {
        queue_.erase(it);
        break;
      }
  }
  std::optional<std::string> partial;
  if (ctx) {
    std::lock_guard lock(ctx->mu_);
    partial = ctx->last_result_;
  }
  auto updated = store_.UpdateTask(id, "cancelled", partial);
  if (!updated) return updated.status();
  if (ctx) ctx->Cancel();
  return Status::Ok();
}

}  // namespace sfapid
