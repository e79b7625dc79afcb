// The embedded local scheduler: runs batch jobs on this machine with Slurm's semantics, so scripts
// written for a centre run unchanged on a laptop and in CI. The cluster is `nodes` identical nodes
// of this machine's CPUs and memory (or configured sizes); jobs wait in PENDING (Resources,
// Dependency, BeginTime, JobHeldUser) until they fit, run under a supervisor process each (see
// job_launch.h) and end COMPLETED, FAILED, CANCELLED or TIMEOUT. State lives in a SQLite file in
// the spool folder; nothing is lost when sfapid restarts, and running jobs keep running.
//
// This class coordinates: it holds the lock, the job records and the scheduling loop
// (local_scheduler_loop.cpp); what a job
// is made of (job_factory.h), which jobs an id names (job_ids.h), the submit limit
// (submit_limit.h), why a job waits (pending_reason.h), the nodes (node_pool.h), a job's
// environment (job_environment.h), queries (job_query.h), purging (job_purge.h) and end reports
// (job_end_report.h) each live in their own file.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "backends/scheduler/local/job_factory.h"
#include "backends/scheduler/local/job_purge.h"
#include "backends/scheduler/local/job_rows.h"
#include "backends/scheduler/local/job_table.h"
#include "backends/scheduler/local/local_job.h"
#include "backends/scheduler/local/node_pool.h"
#include "backends/scheduler/local/reservation_book.h"
#include "backends/scheduler/local/row_cache.h"
#include "backends/scheduler/scheduler.h"
#include "util/process_exit_watch.h"

namespace sfapid {

class LocalScheduler : public Scheduler {
 public:
  LocalScheduler(const SystemConfig& system, std::string spool_dir);
  ~LocalScheduler() override;

  std::string backend_name() const override { return "local"; }
  // Healthy when the spool folder exists (it is created when missing) and takes a new file.
  Status Health() override;

  void SetJobEndedHandler(JobEndedHandler handler) override { on_end_ = std::move(handler); }
  void SetJobStateHandler(JobStateHandler handler) override { on_state_ = std::move(handler); }
  // Loads the jobs of earlier runs and starts the scheduling loop. Jobs that ended while sfapid was
  // down are recorded now.
  void Start() override;
  void Stop() override;

  Result<std::string> Submit(const JobScript& script) override;
  // The user's jobs from that script file submitted since then (a submission whose sfapid was
  // killed before it recorded the job it made); every local job's end is reported anyway.
  Result<std::vector<std::string>> FindSubmitted(const JobScript& script, int64_t since,
                                                 const std::string& reservation) override;
  Result<std::vector<SerializedRow>> Query(const JobQuery& query) override;
  std::optional<Result<std::vector<SerializedRow>>> QueryAtOnce(const JobQuery& query) override;
  Status Cancel(const UnixIdentity& who, const std::string& jobid) override;
  // A pending job of who's changes in its record (every task of an array, all or none); the
  // factory checks the new values against the cluster as at submission.
  Status UpdateJob(const UnixIdentity& who, const std::string& jobid,
                   const JobChanges& changes) override;
  Result<std::string> DefaultAccount(const UnixIdentity&) override {
    return system_.scheduler.default_account;
  }

  // Reservations (local_scheduler_reservations.cpp), held in reservations_ and the spool.
  Result<PlacedReservation> CreateReservation(const ReservationSpec& spec) override;
  Result<PlacedReservation> UpdateReservation(const ReservationSpec& spec) override;
  Status DeleteReservation(const std::string& name) override;
  Result<std::optional<PlacedReservation>> GetReservation(const std::string& name) override;
  Result<int> ReservableNodes() override { return static_cast<int>(nodes_.size()); }

  const std::string& spool_dir() const { return spool_dir_; }

 private:
  using Job = local::LocalJob;
  void Loop();
  // One pass: collects ended jobs, starts what fits, updates reasons. Under mu_.
  void Tick(int64_t now, std::vector<const Job*>& changed);
  // Whether a pass would change anything (read-only; under mu_, shared is enough).
  bool PassHasWork(int64_t now) const;
  // Why a pending job cannot start now ("" when it may): a reservation first, then the job's own
  // reasons. Under mu_.
  std::string ReasonNow(const Job& job, int64_t now) const;
  // Query's rows, under mu_ (shared is enough): rendered rows kept for the generation and second.
  std::vector<SerializedRow> QueryHeld(const JobQuery& q) const;
  // A pass over the jobs submitted since the last one only: a submission changes nothing for
  // the others (it holds no nodes yet), so it need not cost a pass over every queued job.
  void TickFresh(int64_t now, std::vector<const Job*>& changed);
  // The pending ones among `jobs`, in order: each started if it can, or its reason updated.
  void Consider(const std::vector<Job*>& jobs, int64_t now, std::vector<const Job*>& changed);
  void PurgeIfDue(int64_t now);  // under mu_
  void Collect(Job& job, int64_t now, std::vector<const Job*>& changed);
  // Starts the job if it fits (true also when it failed to start: it then ended FAILED).
  bool TryStart(Job& job, int64_t now);
  // Records a job as running under `supervisor` on `nodes`.
  void Started(Job& job, const std::vector<int>& nodes, pid_t supervisor, int64_t now);
  void ReportEnded();
  std::string JobDir(int64_t id) const;
  local::ClusterView View(int64_t now) const;
  // sbatch's refusal when the job names a reservation it may not use; under mu_.
  Status CheckReservation(const local::LocalJob& job) const;
  // Places, stores and keeps a reservation; under mu_ held exclusively.
  Result<PlacedReservation> Book(const ReservationSpec& spec, const std::vector<int>& prefer,
                                 const std::string& except);
  PlacedReservation Placed(const local::LocalReservation& r, int64_t now) const;

  const SystemConfig& system_;
  std::string spool_dir_;
  local::NodePool nodes_;
  local::ReservationBook reservations_;
  local::JobFactory factory_;
  local::PurgeSchedule purge_;

  std::unique_ptr<local::JobTable> table_;
  mutable std::shared_mutex mu_;
  // mu_ held exclusively, for any change: bumps the generation, so rows rendered before are
  // not answered again (row_cache.h).
  std::unique_lock<std::shared_mutex> Exclusive();
  std::atomic<uint64_t> generation_{0};
  mutable local::RowCache rows_;
  local::JobMap jobs_;                    // by raw id
  std::set<int64_t> active_;              // pending, running, or still being stopped
  std::map<int64_t, int> array_running_;  // per array, during a scheduling pass
  std::set<int64_t> unreported_;          // ended for good; the job-ended handler has not seen them
  int64_t next_id_ = 1;
  bool started_ = false;
  bool stopping_ = false;
  bool wake_flag_ = false;      // a full pass is wanted
  std::vector<int64_t> fresh_;  // submitted since the last pass: a pass over them is wanted
  std::chrono::steady_clock::time_point last_look_{};  // the loop's, for the periodic look
  std::condition_variable_any wake_;
  std::thread loop_;
  // Wakes the loop when a job's supervisor ends, so that the end is recorded (and its event
  // sent) at once rather than at the next tick.
  ProcessExitWatch supervisor_exits_{[this] { Wake(); }};
  void Wake();
  int lock_fd_ = -1;  // flock on the spool: one server per spool
  JobEndedHandler on_end_;
  JobStateHandler on_state_;
  // States to report (under mu_; reported by the loop outside it), and the last reported state of
  // each job not ended yet, so that a change of reason alone is not reported.
  std::vector<JobStateChange> state_changes_;
  // Folders of jobs whose end was read this pass: removed once that end is saved.
  std::vector<std::string> collected_dirs_;
  std::unordered_map<int64_t, JobState> reported_state_;
  void NoteState(const local::LocalJob& job);  // under mu_
  void ReportStates();
};

}  // namespace sfapid
