// The Slurm backend: sbatch and scancel run as the user; the queue is one `squeue --json` for all
// users per refresh and accounting one `sacct` over a bounded window, both shared snapshots
// (snapshot.h) filtered in memory, so slurmctld sees one query per refresh however many clients
// poll. A user's own submission is always in what they read next (a fresh snapshot is taken when
// theirs is older than it). Jobs submitted through sfapid are watched until they end, so callbacks
// and usage work as with the local scheduler. Several sfapid nodes on one store share one queue
// snapshot per refresh (shared_fetch.h), a submission through one node is in the next read
// through any other, and the watched jobs are one list in the store that one node at a time
// checks (a claim per refresh interval), so a job is reported whichever node submitted it.
//
// This class coordinates: the accounting view and its merge with the queue (accounting_view.h),
// the commands and what their output means (job_commands.h) and the watched jobs
// (job_watcher.h) each live in their own file.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "backends/runas/run_as.h"
#include "backends/scheduler/scheduler.h"
#include "backends/scheduler/shared_fetch.h"
#include "backends/scheduler/slurm/accounting_view.h"
#include "backends/scheduler/slurm/job_watcher.h"
#include "backends/scheduler/slurm/reservation_commands.h"
#include "backends/scheduler/slurm/slurm_command.h"
#include "backends/scheduler/slurm/slurm_rows.h"
#include "backends/scheduler/snapshot.h"

namespace sfapid {

class SlurmScheduler : public Scheduler {
 public:
  // `state_dir`: where an earlier version kept its watched jobs (moved into the store at Start).
  // peers.watched must be set.
  SlurmScheduler(const SystemConfig& system, RunAs& runas, std::string state_dir,
                 const SchedulerPeers& peers);
  ~SlurmScheduler() override;

  std::string backend_name() const override { return "slurm"; }
  // `scontrol ping`: Unavailable with its words when slurmctld does not answer.
  Status Health() override;
  void SetJobEndedHandler(JobEndedHandler handler) override { on_end_ = std::move(handler); }
  void SetJobStateHandler(JobStateHandler handler) override { on_state_ = std::move(handler); }
  void Start() override;
  void Stop() override;

  Result<std::string> Submit(const JobScript& script) override;
  Result<std::vector<SerializedRow>> Query(const JobQuery& query) override;
  Status Cancel(const UnixIdentity& who, const std::string& jobid) override;
  // Only a pending job changes, as with the local scheduler: a fresh queue view says whether it
  // is one of who's and pending (Slurm itself would rename a running job, or shorten it), then
  // scontrol update runs as who (job_commands.h), which still refuses what changed since.
  Status UpdateJob(const UnixIdentity& who, const std::string& jobid,
                   const JobChanges& changes) override;
  // `sacctmgr show user`'s DefaultAccount, kept for a minute per user; Unavailable when Slurm does
  // not say (the submission is refused rather than checked against a guess).
  Result<std::string> DefaultAccount(const UnixIdentity& who) override;
  std::string Metrics() const override;

  // Reservations through scontrol as sfapid (reservation_commands.h).
  Result<PlacedReservation> CreateReservation(const ReservationSpec& spec) override;
  Result<PlacedReservation> UpdateReservation(const ReservationSpec& spec) override;
  Status DeleteReservation(const std::string& name) override;
  // From one shared `scontrol show reservation` of all of them per refresh interval, taken
  // after sfapid's own last change (so the lifecycle may look at every reservation each pass).
  Result<std::optional<PlacedReservation>> GetReservation(const std::string& name) override;
  // The cluster's node count, asked of slurmctld at most once a minute.
  Result<int> ReservableNodes() override;
  // From a fresh queue view: the user's jobs whose command is the script, submitted since then
  // (squeue keeps an ended job for MinJobAge, 300 s by default: far longer than a task's lease).
  Result<std::vector<std::string>> FindSubmitted(const JobScript& script, int64_t since,
                                                 const std::string& reservation) override;

 private:
  using Clock = std::chrono::steady_clock;
  using Rows = slurm::Rows;
  // squeue's output as it printed it, and that output as rows (now: when the reading started).
  Result<std::string> ReadQueue();
  Result<Rows> ParseQueue(const std::string& json, int64_t now) const;
  // A queue read at or after not_before: by this node, or by another through the shared store.
  Result<Snapshot<Rows>::Fetched> FetchQueue(Clock::time_point not_before);
  // The user's queue changed (a submit or a cancel): their next read, through any node, shows it.
  void NoteChange(const std::string& api_user);
  // The oldest snapshot this caller may see: cached, fresh, or after their own last submission.
  Clock::time_point NotBefore(const JobQuery& q) const;
  void WatchLoop();
  // sfapid changed a reservation: reads after this see the change.
  void ReservationChanged();
  void CheckWatched();

  const SystemConfig& system_;
  slurm::SlurmCommands commands_;
  std::unique_ptr<SharedFetch> shared_queue_;  // null when this node is alone on its store
  SharedViews* shared_views_;                  // null when this node is alone on its store
  std::string node_;
  std::string state_dir_;
  Snapshot<Rows> queue_;
  Snapshot<slurm::ReservationMap> reservations_;
  slurm::AccountingView accounting_;
  slurm::JobWatcher watcher_;

  mutable std::mutex mu_;
  std::map<std::string, Clock::time_point> last_submit_;  // by API user
  struct KnownAccount {
    std::string account;
    Clock::time_point at;
  };
  std::map<std::string, KnownAccount> default_accounts_;  // by Unix user
  Clock::time_point last_reservation_change_{};
  int node_count_ = 0;
  Clock::time_point node_count_at_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread watch_thread_;
  JobEndedHandler on_end_;
  JobStateHandler on_state_;
};

}  // namespace sfapid
