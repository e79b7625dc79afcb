#include "backends/scheduler/slurm/slurm_scheduler.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "backends/scheduler/job_fields.h"
#include "backends/scheduler/row_filter.h"
#include "backends/scheduler/slurm/queue_to_sacct.h"
#include "backends/scheduler/slurm/sacct_text.h"
#include "util/private_files.h"
#include "util/split.h"

namespace sfapid {

namespace json = boost::json;

namespace {

// Rows in the API's order (slurm::JobIdLess); `fields` gives a row's JobRow.
template <typename Row, typename Fields>
void SortByJobId(std::vector<Row>& rows, Fields fields) {
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    return slurm::JobIdLess(RowField(fields(a), "jobid"), RowField(fields(b), "jobid"));
  });
}

const JobRow& Itself(const JobRow& row) { return row; }

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t start = 0;
  while (start < s.size() && (s[start] == '\n' || s[start] == ' ')) ++start;
  return s.substr(start);
}

// sacct's local "2026-11-27T21:03:04" as Unix seconds; 0 for "Unknown", "None", "".
int64_t ParseLocalTime(const std::string& text) {
  tm t{};
  if (text.size() != 19 || !strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &t)) return 0;
  t.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&t));
}

int64_t NowSeconds() { return static_cast<int64_t>(::time(nullptr)); }

}  // namespace

SlurmScheduler::SlurmScheduler(const SystemConfig& system, RunAs& runas, std::string state_dir)
    : system_(system),
      commands_(system.scheduler.slurm_bin_dir, system.scheduler.slurm_cluster,
                system.scheduler.command_timeout_seconds, runas),
      state_dir_(std::move(state_dir)),
      queue_([this] { return FetchQueue(); }, Millis(system.scheduler.refresh_interval_seconds),
             Millis(system.scheduler.min_refresh_interval_seconds)),
      accounting_([this] { return FetchAccounting(); },
                  Millis(system.scheduler.refresh_interval_seconds),
                  Millis(system.scheduler.min_refresh_interval_seconds)) {}

SlurmScheduler::~SlurmScheduler() { Stop(); }

Status SlurmScheduler::Health() {
  auto r = commands_.AsServer("scontrol", {"ping"});
  if (r.exit_code == 0 && r.out.find("is UP") != std::string::npos) return Status::Ok();
  return Status::Unavailable("slurmctld does not answer: " + Trim(r.out.empty() ? r.err : r.out));
}

Result<SlurmScheduler::Rows> SlurmScheduler::FetchQueue() {
  auto r = commands_.AsServer("squeue", {"--json"});
  if (r.exit_code != 0) return Status::Unavailable(Trim(r.err.empty() ? "squeue failed" : r.err));
  auto jobs = slurm::ParseSqueueJson(r.out, NowSeconds());
  if (!jobs) return jobs.status();
  Rows rows;
  rows.reserve(jobs->size());
  for (auto& j : *jobs) {
    SerializedRow json = Serialize(j.row);
    rows.push_back(Row{std::move(j.row), std::move(json), std::move(j.queue_only)});
  }
  // squeue's own order is by priority; the API's is by job id, as the local scheduler's.
  SortByJobId(rows, Fields);
  return rows;
}

// Every user's jobs (-a), allocations only (-X), a pending array one task per row (as the queue
// lists it), every field, unit-separated, for `selection`.
Result<SlurmScheduler::Rows> SlurmScheduler::Sacct(const std::vector<std::string>& selection) {
  std::vector<std::string> args{
      "-a", "-X", "-P", std::string("--delimiter=") + slurm::kSacctDelimiter, "--format=ALL"};
  args.insert(args.end(), selection.begin(), selection.end());
  auto r = commands_.AsServer("sacct", args);
  if (r.exit_code != 0) return Status::Unavailable(Trim(r.err.empty() ? "sacct failed" : r.err));
  auto rows = slurm::ParseSacctText(r.out);
  if (!rows) return rows.status();
  slurm::ListPendingArrayTasks(*rows);
  SortByJobId(*rows, Itself);
  return WithJson(std::move(rows).value());
}

Result<SlurmScheduler::Rows> SlurmScheduler::FetchAccounting() {
  const int64_t window_hours =
      std::max<int64_t>(1, static_cast<int64_t>(system_.scheduler.sacct_window_days * 24));
  // The end is a year ahead: a job waiting for a begin time is eligible only from then, and a
  // window ending now would leave it out.
  return Sacct(
      {"--starttime=now-" + std::to_string(window_hours) + "hours", "--endtime=now+365days"});
}

SlurmScheduler::Rows SlurmScheduler::WithJson(std::vector<JobRow> rows) {
  Rows out;
  out.reserve(rows.size());
  for (auto& row : rows) {
    SerializedRow json = Serialize(row);
    out.push_back(Row{std::move(row), std::move(json), {}});
  }
  return out;
}

SlurmScheduler::Clock::time_point SlurmScheduler::NotBefore(const JobQuery& q) const {
  const auto now = Clock::now();
  Clock::time_point not_before = q.fresh ? now : now - queue_.max_age();
  std::lock_guard lock(mu_);
  if (auto it = last_submit_.find(q.requester); it != last_submit_.end())
    not_before = std::max(not_before, it->second);
  return not_before;
}

// Jobs asked for by id that the accounting window does not hold (older, or cancelled before they
// were ever eligible, which a time window leaves out) are looked up by id: one more sacct.
Result<SlurmScheduler::Rows> SlurmScheduler::MissingAccounting(const Rows& window,
                                                               const JobQuery& q) {
  std::vector<std::string> missing;
  for (const auto& f : q.filters) {
    if (f.name != "jobid") continue;
    for (const std::string& id : SplitList(f.value)) {
      const bool digits =
          !id.empty() && id.size() < 20 && id.find_first_not_of("0123456789_") == std::string::npos;
      bool found = false;
      for (const Row& row : window) {
        const std::string jobid = RowField(row.fields, "jobid");
        if (jobid == id || jobid.substr(0, jobid.find('_')) == id) {
          found = true;
          break;
        }
      }
      if (digits && !found && missing.size() < 100) missing.push_back(id);
    }
  }
  if (missing.empty()) return Rows{};
  std::string ids;
  for (const auto& id : missing) ids += (ids.empty() ? "" : ",") + id;
  return Sacct({"-j", ids});
}

// For about a second after a job ends, slurmdbd holds only a stub of it (JobName "allocation", no
// partition, QOS "Unknown"); the queue still shows the job then (MinJobAge), so its fields fill in.
std::shared_ptr<const SlurmScheduler::Rows> SlurmScheduler::CompleteFromQueue(
    std::shared_ptr<const Rows> rows) {
  bool stubs = false;
  for (const Row& row : *rows) stubs |= RowField(row.fields, "partition").empty();
  if (!stubs) return rows;
  auto queue = queue_.Get();
  if (!queue) return rows;
  std::map<std::string, const JobRow*> by_id;
  for (const Row& q : **queue) by_id[RowField(q.fields, "jobid")] = &q.fields;
  auto completed = std::make_shared<Rows>(*rows);
  for (Row& slot : *completed) {
    JobRow& row = slot.fields;
    if (!RowField(row, "partition").empty()) continue;
    auto it = by_id.find(RowField(row, "jobid"));
    if (it == by_id.end()) continue;
    const JobRow& q = *it->second;
    row["jobname"] = RowField(q, "name");
    row["partition"] = RowField(q, "partition");
    row["qos"] = RowField(q, "qos");
    if (RowField(row, "account").empty()) row["account"] = RowField(q, "account");
    if (RowField(row, "workdir").empty()) row["workdir"] = RowField(q, "work_dir");
    slot.json = Serialize(row);
  }
  return completed;
}

// slurmdbd learns of a job, and of each array task that starts, seconds after the fact, so
// accounting alone would miss what a user just submitted or what just ended: jobs the queue shows
// that accounting does not have yet are added in sacct's shape. Jobs held since
// submission stay out, as Slurm records them only once released.
std::shared_ptr<const SlurmScheduler::Rows> SlurmScheduler::WithQueuedJobs(
    std::shared_ptr<const Rows> accounting, Clock::time_point not_before) {
  auto queue = queue_.GetStartedAfter(not_before);
  if (!queue) return accounting;
  std::lock_guard lock(merged_mu_);
  if (merged_.accounting == accounting && merged_.queue == *queue) return merged_.rows;
  std::unordered_set<std::string> accounted;
  for (const Row& row : *accounting) accounted.insert(RowField(row.fields, "jobid"));
  const std::string cluster =
      accounting->empty() ? system_.name : RowField(accounting->front().fields, "cluster");
  Rows added;
  for (const Row& q : **queue) {
    if ((RowField(q.fields, "state") == "PENDING" &&
         RowField(q.fields, "reason") == "JobHeldUser") ||
        accounted.count(RowField(q.fields, "jobid")))
      continue;
    JobRow row = slurm::SacctRowFromQueue(q.fields, cluster, q.queue_only);
    SerializedRow json = Serialize(row);
    added.push_back(Row{std::move(row), std::move(json), {}});
  }
  std::shared_ptr<const Rows> rows = accounting;
  if (!added.empty()) {
    auto all = std::make_shared<Rows>(*accounting);
    all->insert(all->end(), std::make_move_iterator(added.begin()),
                std::make_move_iterator(added.end()));
    SortByJobId(*all, Fields);
    rows = std::move(all);
  }
  merged_ = Merged{accounting, *queue, rows};
  return rows;
}

Result<std::vector<SerializedRow>> SlurmScheduler::Query(const JobQuery& q) {
  const Clock::time_point not_before = NotBefore(q);
  auto snapshot = (q.sacct ? accounting_ : queue_).GetStartedAfter(not_before);
  if (!snapshot) return snapshot.status();
  std::shared_ptr<const Rows> rows = *snapshot;
  if (q.sacct) {
    rows = WithQueuedJobs(std::move(rows), not_before);
    auto extra = MissingAccounting(*rows, q);
    if (!extra) return extra.status();
    if (!extra->empty()) {
      auto merged = std::make_shared<Rows>(*rows);
      merged->insert(merged->end(), extra->begin(), extra->end());
      SortByJobId(*merged, Fields);
      rows = merged;
    }
  }
  if (q.sacct) rows = CompleteFromQueue(std::move(rows));
  const RowFilter filter(q.filters, q.sacct);
  std::vector<SerializedRow> out;
  size_t skipped = 0;
  for (const Row& row : *rows) {
    if (q.limit && out.size() >= *q.limit) break;
    if (!filter.Matches(row.fields)) continue;
    if (skipped < q.index) {
      ++skipped;
      continue;
    }
    out.push_back(row.json);
  }
  return out;
}

Result<std::string> SlurmScheduler::Submit(const JobScript& script) {
  json::array roots;
  for (const auto& r : system_.roots) roots.emplace_back(r);
  // sbatch runs in the submit folder, as a user who typed it there: the job's working folder is
  // that one unless the script's own #SBATCH --chdir says otherwise (an option on the command line
  // would override the script's).
  std::vector<std::string> args{"--parsable"};
  // On the command line it overrides every account the script could name (#SBATCH in any form,
  // #PBS, het job components).
  if (!script.charge_account.empty()) args.push_back("--account=" + script.charge_account);
  args.push_back(script.path);
  args.insert(args.end(), script.args.begin(), script.args.end());
  auto r = commands_.AsUser(script.who, "sbatch", args,
                            json::array{json::object{{"path", script.path}, {"roots", roots}}},
                            script.submit_dir);
  const std::string out = Trim(r.out);
  if (r.exit_code != 0 || out.empty()) {
    std::string err = Trim(r.err);
    if (err.empty())
      err = "sbatch: error: Batch job submission failed (exit " + std::to_string(r.exit_code) + ")";
    if (r.timed_out) return Status::Unavailable(err + " (timed out)");
    return Status::InvalidArgument(err);
  }
  const std::string jobid = out.substr(0, out.find(';'));
  {
    std::lock_guard lock(mu_);
    // Read-your-writes: this user's next read comes from a view taken after this moment.
    last_submit_[script.who.api_user] = Clock::now();
    watched_[jobid] = Watched{script.who.api_user, NowSeconds()};
  }
  SaveWatched();
  return jobid;
}

Status SlurmScheduler::Cancel(const UnixIdentity& who, const std::string& jobid) {
  // Plain scancel (22.05) exits 0 and says nothing for a job that has ended or that slurmctld
  // does not know; -v prints why ("Job/step already completing or completed", "Invalid job id
  // specified") among progress lines, and those errors are what the caller needs to hear.
  auto r = commands_.AsUser(who, "scancel", {"-v", "--", jobid}, json::array{});
  std::string errors;
  for (const std::string& line : SplitList(r.err, '\n'))
    if (line.find("error:") != std::string::npos) {
      if (!errors.empty()) errors.push_back('\n');
      errors.append(line);
    }
  if (r.exit_code != 0 || !errors.empty())
    return Status::InvalidArgument(
        errors.empty() ? "scancel: error: exit " + std::to_string(r.exit_code) : errors);
  std::lock_guard lock(mu_);
  last_submit_[who.api_user] = Clock::now();  // the cancel shows in their next read
  return Status::Ok();
}

Result<std::string> SlurmScheduler::DefaultAccount(const UnixIdentity& who) {
  {
    std::lock_guard lock(mu_);
    auto it = default_accounts_.find(who.account);
    if (it != default_accounts_.end() && Clock::now() - it->second.at < std::chrono::minutes(1))
      return it->second.account;
  }
  auto r =
      commands_.AsServer("sacctmgr", {"-nP", "show", "user", who.account, "format=DefaultAccount"});
  std::string account = Trim(r.out);
  if (r.exit_code != 0 || account.empty() || account.find('\n') != std::string::npos)
    return Status::Unavailable("cannot find the default Slurm account of " + who.account + ": " +
                               Trim(r.err.empty() ? r.out : r.err));
  std::lock_guard lock(mu_);
  default_accounts_[who.account] = KnownAccount{account, Clock::now()};
  return account;
}

void SlurmScheduler::Start() {
  LoadWatched();
  stopping_ = false;
  watcher_ = std::thread([this] { WatchLoop(); });
}

void SlurmScheduler::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void SlurmScheduler::WatchLoop() {
  for (;;) {
    {
      std::unique_lock lock(stop_mu_);
      stop_cv_.wait_for(lock, Millis(system_.scheduler.refresh_interval_seconds),
                        [this] { return stopping_; });
      if (stopping_) return;
    }
    bool any;
    {
      std::lock_guard lock(mu_);
      any = !watched_.empty();
    }
    if (any) CheckWatched();
  }
}

// A watched job that squeue no longer shows as pending or running is looked up in sacct; once
// sacct has its final state, the job-ended handler hears of it (every array task on its own).
void SlurmScheduler::CheckWatched() {
  auto queue = queue_.Get();
  if (!queue) return;
  std::set<std::string> active, ended;
  for (const Row& row : **queue) {
    const std::string id = RowField(row.fields, "jobid");
    (slurm::IsTerminalState(RowField(row.fields, "state")) ? ended : active)
        .insert(id.substr(0, id.find('_')));
  }
  std::map<std::string, Watched> candidates;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, w] : watched_)
      if (!active.count(id)) candidates.emplace(id, w);
  }
  if (candidates.empty()) return;
  auto accounting = accounting_.Get();
  if (!accounting) return;
  const auto rows_of = [](const Rows& from, const std::string& id) {
    std::vector<const JobRow*> rows;
    for (const Row& row : from) {
      const std::string jobid = RowField(row.fields, "jobid");
      if (jobid == id || jobid.substr(0, jobid.find('_')) == id) rows.push_back(&row.fields);
    }
    return rows;
  };
  // A job the window leaves out (cancelled while held: never eligible) is looked up by id: once
  // the queue shows it ended, or a minute after submission (not merely newer than the queue
  // snapshot, which would cost a sacct per job just submitted).
  std::string missing;
  for (const auto& [id, w] : candidates)
    if ((ended.count(id) || NowSeconds() - w.submitted > 60) && rows_of(**accounting, id).empty() &&
        missing.size() < 2000)
      missing += (missing.empty() ? "" : ",") + id;
  Rows by_id;
  if (!missing.empty())
    if (auto found = Sacct({"-j", missing})) by_id = std::move(*found);
  std::vector<std::string> done;
  for (const auto& [id, w] : candidates) {
    std::vector<const JobRow*> rows = rows_of(**accounting, id);
    if (rows.empty()) rows = rows_of(by_id, id);
    bool all_ended = !rows.empty();
    for (const JobRow* row : rows) {
      std::string state = RowField(*row, "state");
      state = state.substr(0, state.find(' '));
      all_ended &= slurm::IsTerminalState(state);
    }
    // Not in accounting a day after submission: it will not come; stop watching.
    if (!all_ended) {
      if (NowSeconds() - w.submitted > 86400) done.push_back(id);
      continue;
    }
    std::vector<FinishedJob> tasks;
    for (const JobRow* row : rows) {
      std::string state = RowField(*row, "state");
      state = state.substr(0, state.find(' '));
      tasks.push_back(FinishedJob{
          system_.name, RowField(*row, "jobid"), w.user, RowField(*row, "account"), state,
          RowField(*row, "exitcode"), ParseLocalTime(RowField(*row, "submit")),
          ParseLocalTime(RowField(*row, "start")), ParseLocalTime(RowField(*row, "end")),
          std::max(1, std::atoi(RowField(*row, "nnodes").c_str()))});
    }
    // An array: each task, then the whole under the array's id (what its callback announces).
    const bool array = tasks.size() > 1 || tasks.front().jobid.find('_') != std::string::npos;
    if (array) tasks.push_back(SummariseArray(id, tasks));
    for (const FinishedJob& f : tasks)
      if (on_end_) on_end_(f);
    done.push_back(id);
  }
  if (done.empty()) return;
  {
    std::lock_guard lock(mu_);
    for (const auto& id : done) watched_.erase(id);
  }
  SaveWatched();
}

std::string SlurmScheduler::Metrics() const {
  std::ostringstream m;
  const std::string label = "{system=\"" + system_.name + "\"";
  for (const char* c : {"squeue", "sacct", "sbatch", "scancel"})
    m << "sfapid_slurm_commands_total" << label << ",command=\"" << c << "\"} " << commands_.runs(c)
      << "\n";
  for (const auto& [name, snap] : {std::pair{"queue", &queue_}, {"accounting", &accounting_}}) {
    const auto s = snap->stats();
    m << "sfapid_snapshot_refreshes_total" << label << ",view=\"" << name << "\"} " << s.refreshes
      << "\n";
    m << "sfapid_snapshot_callers_total" << label << ",view=\"" << name << "\"} " << s.callers
      << "\n";
    m << "sfapid_snapshot_age_seconds" << label << ",view=\"" << name << "\"} " << s.age_seconds
      << "\n";
  }
  std::lock_guard lock(mu_);
  m << "sfapid_slurm_watched_jobs" << label << "} " << watched_.size() << "\n";
  return m.str();
}

// Watched jobs survive a restart in a small file beside the system's state.
void SlurmScheduler::SaveWatched() {
  json::object o;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, w] : watched_)
      o[id] = json::object{{"user", w.user}, {"submitted", w.submitted}};
  }
  Status s = EnsurePrivateDir(state_dir_);
  if (s.ok())
    s = WritePrivateFileAtomically(state_dir_ + "/slurm-watched.json", json::serialize(o));
  if (!s.ok()) spdlog::warn("{}: cannot save watched jobs: {}", system_.name, s.message());
}

void SlurmScheduler::LoadWatched() {
  std::ifstream in(state_dir_ + "/slurm-watched.json");
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  json::value v = json::parse(ss.str(), ec);
  if (ec || !v.is_object()) return;
  std::lock_guard lock(mu_);
  for (const auto& [id, w] : v.as_object())
    if (w.is_object() && w.as_object().contains("user"))
      watched_[std::string(id)] =
          Watched{std::string(w.at("user").as_string()), w.at("submitted").to_number<int64_t>()};
}

}  // namespace sfapid
