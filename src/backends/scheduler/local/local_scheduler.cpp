#include "backends/scheduler/local/local_scheduler.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "backends/scheduler/job_fields.h"
#include "backends/scheduler/local/job_launch.h"
#include "backends/scheduler/slurm_time.h"
#include "util/private_files.h"
#include "util/split.h"

namespace sfapid {

namespace json = boost::json;
using local::LocalJob;

namespace {

int64_t NowSeconds() { return static_cast<int64_t>(::time(nullptr)); }

Status SbatchError(const std::string& text) {
  return Status::InvalidArgument("sbatch: error: " + text);
}

Status ScancelError(const std::string& jobid, const std::string& why) {
  return Status::InvalidArgument("scancel: error: Kill job error on job id " + jobid + ": " + why);
}

int64_t MachineMemoryMb() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<int64_t>(pages) * size / (1024 * 1024) : 1024;
}

std::string GroupName(gid_t gid) {
  group g{}, *found = nullptr;
  char buf[4096];
  if (::getgrgid_r(gid, &g, buf, sizeof buf, &found) == 0 && found) return g.gr_name;
  return std::to_string(gid);
}

std::string Basename(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string Hostname() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

LocalScheduler::LocalScheduler(const SystemConfig& system, std::string spool_dir)
    : system_(system), spool_dir_(std::move(spool_dir)) {
  const SchedulerConfig& c = system.scheduler;
  cpus_per_node_ = c.cpus_per_node > 0
                       ? c.cpus_per_node
                       : std::max(1, static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN)));
  memory_mb_per_node_ = c.memory_mb_per_node > 0 ? c.memory_mb_per_node : MachineMemoryMb();
  if (auto d = slurm::ParseDuration(c.default_time)) default_time_ = *d;
  if (auto m = slurm::ParseDuration(c.max_time)) max_time_ = *m;
  for (int i = 1; i <= c.nodes; ++i) {
    std::string digits = std::to_string(i);
    node_names_.push_back("nid" + std::string(digits.size() < 3 ? 3 - digits.size() : 0, '0') +
                          digits);
  }
  free_cpus_.assign(node_names_.size(), cpus_per_node_);
  free_mem_.assign(node_names_.size(), memory_mb_per_node_);
}

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
  return {system_.name, node_names_, now};
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
  std::unique_lock lock(mu_);
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
    for (int n : job.supervisor > 0 ? job.node_ids : std::vector<int>{}) {
      if (n < 0 || static_cast<size_t>(n) >= free_cpus_.size()) continue;
      free_cpus_[static_cast<size_t>(n)] -= job.CpusPerNode();
      free_mem_[static_cast<size_t>(n)] -= job.mem_mb;
    }
    if (job.supervisor > 0) ++running;
    jobs_.emplace(job.id, std::move(job));
  }
  started_ = true;
  stopping_ = false;
  spdlog::info(
      "{}: local scheduler with {} node(s) of {} CPUs and {} MB; {} jobs known, {} running",
      system_.name, node_names_.size(), cpus_per_node_, memory_mb_per_node_, jobs_.size(), running);
  lock.unlock();
  loop_ = std::thread([this] { Loop(); });
}

void LocalScheduler::Stop() {
  {
    std::unique_lock lock(mu_);
    stopping_ = true;
    wake_flag_ = true;
  }
  wake_.notify_all();
  if (loop_.joinable()) loop_.join();
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the flock
    lock_fd_ = -1;
  }
  // Running jobs are left to their supervisors: they finish and are recorded at the next start.
}

Result<std::vector<LocalJob>> LocalScheduler::MakeJobs(const JobScript& script, int64_t now) {
  auto parsed = local::ParseSbatchScript(script.text, now);
  if (!parsed) return parsed.status();
  local::SbatchOptions& o = *parsed;
  const SchedulerConfig& c = system_.scheduler;

  LocalJob job;
  job.user = script.who.api_user;
  job.account_unix = script.who.account;
  job.uid = script.who.uid;
  job.gid = script.who.gid;
  job.group = GroupName(script.who.gid);
  job.name = o.name.value_or(Basename(script.path));
  job.partition = o.partition.value_or(c.partitions.front());
  if (!Contains(c.partitions, job.partition))
    return SbatchError("Batch job submission failed: Invalid partition name specified");
  job.account = !script.charge_account.empty() ? script.charge_account
                                               : o.account.value_or(c.default_account);
  job.qos = o.qos.value_or("normal");
  job.constraint = o.constraint.value_or("");
  job.comment = o.comment.value_or("");
  job.script_path = script.path;
  job.args = script.args;
  job.submit_dir = script.submit_dir;
  job.work_dir = script.submit_dir;
  if (o.chdir)
    job.work_dir = o.chdir->front() == '/' ? *o.chdir : script.submit_dir + "/" + *o.chdir;
  job.nodes = o.nodes;
  job.ntasks = std::max(o.ntasks, o.nodes);
  job.cpus_per_task = o.cpus_per_task;
  job.mem_mb = o.mem_whole_node ? memory_mb_per_node_ : o.mem_mb;
  job.time_limit = o.time_limit.value_or(default_time_);
  if (max_time_ >= 0 && (job.time_limit < 0 || job.time_limit > max_time_))
    return SbatchError(
        "Batch job submission failed: Requested time limit is invalid (missing or exceeds some "
        "limit)");
  if (job.time_limit == 0)
    return SbatchError(
        "Batch job submission failed: Requested time limit is invalid (missing or exceeds some "
        "limit)");
  // Jobs that could never run are refused, in Slurm's words for each case.
  if (static_cast<size_t>(job.nodes) > node_names_.size())
    return SbatchError("Batch job submission failed: Node count specification invalid");
  if (job.CpusPerNode() > cpus_per_node_)
    return SbatchError("Batch job submission failed: More processors requested than permitted");
  if (job.mem_mb > memory_mb_per_node_)
    return SbatchError(
        "Memory specification can not be satisfied\nsbatch: error: Batch job submission failed: "
        "Requested node configuration is not available");
  job.append_output = o.append_output;
  job.dependencies = o.dependencies;
  job.dependency_text = o.dependency_text;
  job.begin_time = o.begin.value_or(0);
  job.held = o.hold;
  job.ignored = o.ignored;
  job.submit_time = now;
  job.stdout_pattern = o.output.value_or(o.array ? "slurm-%A_%a.out" : "slurm-%j.out");
  job.stderr_pattern = o.error.value_or(job.stdout_pattern);
  job.reason = "None";

  std::vector<LocalJob> jobs;
  if (!o.array) {
    jobs.push_back(std::move(job));
    return jobs;
  }
  const auto& idx = o.array->indices;
  job.array_max_running = o.array->max_running;
  job.array_size = static_cast<int64_t>(idx.size());
  job.array_min = idx.front();
  job.array_max = idx.back();
  job.array_step = idx.size() > 1 ? idx[1] - idx[0] : 1;
  for (int64_t i : idx) {
    LocalJob task = job;
    task.array_task_id = i;
    jobs.push_back(std::move(task));
  }
  return jobs;
}

// As Slurm: a dependency on a job it does not know (long gone, or never was) is dropped, not an
// error; squeue then shows only the dependencies that remain.
void LocalScheduler::DropUnknownDependencies(std::vector<LocalJob>& jobs) {
  std::vector<local::Dependency> known;
  for (const auto& dep : jobs.front().dependencies)
    if (!Resolve(dep.jobid).empty()) known.push_back(dep);
  if (known.size() == jobs.front().dependencies.size()) return;
  std::string text;
  for (const auto& dep : known) {
    if (!text.empty()) text.push_back(',');
    text.append(dep.type);
    text.push_back(':');
    text.append(dep.jobid);
  }
  for (LocalJob& job : jobs) {
    job.dependencies = known;
    job.dependency_text = text;
  }
}

// Slurm's MaxSubmitJobs: a user's pending and running jobs, each array task counted, may not pass
// the limit with this submission.
Status LocalScheduler::CheckSubmitLimit(uid_t uid, size_t adding) const {
  const int limit = system_.scheduler.max_submit_jobs_per_user;
  if (limit <= 0) return Status::Ok();
  size_t live = 0;
  for (int64_t id : active_) {
    const LocalJob& job = jobs_.at(id);
    live += job.uid == uid && !job.Ended();
  }
  if (live + adding <= static_cast<size_t>(limit)) return Status::Ok();
  return SbatchError(
      "AssocMaxSubmitJobLimit\nsbatch: error: Batch job submission failed: Job violates "
      "accounting/QOS policy (job submit limit, user's size and/or time limits)");
}

Result<std::string> LocalScheduler::Submit(const JobScript& script) {
  const int64_t now = NowSeconds();
  auto made = MakeJobs(script, now);
  if (!made) return made.status();
  std::vector<LocalJob>& jobs = *made;
  std::unique_lock lock(mu_);
  if (!started_ || !table_) return Status::Unavailable("the local scheduler is not running");
  DropUnknownDependencies(jobs);
  if (Status s = CheckSubmitLimit(jobs.front().uid, jobs.size()); !s.ok()) return s;
  const int64_t first = next_id_;
  for (size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].id = first + static_cast<int64_t>(i);
    if (jobs[i].array_task_id >= 0) jobs[i].array_job_id = first;
  }
  if (Status s = table_->Insert(jobs, script.text); !s.ok()) return s;
  next_id_ = first + static_cast<int64_t>(jobs.size());
  for (auto& job : jobs) {
    active_.insert(job.id);
    jobs_.emplace(job.id, std::move(job));
  }
  wake_flag_ = true;
  lock.unlock();
  wake_.notify_all();
  return std::to_string(first);
}

std::vector<LocalJob*> LocalScheduler::Resolve(const std::string& jobid) {
  std::vector<LocalJob*> out;
  const size_t us = jobid.find('_');
  const std::string main = jobid.substr(0, us);
  if (main.empty() || main.size() > 18 || !std::all_of(main.begin(), main.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      }))
    return out;
  const int64_t id = std::stoll(main);
  if (us != std::string::npos) {
    const std::string task = jobid.substr(us + 1);
    for (auto it = jobs_.find(id); it != jobs_.end() && it->second.array_job_id == id; ++it)
      if (std::to_string(it->second.array_task_id) == task) out.push_back(&it->second);
    return out;
  }
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return out;
  if (it->second.array_job_id != id) {
    out.push_back(&it->second);
    return out;
  }
  for (; it != jobs_.end() && it->second.array_job_id == id; ++it) out.push_back(&it->second);
  return out;
}

Result<std::vector<SerializedRow>> LocalScheduler::Query(const JobQuery& q) {
  const int64_t now = NowSeconds();
  const double min_age = system_.scheduler.min_job_age_seconds;
  // Filters on the job's own fields first (cheap), then on rendered output fields.
  std::vector<std::string> ids, users, partitions, states, names, accounts;
  std::vector<const JobFilter*> by_field;
  for (const auto& f : q.filters) {
    if (f.name == "jobid") {
      auto v = SplitList(f.value);
      ids.insert(ids.end(), v.begin(), v.end());
    } else if (f.name == "user") {
      users = SplitList(f.value);
    } else if (f.name == "partition") {
      partitions = SplitList(f.value);
    } else if (f.name == "state") {
      for (const auto& s : SplitList(f.value)) {
        const std::string_view n = slurm::NormalizeState(s);
        states.emplace_back(n.empty() ? s : std::string(n));
      }
    } else if (f.name == "name") {
      names = SplitList(f.value);
    } else if (f.name == "account") {
      accounts = SplitList(f.value);
    } else {
      by_field.push_back(&f);
    }
  }
  const bool has_ids = std::any_of(q.filters.begin(), q.filters.end(),
                                   [](const JobFilter& f) { return f.name == "jobid"; });
  std::shared_lock lock(mu_);
  if (!started_) return Status::Unavailable("the local scheduler is not running");
  const local::ClusterView view = View(now);
  std::vector<const LocalJob*> candidates;
  if (has_ids) {
    std::set<int64_t> seen;
    for (const auto& id : ids)
      for (LocalJob* j : const_cast<LocalScheduler*>(this)->Resolve(id))
        if (seen.insert(j->id).second) candidates.push_back(j);
    std::sort(candidates.begin(), candidates.end(),
              [](const LocalJob* a, const LocalJob* b) { return a->id < b->id; });
  } else {
    candidates.reserve(jobs_.size());
    for (const auto& [id, job] : jobs_) candidates.push_back(&job);
  }
  std::vector<SerializedRow> rows;
  size_t skipped = 0;
  for (const LocalJob* j : candidates) {
    if (q.limit && rows.size() >= *q.limit) break;
    if (!q.sacct && j->Ended() && j->end_time < now - static_cast<int64_t>(min_age)) continue;
    // Slurm's accounting learns of a job held at submission only once it is released or ends.
    if (q.sacct && j->held && j->state == "PENDING") continue;
    if (!users.empty() && !Contains(users, j->account_unix) && !Contains(users, j->user)) continue;
    if (!partitions.empty() && !Contains(partitions, j->partition)) continue;
    if (!states.empty() && !Contains(states, j->state)) continue;
    if (!names.empty() && !Contains(names, j->name)) continue;
    if (!accounts.empty() && !Contains(accounts, j->account)) continue;
    JobRow row = q.sacct ? local::SacctRow(*j, view) : local::SqueueRow(*j, view);
    bool match = true;
    for (const JobFilter* f : by_field) {
      const json::value* v = row.if_contains(f->name);
      if (!v || !v->is_string() || v->as_string() != f->value) {
        match = false;
        break;
      }
    }
    if (!match) continue;
    if (skipped < q.index) {
      ++skipped;
      continue;
    }
    rows.push_back(Serialize(row));
  }
  return rows;
}

Status LocalScheduler::Cancel(const UnixIdentity& who, const std::string& jobid) {
  std::unique_lock lock(mu_);
  if (!started_) return Status::Unavailable("the local scheduler is not running");
  const int64_t now = NowSeconds();
  std::vector<LocalJob*> targets = Resolve(jobid);
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
    if (j->state == "RUNNING" && local::ReadJobResult(JobDir(j->id))) continue;
    if (j->state == "RUNNING") {
      j->releasing = true;
      local::SignalSupervisor(j->supervisor, JobDir(j->id));
    }
    j->state = "CANCELLED";
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

void LocalScheduler::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return wake_flag_; });
      wake_flag_ = false;
      if (stopping_) return;
      std::vector<const LocalJob*> changed;
      Tick(NowSeconds(), changed);
      if (Status s = table_->Update(changed); !s.ok())
        spdlog::error("{}: local scheduler cannot save job state: {}", system_.name, s.message());
      PurgeIfDue(NowSeconds());
    }
    ReportEnded();
  }
}

// Jobs that ended more than purge_jobs_after_days ago are forgotten (slurmdbd's PurgeJobAfter),
// an array once all its tasks are; checked every tenth of that time, at most every 10 minutes.
void LocalScheduler::PurgeIfDue(int64_t now) {
  const double keep_seconds = system_.scheduler.purge_jobs_after_days * 86400;
  if (keep_seconds <= 0) return;
  const double every = std::min(600.0, keep_seconds / 10);
  if (last_purge_ != 0 && now - last_purge_ < every) return;
  last_purge_ = now;
  const int64_t cutoff = now - static_cast<int64_t>(keep_seconds);
  const auto gone = [&](const LocalJob& j) {
    return j.Ended() && j.supervisor == 0 && j.reported && j.end_time < cutoff;
  };
  // A job a waiting job depends on is kept: forgetting it would turn a dependency that can never
  // be satisfied (afterok on a failed job) into one that is (unknown jobs count as done).
  std::set<std::string> depended_on;
  for (int64_t id : active_)
    for (const auto& dep : jobs_.at(id).dependencies)
      depended_on.insert(dep.jobid.substr(0, dep.jobid.find('_')));
  // At most this many records a pass, so that a long history (after an upgrade) does not hold
  // the scheduler's lock for long; the next pass follows at once.
  constexpr size_t kMaxPerPass = 5000;
  std::vector<int64_t> ids;
  for (auto it = jobs_.begin(); it != jobs_.end() && ids.size() < kMaxPerPass;) {
    // A job, or an array's tasks (contiguous ids), as one group.
    auto end = std::next(it);
    if (it->second.array_job_id != 0)
      while (end != jobs_.end() && end->second.array_job_id == it->second.array_job_id) ++end;
    if (!depended_on.count(std::to_string(it->first)) &&
        std::all_of(it, end, [&](const auto& entry) { return gone(entry.second); }))
      for (auto j = it; j != end; ++j) ids.push_back(j->first);
    it = end;
  }
  if (ids.size() >= kMaxPerPass) last_purge_ = 0;
  if (ids.empty()) return;
  if (Status s = table_->Delete(ids, next_id_); !s.ok()) {
    spdlog::error("{}: local scheduler cannot purge old jobs: {}", system_.name, s.message());
    return;
  }
  for (int64_t id : ids) jobs_.erase(id);
  spdlog::info("{}: purged {} job record{} that ended before {}", system_.name, ids.size(),
               ids.size() == 1 ? "" : "s", slurm::FormatTimestamp(cutoff));
}

void LocalScheduler::Tick(int64_t now, std::vector<const LocalJob*>& changed) {
  std::vector<int64_t> ids(active_.begin(), active_.end());
  // Ended jobs free their nodes before anything new is placed.
  for (int64_t id : ids) {
    LocalJob& job = jobs_.at(id);
    if (job.supervisor > 0) Collect(job, now, changed);
  }
  // Running tasks per array, counted once per pass (the %N throttle), not once per pending task.
  array_running_.clear();
  for (int64_t id : ids) {
    const LocalJob& job = jobs_.at(id);
    if (job.array_job_id != 0 && (job.state == "RUNNING" || job.supervisor > 0))
      ++array_running_[job.array_job_id];
  }
  for (int64_t id : ids) {
    LocalJob& job = jobs_.at(id);
    if (job.Ended() && job.supervisor == 0) {
      active_.erase(id);
      if (!job.reported) unreported_.insert(id);
      continue;
    }
    if (job.state != "PENDING") continue;
    const std::string reason = PendingReason(job, now);
    bool started = false;
    try {
      started = reason.empty() && TryStart(job, now);
    } catch (const std::exception& e) {
      spdlog::error("{}: job {} cannot start: {}", system_.name, job.DisplayId(), e.what());
      job.state = "FAILED";
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
  local::ReapSupervisor(job.supervisor);
  auto result = local::ReadJobResult(dir);
  if (!result) {
    if (local::SupervisorAlive(job.supervisor, dir)) return;
    result = local::ReadJobResult(dir);  // it may have finished between the two looks
    if (!result) {
      // The supervisor vanished without a word (killed, or the machine rebooted).
      spdlog::warn("{}: job {} lost its supervisor; recorded as NODE_FAIL", system_.name,
                   job.DisplayId());
      result = local::JobResult{"NODE_FAIL", 0, 0, job.start_time, now};
    }
  }
  if (!job.releasing) {
    job.state = result->state;
    job.end_time = result->end_time;
  }
  job.exit_code = result->exit_code;
  job.exit_signal = result->exit_signal;
  for (int n : job.node_ids) {
    free_cpus_[static_cast<size_t>(n)] += job.CpusPerNode();
    free_mem_[static_cast<size_t>(n)] += job.mem_mb;
  }
  job.supervisor = 0;
  job.releasing = false;
  local::RemoveJobDir(dir);
  changed.push_back(&job);
}

std::string LocalScheduler::PendingReason(const LocalJob& job, int64_t now) {
  if (job.held) return "JobHeldUser";
  if (job.begin_time > now) return "BeginTime";
  for (const auto& dep : job.dependencies) {
    bool waiting = false, never = false;
    for (LocalJob* parent : Resolve(dep.jobid)) {
      const bool ended = parent->Ended() && parent->supervisor == 0;
      if (dep.type == "after") {
        waiting |= parent->start_time == 0 && !ended;
      } else if (!ended) {
        waiting = true;
      } else if (dep.type == "afterok") {
        never |= parent->state != "COMPLETED";
      } else if (dep.type == "afternotok") {
        never |= parent->state == "COMPLETED";
      }
    }
    if (never) return "DependencyNeverSatisfied";
    if (waiting) return "Dependency";
  }
  if (job.array_job_id != 0 && job.array_max_running > 0) {
    auto it = array_running_.find(job.array_job_id);
    if (it != array_running_.end() && it->second >= job.array_max_running)
      return "JobArrayTaskLimit";
  }
  return "";
}

bool LocalScheduler::TryStart(LocalJob& job, int64_t now) {
  std::vector<int> chosen;
  const int64_t mem = job.mem_mb;
  for (size_t n = 0; n < node_names_.size() && chosen.size() < static_cast<size_t>(job.nodes); ++n)
    if (free_cpus_[n] >= job.CpusPerNode() && free_mem_[n] >= mem)
      chosen.push_back(static_cast<int>(n));
  if (chosen.size() < static_cast<size_t>(job.nodes)) return false;

  auto script = table_->Script(job.id);
  const std::string node = node_names_[static_cast<size_t>(chosen.front())];
  const std::string id = std::to_string(job.id);
  json::array env;
  auto set = [&env](const std::string& k, const std::string& v) { env.emplace_back(k + "=" + v); };
  passwd entry{}, *pw = nullptr;
  char pwbuf[4096];
  ::getpwuid_r(job.uid, &entry, pwbuf, sizeof pwbuf, &pw);
  set("HOME", pw && pw->pw_dir ? pw->pw_dir : "/");
  set("SHELL", pw && pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/bash");
  set("USER", job.account_unix);
  set("LOGNAME", job.account_unix);
  set("PATH", "/usr/local/bin:/usr/bin:/bin");
  set("LANG", "C.UTF-8");
  set("ENVIRONMENT", "BATCH");
  set("SLURM_JOB_ID", id);
  set("SLURM_JOBID", id);
  set("SLURM_JOB_NAME", job.name);
  set("SLURM_SUBMIT_DIR", job.submit_dir);
  set("SLURM_SUBMIT_HOST", Hostname());
  set("SLURM_JOB_USER", job.account_unix);
  set("SLURM_JOB_UID", std::to_string(job.uid));
  set("SLURM_JOB_GID", std::to_string(job.gid));
  set("SLURM_JOB_ACCOUNT", job.account);
  set("SLURM_JOB_PARTITION", job.partition);
  set("SLURM_JOB_QOS", job.qos);
  set("SLURM_CLUSTER_NAME", system_.name);
  set("SLURM_JOB_NUM_NODES", std::to_string(job.nodes));
  set("SLURM_NNODES", std::to_string(job.nodes));
  set("SLURM_NTASKS", std::to_string(job.ntasks));
  set("SLURM_NPROCS", std::to_string(job.ntasks));
  set("SLURM_CPUS_PER_TASK", std::to_string(job.cpus_per_task));
  set("SLURM_CPUS_ON_NODE", std::to_string(job.CpusPerNode()));
  set("SLURM_JOB_CPUS_PER_NODE", std::to_string(job.CpusPerNode()));
  set("SLURM_TASKS_PER_NODE", std::to_string((job.ntasks + job.nodes - 1) / job.nodes));
  if (job.mem_mb > 0) set("SLURM_MEM_PER_NODE", std::to_string(job.mem_mb));
  set("SLURM_JOB_START_TIME", std::to_string(now));
  if (job.time_limit >= 0) set("SLURM_JOB_END_TIME", std::to_string(now + job.time_limit));
  set("SLURMD_NODENAME", node);
  set("SLURM_NODEID", "0");
  set("SLURM_PROCID", "0");
  set("SLURM_LOCALID", "0");
  set("SLURM_GTIDS", "0");
  if (!job.constraint.empty()) set("SLURM_JOB_CONSTRAINTS", job.constraint);
  if (job.array_job_id != 0) {
    set("SLURM_ARRAY_JOB_ID", std::to_string(job.array_job_id));
    set("SLURM_ARRAY_TASK_ID", std::to_string(job.array_task_id));
    set("SLURM_ARRAY_TASK_COUNT", std::to_string(job.array_size));
    set("SLURM_ARRAY_TASK_MIN", std::to_string(job.array_min));
    set("SLURM_ARRAY_TASK_MAX", std::to_string(job.array_max));
    set("SLURM_ARRAY_TASK_STEP", std::to_string(job.array_step));
  }
  job.node_ids = chosen;
  const std::string nodelist = local::NodeList(job, View(now));
  set("SLURM_JOB_NODELIST", nodelist);
  set("SLURM_NODELIST", nodelist);
  json::array args;
  for (const auto& a : job.args) args.emplace_back(a);
  const local::LaunchSpec spec{
      {"account", job.account_unix},
      {"uid", static_cast<int64_t>(job.uid)},
      {"gid", static_cast<int64_t>(job.gid)},
      {"work_dir", job.work_dir},
      {"stdout", local::ExpandOutputPattern(job.stdout_pattern, job, node)},
      {"stderr", local::ExpandOutputPattern(job.stderr_pattern, job, node)},
      {"append", job.append_output},
      {"script", script ? *script : std::string()},
      {"command", job.script_path},
      {"args", std::move(args)},
      {"env", std::move(env)},
      {"time_limit", job.time_limit},
      {"kill_wait", static_cast<int64_t>(system_.scheduler.kill_wait_seconds)},
      {"jobid", job.DisplayId()},
      {"node", node}};
  auto pid = script ? local::LaunchJob(JobDir(job.id), spec) : Result<pid_t>(script.status());
  if (!pid) {
    spdlog::error("{}: job {} could not start: {}", system_.name, job.DisplayId(),
                  pid.status().message());
    job.node_ids.clear();
    job.state = "FAILED";
    job.reason = "None";
    job.exit_code = 1;
    job.start_time = job.end_time = now;
    return true;
  }
  for (int n : chosen) {
    free_cpus_[static_cast<size_t>(n)] -= job.CpusPerNode();
    free_mem_[static_cast<size_t>(n)] -= mem;
  }
  job.supervisor = *pid;
  job.state = "RUNNING";
  job.reason = "None";
  job.start_time = now;
  if (job.eligible_time == 0) job.eligible_time = now;
  return true;
}

void LocalScheduler::ReportEnded() {
  std::vector<FinishedJob> ended;
  std::vector<int64_t> ids;
  {
    std::shared_lock lock(mu_);
    const auto finished = [&](const LocalJob& job) {
      return FinishedJob{
          system_.name,         job.DisplayId(), job.user,       job.account,  job.state,
          local::ExitCode(job), job.submit_time, job.start_time, job.end_time, job.nodes};
    };
    std::set<int64_t> arrays;
    for (int64_t id : unreported_) {
      const LocalJob& job = jobs_.at(id);
      ended.push_back(finished(job));
      ids.push_back(id);
      if (job.array_job_id != 0) arrays.insert(job.array_job_id);
    }
    // An array whose last task just ended: one summary under the array's own id, as callbacks
    // registered at submission know it. Its state is the first task's that did not complete.
    for (int64_t array : arrays) {
      std::vector<FinishedJob> tasks;
      bool all_ended = true;
      for (auto it = jobs_.find(array); it != jobs_.end() && it->second.array_job_id == array;
           ++it) {
        const LocalJob& t = it->second;
        all_ended &= t.Ended() && t.supervisor == 0;
        tasks.push_back(finished(t));
      }
      if (all_ended) ended.push_back(SummariseArray(std::to_string(array), tasks));
    }
  }
  if (ids.empty()) return;
  for (const auto& f : ended)
    if (on_end_) on_end_(f);
  std::unique_lock lock(mu_);
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
