// The local scheduler's scheduling loop (see local_scheduler.h): every pass, or when woken by a
// submission or a cancel, it collects the jobs whose supervisors finished, starts the pending
// jobs that may start and fit, records why the others wait, purges old records and reports the
// jobs that ended.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "backends/scheduler/local/job_end_report.h"
#include "backends/scheduler/local/job_environment.h"
#include "backends/scheduler/local/job_launch.h"
#include "backends/scheduler/local/launch_record.h"
#include "backends/scheduler/local/local_scheduler.h"
#include "backends/scheduler/local/pending_reason.h"
#include "backends/scheduler/slurm_time.h"
#include "util/process_cgroup.h"

namespace sfapid {

namespace json = boost::json;
using local::LocalJob;

namespace {

int64_t NowSeconds() { return static_cast<int64_t>(::time(nullptr)); }

}  // namespace

void LocalScheduler::Loop() {
  for (;;) {
    constexpr auto kLookEvery = std::chrono::milliseconds(100);
    bool full = false, fresh = false;
    {
      // Most passes over a queue of waiting jobs change nothing: they keep the lock shared, so
      // that queries and submissions do not wait on them and rendered rows stay valid.
      std::shared_lock look(mu_);
      wake_.wait_for(look, kLookEvery, [this] { return wake_flag_ || !fresh_.empty(); });
      if (stopping_) return;
      full = wake_flag_;
      fresh = !fresh_.empty();
      // Every 100 ms, also while submissions keep waking the loop: begin times pass, and
      // reservations start and end, with no one to wake it.
      const auto now = std::chrono::steady_clock::now();
      if (!full && now - last_look_ >= kLookEvery) {
        last_look_ = now;
        full = PassHasWork(NowSeconds());
      }
    }
    if (full || fresh) {
      auto lock = Exclusive();
      if (stopping_) return;
      full = full || wake_flag_;  // asked for while the lock was let go
      wake_flag_ = false;
      std::vector<const LocalJob*> changed;
      if (full)
        Tick(NowSeconds(), changed);
      else
        TickFresh(NowSeconds(), changed);
      if (Status s = table_->Update(changed); !s.ok()) {
        spdlog::error("{}: local scheduler cannot save job state: {}", system_.name, s.message());
      } else {
        // Only now: until its end is saved, a job's result must stay readable after a crash.
        for (const std::string& dir : collected_dirs_) local::RemoveJobDir(dir);
        collected_dirs_.clear();
      }
      for (const LocalJob* job : changed) NoteState(*job);
      PurgeIfDue(NowSeconds());
    }
    ReportStates();
    ReportEnded();
  }
}

// A pass takes at most this many records, so that a long history (after an upgrade) does not hold
// the scheduler's lock for long; the next pass follows at once.
void LocalScheduler::PurgeIfDue(int64_t now) {
  if (!purge_.Due(now)) return;
  constexpr size_t kMaxPerPass = 5000;
  const int64_t cutoff = purge_.Cutoff(now);
  std::vector<int64_t> ids = local::PurgeableJobs(jobs_, active_, cutoff, kMaxPerPass);
  if (ids.size() >= kMaxPerPass) purge_.RunAgainSoon();
  if (ids.empty()) return;
  if (Status s = table_->Delete(ids, next_id_); !s.ok()) {
    spdlog::error("{}: local scheduler cannot purge old jobs: {}", system_.name, s.message());
    return;
  }
  for (int64_t id : ids) jobs_.erase(id);
  spdlog::info("{}: purged {} job record{} that ended before {}", system_.name, ids.size(),
               ids.size() == 1 ? "" : "s", slurm::FormatTimestamp(cutoff));
}

std::string LocalScheduler::ReasonNow(const LocalJob& job, int64_t now) const {
  std::string reason = reservations_.PendingReason(job, now);
  if (reason.empty()) reason = local::PendingReason(job, jobs_, array_running_, now);
  return reason;
}

bool LocalScheduler::PassHasWork(int64_t now) const {
  if (purge_.WouldRun(now)) return true;
  for (int64_t id : active_) {
    const LocalJob& job = jobs_.at(id);
    // A job to collect, or one that ended and leaves the active set.
    if (job.supervisor > 0 || job.state != JobState::kPending) return true;
    // As Tick has it. array_running_ is the last pass's: it can only be stale after a job
    // started or ended, and then that job made this answer true first.
    const std::string reason = ReasonNow(job, now);
    if (reason.empty() || reason != job.reason) return true;  // to start, or a new reason
    if (job.eligible_time == 0 && reason == "Resources") return true;
  }
  return false;
}

void LocalScheduler::Tick(int64_t now, std::vector<const LocalJob*>& changed) {
  // Each job looked up once: with 10,000 jobs waiting, lookups were most of a pass.
  std::vector<LocalJob*> active;
  active.reserve(active_.size());
  for (int64_t id : active_) active.push_back(&jobs_.at(id));
  // Ended jobs free their nodes before anything new is placed.
  for (LocalJob* job : active)
    if (job->supervisor > 0) Collect(*job, now, changed);
  // Running tasks per array, counted once per pass (the %N throttle), not once per pending task.
  array_running_.clear();
  for (const LocalJob* job : active)
    if (job->array_job_id != 0 && (job->state == JobState::kRunning || job->supervisor > 0))
      ++array_running_[job->array_job_id];
  fresh_.clear();  // this pass covers them
  Consider(active, now, changed);
}

void LocalScheduler::TickFresh(int64_t now, std::vector<const LocalJob*>& changed) {
  std::vector<LocalJob*> fresh;
  for (int64_t id : fresh_)
    if (active_.contains(id)) fresh.push_back(&jobs_.at(id));  // not cancelled since
  fresh_.clear();
  Consider(fresh, now, changed);
}

void LocalScheduler::Consider(const std::vector<LocalJob*>& jobs, int64_t now,
                              std::vector<const LocalJob*>& changed) {
  for (LocalJob* pointer : jobs) {
    LocalJob& job = *pointer;
    const int64_t id = job.id;
    if (job.Ended() && job.supervisor == 0) {
      active_.erase(id);
      if (!job.reported) unreported_.insert(id);
      continue;
    }
    if (job.state != JobState::kPending) continue;
    const std::string reason = ReasonNow(job, now);
    bool started = false;
    try {
      started = reason.empty() && TryStart(job, now);
    } catch (const std::exception& e) {
      spdlog::error("{}: job {} cannot start: {}", system_.name, job.DisplayId(), e.what());
      job.state = JobState::kFailed;
      job.exit_code = 1;
      job.start_time = job.end_time = now;
      job.node_ids.clear();
      started = true;
    }
    if (started) {
      if (job.array_job_id != 0 && job.supervisor > 0) ++array_running_[job.array_job_id];
      changed.push_back(&job);
      continue;
    }
    const std::string shown = reason.empty() ? "Resources" : reason;
    if (job.eligible_time == 0 && (reason.empty() || reason == "Resources"))
      job.eligible_time = now;
    if (shown != job.reason) {
      job.reason = shown;
      changed.push_back(&job);
    }
  }
}

void LocalScheduler::Collect(LocalJob& job, int64_t now, std::vector<const LocalJob*>& changed) {
  const std::string dir = JobDir(job.id);
  const local::SupervisorWait wait = local::ReapSupervisor(job.supervisor);
  auto result = local::ReadJobResult(dir);
  if (!result) {
    // Our own child is alive until it is reaped (it may not have exec'd yet); one started by an
    // earlier sfapid is asked through /proc.
    if (wait == local::SupervisorWait::kRunning) return;
    if (wait == local::SupervisorWait::kNotChild && local::SupervisorAlive(job.supervisor, dir))
      return;
    result = local::ReadJobResult(dir);  // it may have finished between the two looks
    if (!result) {
      // The supervisor vanished without a word (killed, or the machine rebooted). What the job
      // still runs is ended with it, as slurmd's death ends a node's jobs: its CPUs are given
      // back now, and nothing of it may run on beside the next job.
      const int ended = ProcessCgroup::EndOrphans("job-");
      spdlog::warn(
          "{}: job {} lost its supervisor; recorded as NODE_FAIL ({} orphaned job "
          "cgroup(s) ended)",
          system_.name, job.DisplayId(), ended);
      result = local::JobResult{JobState::kNodeFail, 0, 0, job.start_time, now};
    }
  }
  if (!job.releasing) {
    job.state = result->state;
    job.end_time = result->end_time;
  }
  job.exit_code = result->exit_code;
  job.exit_signal = result->exit_signal;
  nodes_.Release(job.node_ids, job.CpusPerNode(), job.mem_mb);
  job.supervisor = 0;
  job.releasing = false;
  collected_dirs_.push_back(dir);  // removed once the end is saved (Loop)
  changed.push_back(&job);
}

bool LocalScheduler::TryStart(LocalJob& job, int64_t now) {
  const std::vector<bool> usable = reservations_.UsableNodes(job, now, nodes_.size());
  const auto chosen = nodes_.Find(job.nodes, job.CpusPerNode(), job.mem_mb, &usable);
  if (!chosen) return false;

  // Started before a crash that came before it was recorded: adopted, never started twice.
  const local::EarlierLaunch earlier = local::FindEarlierLaunch(JobDir(job.id));
  if (earlier.kind == local::EarlierLaunch::kWait) return false;
  if (earlier.kind == local::EarlierLaunch::kAdopt) {
    spdlog::warn(
        "{}: job {} was started before sfapid stopped, unrecorded; its supervisor {} is "
        "taken over",
        system_.name, job.DisplayId(), earlier.supervisor);
    job.node_ids = *chosen;
    Started(job, *chosen, earlier.supervisor, now);
    return true;
  }
  auto script = table_->Script(job.id);
  const std::string node = nodes_.names()[static_cast<size_t>(chosen->front())];
  job.node_ids = *chosen;
  const local::JobPlacement where{system_.name, node, local::NodeList(job, View(now)), now};
  local::LaunchSpec spec;
  spec.account = job.account_unix;
  spec.uid = static_cast<int64_t>(job.uid);
  spec.gid = static_cast<int64_t>(job.gid);
  spec.work_dir = job.work_dir;
  spec.stdout_path = local::ExpandOutputPattern(job.stdout_pattern, job, node);
  spec.stderr_path = local::ExpandOutputPattern(job.stderr_pattern, job, node);
  if (!job.stdin_pattern.empty())
    spec.stdin_path = local::ExpandOutputPattern(job.stdin_pattern, job, node);
  spec.append = job.append_output;
  spec.script = script ? *script : std::string();
  spec.command = job.script_path;
  spec.args = job.args;
  for (const auto& v : local::JobEnvironment(job, where))
    if (v.is_string()) spec.env.emplace_back(v.as_string());
  spec.time_limit = reservations_.TimeLimitAt(job, now);
  spec.kill_wait = static_cast<int64_t>(system_.scheduler.kill_wait_seconds);
  spec.jobid = job.DisplayId();
  spec.node = node;
  auto pid = script ? local::LaunchJob(JobDir(job.id), spec) : Result<pid_t>(script.status());
  if (!pid) {
    spdlog::error("{}: job {} could not start: {}", system_.name, job.DisplayId(),
                  pid.status().message());
    job.node_ids.clear();
    job.state = JobState::kFailed;
    job.reason = "None";
    job.exit_code = 1;
    job.start_time = job.end_time = now;
    return true;
  }
  Started(job, *chosen, *pid, now);
  return true;
}

void LocalScheduler::Started(LocalJob& job, const std::vector<int>& nodes, pid_t supervisor,
                             int64_t now) {
  nodes_.Hold(nodes, job.CpusPerNode(), job.mem_mb);
  job.supervisor = supervisor;
  supervisor_exits_.Add(supervisor);
  job.state = JobState::kRunning;
  job.reason = "None";
  job.start_time = now;
  if (job.eligible_time == 0) job.eligible_time = now;
}

void LocalScheduler::NoteState(const local::LocalJob& job) {
  if (IsTerminal(job.state)) {  // its end is reported as such
    reported_state_.erase(job.id);
    return;
  }
  auto [it, fresh] = reported_state_.try_emplace(job.id, job.state);
  if (!fresh && it->second == job.state) return;
  it->second = job.state;
  state_changes_.push_back(
      {system_.name, job.DisplayId(), job.user, std::string(JobStateName(job.state))});
}

void LocalScheduler::ReportStates() {
  std::vector<JobStateChange> changes;
  {
    std::unique_lock lock(mu_);  // not Exclusive(): no job changes
    changes.swap(state_changes_);
  }
  if (on_state_)
    for (const auto& c : changes) on_state_(c);
}

void LocalScheduler::ReportEnded() {
  std::vector<FinishedJob> ended;
  std::vector<int64_t> ids;
  {
    std::shared_lock lock(mu_);
    ended = local::EndReports(jobs_, unreported_, system_.name);
    ids.assign(unreported_.begin(), unreported_.end());
  }
  if (ids.empty()) return;
  for (const auto& f : ended)
    if (on_end_) on_end_(f);
  auto lock = Exclusive();
  std::vector<const LocalJob*> changed;
  for (int64_t id : ids) {
    LocalJob& job = jobs_.at(id);
    job.reported = true;
    unreported_.erase(id);
    changed.push_back(&job);
  }
  if (Status s = table_->Update(changed); !s.ok())
    spdlog::error("{}: local scheduler cannot save job state: {}", system_.name, s.message());
}

}  // namespace sfapid
