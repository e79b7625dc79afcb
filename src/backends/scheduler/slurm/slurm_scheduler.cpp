#include "backends/scheduler/slurm/slurm_scheduler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <ctime>
#include <sstream>

#include "backends/scheduler/row_filter.h"
#include "backends/scheduler/sbatch_directives.h"
#include "backends/scheduler/slurm/job_commands.h"
#include "backends/scheduler/slurm/reservation_commands.h"
#include "backends/scheduler/slurm/squeue_json.h"
#include "backends/scheduler/slurm_time.h"
#include "util/time_format.h"

namespace sfapid {

namespace {

int64_t NowSeconds() { return static_cast<int64_t>(::time(nullptr)); }

// Between this process's steady clock and the Unix milliseconds nodes compare through the store.
using SteadyClock = std::chrono::steady_clock;
int64_t ToUnixMs(SteadyClock::time_point t) {
  return NowUnixMs() -
         std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t).count();
}
SteadyClock::time_point FromUnixMs(int64_t ms) {
  return SteadyClock::now() - std::chrono::milliseconds(NowUnixMs() - ms);
}

std::unique_ptr<SharedFetch> SharedQueue(const SystemConfig& system, const SchedulerPeers& peers) {
  if (!peers.views) return nullptr;
  const auto& sc = system.scheduler;
  // A claim outlives the longest squeue (it is killed at the command timeout).
  return std::make_unique<SharedFetch>(
      *peers.views, "slurm/" + system.name + "/queue", peers.node,
      static_cast<int64_t>(sc.min_refresh_interval_seconds * 1000),
      static_cast<int64_t>(sc.command_timeout_seconds * 1000) + 5000);
}

}  // namespace

SlurmScheduler::SlurmScheduler(const SystemConfig& system, RunAs& runas, std::string state_dir,
                               const SchedulerPeers& peers)
    : system_(system),
      commands_(system.scheduler.slurm_bin_dir, system.scheduler.slurm_cluster,
                system.scheduler.command_timeout_seconds, runas),
      shared_queue_(SharedQueue(system, peers)),
      shared_views_(peers.views),
      node_(peers.node),
      state_dir_(std::move(state_dir)),
      queue_(Snapshot<Rows>::FetchSince(
                 [this](Clock::time_point not_before) { return FetchQueue(not_before); }),
             slurm::Millis(system.scheduler.refresh_interval_seconds),
             slurm::Millis(system.scheduler.min_refresh_interval_seconds)),
      reservations_([this] { return slurm::ShowAllReservations(commands_, NowSeconds()); },
                    slurm::Millis(system.scheduler.refresh_interval_seconds),
                    slurm::Millis(system.scheduler.min_refresh_interval_seconds)),
      accounting_(system, commands_, queue_),
      watcher_(system.name, *peers.watched) {}

SlurmScheduler::~SlurmScheduler() { Stop(); }

Status SlurmScheduler::Health() { return slurm::PingController(commands_); }

Result<std::string> SlurmScheduler::ReadQueue() {
  auto r = commands_.AsServer("squeue", {"--json"});
  if (r.exit_code != 0) return Status::Unavailable(slurm::ReadFailure(r, "squeue"));
  return std::move(r.out);
}

Result<Snapshot<slurm::Rows>::Fetched> SlurmScheduler::FetchQueue(Clock::time_point not_before) {
  if (!shared_queue_) {
    const auto started = Clock::now();
    auto json = ReadQueue();
    if (!json) return json.status();
    auto rows = ParseQueue(*json, NowSeconds());
    if (!rows) return rows.status();
    return Snapshot<Rows>::Fetched{std::move(rows).value(), started};
  }
  auto view = shared_queue_->Get(ToUnixMs(not_before), [this] { return ReadQueue(); });
  if (!view) return view.status();
  auto rows = ParseQueue(view->data, view->taken_ms / 1000);
  if (!rows) return rows.status();
  // The view started at or after not_before: millisecond rounding must not make it look older.
  return Snapshot<Rows>::Fetched{std::move(rows).value(),
                                 std::max(FromUnixMs(view->taken_ms), not_before)};
}

Result<slurm::Rows> SlurmScheduler::ParseQueue(const std::string& json, int64_t now) const {
  auto jobs = slurm::ParseSqueueJson(json, now);
  if (!jobs) return jobs.status();
  Rows rows;
  rows.reserve(jobs->size());
  for (auto& j : *jobs) {
    SerializedRow json = Serialize(j.row);
    rows.push_back(slurm::Row{std::move(j.row), std::move(json), std::move(j.queue_only)});
  }
  // squeue's own order is by priority; the API's is by job id, as the local scheduler's.
  slurm::SortByJobId(rows);
  return rows;
}

SlurmScheduler::Clock::time_point SlurmScheduler::NotBefore(const JobQuery& q) const {
  const auto now = Clock::now();
  Clock::time_point not_before = q.fresh ? now : now - queue_.max_age();
  if (shared_queue_)  // a change made through another node
    if (int64_t changed = shared_queue_->LastChange(q.requester); changed > 0)
      not_before = std::max(not_before, FromUnixMs(changed));
  std::lock_guard lock(mu_);
  if (auto it = last_submit_.find(q.requester); it != last_submit_.end())
    not_before = std::max(not_before, it->second);
  return not_before;
}

void SlurmScheduler::NoteChange(const std::string& api_user) {
  if (shared_queue_) shared_queue_->NoteChange(api_user, NowUnixMs());
  std::lock_guard lock(mu_);
  last_submit_[api_user] = Clock::now();
}

Result<std::vector<SerializedRow>> SlurmScheduler::Query(const JobQuery& q) {
  const Clock::time_point not_before = NotBefore(q);
  auto rows = q.sacct ? accounting_.Read(q, not_before) : queue_.GetStartedAfter(not_before);
  if (!rows) return rows.status();
  const RowFilter filter(q.filters, q.sacct);
  std::vector<SerializedRow> out;
  size_t skipped = 0;
  for (const slurm::Row& row : **rows) {
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
  auto jobid = slurm::SubmitJob(commands_, script, system_.roots);
  if (!jobid) return jobid;
  // Read-your-writes: this user's next read comes from a view taken after this moment.
  NoteChange(script.who.api_user);
  // The job runs whatever happens here; a watch the store could not record is logged and
  // counted (sfapid_slurm_watch_save_failures_total).
  const std::string reservation = DirectiveValue(script.text, '\0', "reservation").value_or("");
  // Every job starts PENDING in Slurm: said now, as the local scheduler does, not at the next
  // look (which a job that starts at once would pass as RUNNING).
  if (Status s = watcher_.Watch(*jobid, script.who.api_user, NowSeconds(), reservation,
                                *jobid + "=PENDING");
      !s.ok())
    spdlog::error("{}: job {} will not be reported to callbacks and usage when it ends: {}",
                  system_.name, *jobid, s.message());
  else if (on_state_)
    on_state_(JobStateChange{system_.name, *jobid, script.who.api_user, "PENDING"});
  return jobid;
}

Status SlurmScheduler::Cancel(const UnixIdentity& who, const std::string& jobid) {
  if (Status s = slurm::CancelJob(commands_, who, jobid); !s.ok()) return s;
  NoteChange(who.api_user);  // the cancel shows in their next read
  return Status::Ok();
}

Status SlurmScheduler::UpdateJob(const UnixIdentity& who, const std::string& jobid,
                                 const JobChanges& changes) {
  auto rows = queue_.GetStartedAfter(Clock::now());
  if (!rows) return rows.status();
  const RowFilter filter({{"jobid", jobid}}, false);
  bool found = false;
  for (const slurm::Row& row : **rows) {
    if (!filter.Matches(row.fields)) continue;
    // Another user's job: as if there were none (the local scheduler's answer too).
    if (RowField(row.fields, "user") != who.account)
      return Status::NotFound("Invalid job id specified for job " + jobid);
    if (RowField(row.fields, "state") != "PENDING")
      return Status::FailedPrecondition("job " + jobid +
                                        " is not pending: only a pending job can be changed");
    found = true;
  }
  if (!found) return Status::NotFound("Invalid job id specified for job " + jobid);
  if (Status s = slurm::UpdateJob(commands_, who, jobid, changes); !s.ok()) return s;
  NoteChange(who.api_user);  // the change shows in their next read
  return Status::Ok();
}

Result<std::string> SlurmScheduler::DefaultAccount(const UnixIdentity& who) {
  {
    std::lock_guard lock(mu_);
    auto it = default_accounts_.find(who.account);
    if (it != default_accounts_.end() && Clock::now() - it->second.at < std::chrono::minutes(1))
      return it->second.account;
  }
  auto account = slurm::FindDefaultAccount(commands_, who.account);
  if (!account) return account;
  std::lock_guard lock(mu_);
  default_accounts_[who.account] = KnownAccount{*account, Clock::now()};
  return account;
}

void SlurmScheduler::ReservationChanged() {
  std::lock_guard lock(mu_);
  last_reservation_change_ = Clock::now();
}

Result<PlacedReservation> SlurmScheduler::CreateReservation(const ReservationSpec& spec) {
  auto placed = slurm::CreateReservation(commands_, spec, NowSeconds());
  ReservationChanged();
  return placed;
}

Result<PlacedReservation> SlurmScheduler::UpdateReservation(const ReservationSpec& spec) {
  auto placed = slurm::UpdateReservation(commands_, spec, NowSeconds());
  ReservationChanged();
  return placed;
}

Status SlurmScheduler::DeleteReservation(const std::string& name) {
  Status s = slurm::DeleteReservation(commands_, name, NowSeconds());
  ReservationChanged();
  return s;
}

Result<std::optional<PlacedReservation>> SlurmScheduler::GetReservation(const std::string& name) {
  Clock::time_point not_before = Clock::now() - reservations_.max_age();
  {
    std::lock_guard lock(mu_);
    not_before = std::max(not_before, last_reservation_change_);
  }
  auto all = reservations_.GetStartedAfter(not_before);
  if (!all) return all.status();
  auto it = (*all)->find(name);
  if (it == (*all)->end()) return std::optional<PlacedReservation>();
  return std::optional<PlacedReservation>(it->second);
}

Result<int> SlurmScheduler::ReservableNodes() {
  {
    std::lock_guard lock(mu_);
    if (node_count_ > 0 && Clock::now() - node_count_at_ < std::chrono::minutes(1))
      return node_count_;
  }
  auto nodes = slurm::CountNodes(commands_);
  if (!nodes) return nodes;
  std::lock_guard lock(mu_);
  node_count_ = *nodes;
  node_count_at_ = Clock::now();
  return nodes;
}

Result<std::vector<std::string>> SlurmScheduler::FindSubmitted(const JobScript& script,
                                                               int64_t since,
                                                               const std::string& reservation) {
  auto rows = queue_.GetStartedAfter(Clock::now());
  if (!rows) return rows.status();
  std::vector<std::string> ids;
  for (const slurm::Row& row : **rows) {
    if (RowField(row.fields, "user") != script.who.account ||
        RowField(row.fields, "command") != script.path ||
        slurm::ParseTimestamp(RowField(row.fields, "submit_time")) < since)
      continue;
    // An array is one submission: its tasks are rows of one id.
    const std::string id = RowField(row.fields, "array_job_id");
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  if (ids.size() == 1) {
    NoteChange(script.who.api_user);
    if (Status s = watcher_.Watch(ids.front(), script.who.api_user, since, reservation); !s.ok())
      spdlog::error("{}: job {} (taken over) will not be reported when it ends: {}", system_.name,
                    ids.front(), s.message());
  }
  return ids;
}

void SlurmScheduler::Start() {
  if (Status s = watcher_.ImportFile(state_dir_); !s.ok())
    spdlog::error("{}: watched jobs of an earlier version: {}", system_.name, s.message());
  stopping_ = false;
  watch_thread_ = std::thread([this] { WatchLoop(); });
}

void SlurmScheduler::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (watch_thread_.joinable()) watch_thread_.join();
}

void SlurmScheduler::WatchLoop() {
  for (;;) {
    {
      std::unique_lock lock(stop_mu_);
      stop_cv_.wait_for(lock, slurm::Millis(system_.scheduler.refresh_interval_seconds),
                        [this] { return stopping_; });
      if (stopping_) return;
    }
    CheckWatched();
  }
}

// Jobs that ended are reported before they are forgotten: at least once, also across a crash
// (the handler charges and announces each job once however often it hears of it). With several
// nodes, one at a time looks per refresh interval: the others would only repeat its sacct.
void SlurmScheduler::CheckWatched() {
  const std::string key = "slurm/" + system_.name + "/watch";
  if (shared_views_) {
    const auto& sc = system_.scheduler;
    const int64_t now = NowUnixMs();
    // The loops of the nodes wake every refresh interval: a little less between two looks lets
    // the next node's wake-up count.
    const int64_t every = static_cast<int64_t>(sc.refresh_interval_seconds * 900);
    const int64_t hold = static_cast<int64_t>(sc.command_timeout_seconds * 2000) + 5000;
    auto claimed = shared_views_->ClaimRefresh(key, node_, now, now + hold, every, INT64_MAX);
    if (!claimed || !*claimed) return;
  }
  const slurm::JobWatcher::Sources sources{
      [this] { return queue_.Get(); }, [this] { return accounting_.Window(); },
      [this](const std::string& ids) { return accounting_.ById(ids); }};
  auto look = watcher_.Check(sources, NowSeconds());
  if (!look) {
    spdlog::error("{}: cannot read the watched jobs: {}", system_.name, look.status().message());
  } else {
    for (const JobStateChange& change : look->changed)
      if (on_state_) on_state_(change);
    if (Status s = watcher_.SaveStates(look->restated); !s.ok())
      spdlog::error("{}: cannot keep the states of watched jobs (they will be reported again): {}",
                    system_.name, s.message());
    for (const FinishedJob& f : look->ended)
      if (on_end_) on_end_(f);
    if (Status s = watcher_.Forget(look->done); !s.ok())
      spdlog::error("{}: cannot forget ended jobs (they will be reported again): {}", system_.name,
                    s.message());
  }
  if (shared_views_)
    if (Status s = shared_views_->ReleaseRefresh(key, node_); !s.ok())
      spdlog::warn("{}: releasing the watch: {}", system_.name, s.message());
}

std::string SlurmScheduler::Metrics() const {
  std::ostringstream m;
  const std::string label = "{system=\"" + system_.name + "\"";
  for (const char* c : {"squeue", "sacct", "sbatch", "scancel"})
    m << "sfapid_slurm_commands_total" << label << ",command=\"" << c << "\"} " << commands_.runs(c)
      << "\n";
  for (const auto& [name, s] :
       {std::pair{"queue", queue_.stats()}, std::pair{"accounting", accounting_.stats()}}) {
    m << "sfapid_snapshot_refreshes_total" << label << ",view=\"" << name << "\"} " << s.refreshes
      << "\n";
    m << "sfapid_snapshot_callers_total" << label << ",view=\"" << name << "\"} " << s.callers
      << "\n";
    m << "sfapid_snapshot_age_seconds" << label << ",view=\"" << name << "\"} " << s.age_seconds
      << "\n";
  }
  if (shared_queue_)
    for (const auto& [by, n] : {std::pair{"this node", shared_queue_->own_reads()},
                                std::pair{"another node", shared_queue_->shared_reads()}})
      m << "sfapid_shared_view_reads_total" << label << ",view=\"queue\",read_by=\"" << by << "\"} "
        << n << "\n";
  m << "sfapid_slurm_watched_jobs" << label << "} " << watcher_.size() << "\n";
  m << "sfapid_slurm_watch_save_failures_total" << label << "} " << watcher_.save_failures()
    << "\n";
  return m.str();
}

}  // namespace sfapid
