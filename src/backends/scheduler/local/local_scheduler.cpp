#include "backends/scheduler/local/local_scheduler.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "backends/scheduler/local/job_ids.h"
#include "backends/scheduler/local/job_launch.h"
#include "backends/scheduler/local/job_query.h"
#include "backends/scheduler/local/submit_limit.h"
#include "util/private_files.h"

namespace sfapid {

using local::LocalJob;

namespace {

int64_t NowSeconds() { return static_cast<int64_t>(::time(nullptr)); }

Status ScancelError(const std::string& jobid, const std::string& why) {
  return Status::InvalidArgument("scancel: error: Kill job error on job id " + jobid + ": " + why);
}

int64_t MachineMemoryMb() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<int64_t>(pages) * size / (1024 * 1024) : 1024;
}

local::NodePool MakeNodePool(const SchedulerConfig& c) {
  const int64_t cpus = c.cpus_per_node > 0
                           ? c.cpus_per_node
                           : std::max(1, static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN)));
  return local::NodePool(c.nodes, cpus,
                         c.memory_mb_per_node > 0 ? c.memory_mb_per_node : MachineMemoryMb());
}

}  // namespace

LocalScheduler::LocalScheduler(const SystemConfig& system, std::string spool_dir)
    : system_(system),
      spool_dir_(std::move(spool_dir)),
      nodes_(MakeNodePool(system.scheduler)),
      factory_(system.scheduler, nodes_),
      purge_(system.scheduler.purge_jobs_after_days) {}

LocalScheduler::~LocalScheduler() { Stop(); }

Status LocalScheduler::Health() {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(spool_dir_, ec)) fs::create_directories(spool_dir_, ec);
  if (ec)
    return Status::Unavailable("cannot create spool folder " + spool_dir_ + ": " + ec.message());
  if (!fs::is_directory(spool_dir_, ec))
    return Status::Unavailable("spool path " + spool_dir_ + " is not a folder");
  // A job's state is written to the spool: prove that a file can be created there now.
  const std::string probe = spool_dir_ + "/.health";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return Status::Unavailable("cannot write in spool folder " + spool_dir_ + ": " +
                               std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
  return Status::Ok();
}

std::string LocalScheduler::JobDir(int64_t id) const {
  return spool_dir_ + "/jobs/" + std::to_string(id);
}

local::ClusterView LocalScheduler::View(int64_t now) const {
  return {system_.name, nodes_.names(), now};
}

void LocalScheduler::Start() {
  namespace fs = std::filesystem;
  if (Status s = EnsurePrivateDir(spool_dir_); !s.ok())
    spdlog::error("{}: spool {}: {}", system_.name, spool_dir_, s.message());
  std::error_code ec;
  fs::create_directories(spool_dir_ + "/jobs", ec);
  // One server per spool: a second would hand out the same job ids and start the same jobs.
  lock_fd_ = ::open((spool_dir_ + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    spdlog::error("{}: the spool {} is in use by another sfapid; jobs are refused", system_.name,
                  spool_dir_);
    return;
  }
  auto table = local::JobTable::Open(spool_dir_ + "/jobs.db");
  if (!table) {
    spdlog::error("{}: local scheduler cannot open its state: {}", system_.name,
                  table.status().message());
    return;
  }
  auto jobs = (*table)->LoadAll();
  if (!jobs) {
    spdlog::error("{}: local scheduler cannot load its jobs: {}", system_.name,
                  jobs.status().message());
    return;
  }
  auto next_id = (*table)->NextId();
  auto reservations = (*table)->LoadReservations();
  if (!reservations) {
    spdlog::error("{}: local scheduler cannot load its reservations: {}", system_.name,
                  reservations.status().message());
    return;
  }
  auto lock = Exclusive();
  for (const auto& record : *reservations) reservations_.Put(local::ReservationFromJson(record));
  table_ = std::move(table).value();
  if (next_id) next_id_ = std::max(next_id_, *next_id);
  size_t running = 0;
  for (auto& job : *jobs) {
    next_id_ = std::max(next_id_, job.id + 1);
    if (!job.Ended() || job.supervisor > 0)
      active_.insert(job.id);
    else if (!job.reported)
      unreported_.insert(job.id);
    // Only jobs still running hold nodes (ended ones keep node_ids for sacct's NodeList).
    if (job.supervisor > 0) nodes_.Hold(job.node_ids, job.CpusPerNode(), job.mem_mb);
    if (job.supervisor > 0) {
      ++running;
      supervisor_exits_.Add(job.supervisor);
    }
    jobs_.emplace(job.id, std::move(job));
  }
  // Folders of ended jobs (a crash after their end was saved, before they were removed).
  for (const auto& entry : fs::directory_iterator(spool_dir_ + "/jobs", ec)) {
    const std::string name = entry.path().filename().string();
    char* end = nullptr;
    const int64_t id = std::strtoll(name.c_str(), &end, 10);
    if (end && *end == '\0' && !name.empty())
      if (auto it = jobs_.find(id);
          it != jobs_.end() && it->second.Ended() && it->second.supervisor == 0)
        local::RemoveJobDir(entry.path().string());
  }
  started_ = true;
  stopping_ = false;
  spdlog::info(
      "{}: local scheduler with {} node(s) of {} CPUs and {} MB; {} jobs known, {} running",
      system_.name, nodes_.size(), nodes_.cpus_per_node(), nodes_.memory_mb_per_node(),
      jobs_.size(), running);
  lock.unlock();
  supervisor_exits_.Start();
  loop_ = std::thread([this] { Loop(); });
}

void LocalScheduler::Wake() {
  {
    auto lock = Exclusive();
    wake_flag_ = true;
  }
  wake_.notify_all();
}

void LocalScheduler::Stop() {
  {
    auto lock = Exclusive();
    stopping_ = true;
    wake_flag_ = true;
  }
  wake_.notify_all();
  supervisor_exits_.Stop();
  if (loop_.joinable()) loop_.join();
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the flock
    lock_fd_ = -1;
  }
  // Running jobs are left to their supervisors: they finish and are recorded at the next start.
}

Result<std::string> LocalScheduler::Submit(const JobScript& script) {
  const int64_t now = NowSeconds();
  auto made = factory_.Make(script, now);
  if (!made) return made.status();
  std::vector<LocalJob>& jobs = *made;
  auto lock = Exclusive();
  if (!started_ || !table_) return Status::Unavailable("the local scheduler is not running");
  local::DropUnknownDependencies(jobs, jobs_);
  if (Status s = CheckReservation(jobs.front()); !s.ok()) return s;
  if (Status s = local::CheckSubmitLimit(system_.scheduler.max_submit_jobs_per_user, jobs_, active_,
                                         jobs.front().uid, jobs.size());
      !s.ok())
    return s;
  const int64_t first = next_id_;
  for (size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].id = first + static_cast<int64_t>(i);
    if (jobs[i].array_task_id >= 0) jobs[i].array_job_id = first;
    // As slurmctld at submission (job_independent): a job that waits on another job, or on a
    // reservation, says so at once; a query answered right after the submission must not read
    // "None" for a job that cannot start until a scheduling pass has looked at it.
    if (std::string reason = ReasonNow(jobs[i], now); !reason.empty()) jobs[i].reason = reason;
  }
  if (Status s = table_->Insert(jobs, script.text); !s.ok()) return s;
  next_id_ = first + static_cast<int64_t>(jobs.size());
  // A job held or waiting for its begin time cannot start now: no pass for it (the loop's
  // periodic look notices when that changes); the others are looked at once.
  bool wake = false;
  for (auto& job : jobs) {
    active_.insert(job.id);
    if (!job.held && job.begin_time <= now) {
      fresh_.push_back(job.id);
      wake = true;
    }
    NoteState(job);
    jobs_.emplace(job.id, std::move(job));
  }
  lock.unlock();
  if (wake) wake_.notify_all();
  return std::to_string(first);
}

Result<std::vector<std::string>> LocalScheduler::FindSubmitted(const JobScript& script,
                                                               int64_t since,
                                                               const std::string& reservation) {
  (void)reservation;  // the job keeps the reservation it names; nothing else to take over
  std::shared_lock lock(mu_);
  if (!started_) return Status::Unavailable("the local scheduler is not running");
  std::vector<std::string> ids;
  for (const auto& [id, job] : jobs_) {
    if (job.uid != script.who.uid || job.script_path != script.path || job.submit_time < since)
      continue;
    // An array is one submission: its tasks are jobs of one array id.
    const std::string shown = std::to_string(job.array_job_id != 0 ? job.array_job_id : job.id);
    if (std::find(ids.begin(), ids.end(), shown) == ids.end()) ids.push_back(shown);
  }
  return ids;
}

std::unique_lock<std::shared_mutex> LocalScheduler::Exclusive() {
  std::unique_lock lock(mu_);
  ++generation_;
  return lock;
}

std::vector<SerializedRow> LocalScheduler::QueryHeld(const JobQuery& q) const {
  const int64_t now = NowSeconds();
  return local::QueryJobs(jobs_, q, View(now), system_.scheduler.min_job_age_seconds, &rows_,
                          {generation_, now});
}

Result<std::vector<SerializedRow>> LocalScheduler::Query(const JobQuery& q) {
  std::shared_lock lock(mu_);
  if (!started_) return Status::Unavailable("the local scheduler is not running");
  return QueryHeld(q);
}

std::optional<Result<std::vector<SerializedRow>>> LocalScheduler::QueryAtOnce(const JobQuery& q) {
  // Little work: named jobs, or a page of at most 100 rows (the scan to fill it compares a few
  // fields per job: under a millisecond for 10,000 jobs).
  constexpr size_t kMaxRows = 100;
  const bool named = std::any_of(q.filters.begin(), q.filters.end(),
                                 [](const JobFilter& f) { return f.name == "jobid"; });
  if (!named && (!q.limit || *q.limit > kMaxRows)) return std::nullopt;
  // Not while a submission or the scheduler's pass holds the lock (a store write, a launch).
  std::shared_lock lock(mu_, std::try_to_lock);
  if (!lock.owns_lock() || !started_) return std::nullopt;
  return QueryHeld(q);
}

Status LocalScheduler::Cancel(const UnixIdentity& who, const std::string& jobid) {
  auto lock = Exclusive();
  if (!started_) return Status::Unavailable("the local scheduler is not running");
  const int64_t now = NowSeconds();
  std::vector<LocalJob*> targets = local::ResolveJobId(jobs_, jobid);
  // Jobs that ended longer than MinJobAge ago are gone from slurmctld, so from scancel's view.
  const auto forgotten = [&](const LocalJob* j) {
    return j->Ended() &&
           j->end_time < now - static_cast<int64_t>(system_.scheduler.min_job_age_seconds);
  };
  if (std::all_of(targets.begin(), targets.end(), forgotten))
    return ScancelError(jobid, "Invalid job id specified");
  for (LocalJob* j : targets)
    if (j->uid != who.uid) return ScancelError(jobid, "Access/permission denied");
  std::vector<const LocalJob*> changed;
  for (LocalJob* j : targets) {
    if (j->Ended()) continue;
    // Finished but not collected yet: too late to cancel, as Slurm would say.
    if (j->state == JobState::kRunning && local::ReadJobResult(JobDir(j->id))) continue;
    if (j->state == JobState::kRunning) {
      j->releasing = true;
      local::SignalSupervisor(j->supervisor, JobDir(j->id));
    }
    j->state = JobState::kCancelled;
    j->reason = "None";
    j->end_time = now;
    j->cancelled_by = who.uid;
    changed.push_back(j);
  }
  if (changed.empty()) return ScancelError(jobid, "Job/step already completing or completed");
  if (Status s = table_->Update(changed); !s.ok()) return s;
  wake_flag_ = true;
  lock.unlock();
  wake_.notify_all();
  return Status::Ok();
}

Status LocalScheduler::UpdateJob(const UnixIdentity& who, const std::string& jobid,
                                 const JobChanges& changes) {
  auto lock = Exclusive();
  if (!started_ || !table_) return Status::Unavailable("the local scheduler is not running");
  const int64_t now = NowSeconds();
  std::vector<LocalJob*> targets = local::ResolveJobId(jobs_, jobid);
  // Unknown, gone from slurmctld's view (ended longer than MinJobAge ago) or another user's
  // (theirs to know about only): the same answer.
  const auto unknown = [&](const LocalJob* j) {
    return j->uid != who.uid ||
           (j->Ended() &&
            j->end_time < now - static_cast<int64_t>(system_.scheduler.min_job_age_seconds));
  };
  if (targets.empty() || std::any_of(targets.begin(), targets.end(), unknown))
    return Status::NotFound("Invalid job id specified for job " + jobid);
  for (const LocalJob* j : targets)
    if (j->state != JobState::kPending)
      return Status::FailedPrecondition("job " + jobid +
                                        " is not pending: only a pending job can be changed");
  // All tasks or none: each is changed in a copy first.
  std::vector<LocalJob> updated;
  for (const LocalJob* j : targets) {
    LocalJob copy = *j;
    if (Status s = factory_.Change(copy, changes); !s.ok()) return s;
    if (changes.account)  // the job's reservation must still admit it
      if (Status s = CheckReservation(copy); !s.ok()) return s;
    updated.push_back(std::move(copy));
  }
  if (changes.empty()) return Status::Ok();
  std::vector<const LocalJob*> changed;
  for (size_t i = 0; i < targets.size(); ++i) changed.push_back(&updated[i]);
  if (Status s = table_->Update(changed); !s.ok()) return s;
  for (size_t i = 0; i < targets.size(); ++i) *targets[i] = std::move(updated[i]);
  wake_flag_ = true;  // a new partition or size may let it start now
  lock.unlock();
  wake_.notify_all();
  return Status::Ok();
}

}  // namespace sfapid
