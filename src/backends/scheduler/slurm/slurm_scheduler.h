// The Slurm backend: sbatch and scancel run as the user; the queue is one `squeue --json` for all
// users per refresh and accounting one `sacct` over a bounded window, both shared snapshots
// (snapshot.h) filtered in memory, so slurmctld sees one query per refresh however many clients
// poll. A user's own submission is always in what they read next (a fresh snapshot is taken when
// theirs is older than it). Jobs submitted through sfapid are watched until they end, so callbacks
// and usage work as with the local scheduler.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "backends/runas/run_as.h"
#include "backends/scheduler/scheduler.h"
#include "backends/scheduler/slurm/queue_to_sacct.h"
#include "backends/scheduler/slurm/slurm_command.h"
#include "backends/scheduler/slurm/squeue_json.h"
#include "backends/scheduler/snapshot.h"

namespace sfapid {

class SlurmScheduler : public Scheduler {
 public:
  SlurmScheduler(const SystemConfig& system, RunAs& runas, std::string state_dir);
  ~SlurmScheduler() override;

  std::string backend_name() const override { return "slurm"; }
  // `scontrol ping`: Unavailable with its words when slurmctld does not answer.
  Status Health() override;
  void SetJobEndedHandler(JobEndedHandler handler) override { on_end_ = std::move(handler); }
  void Start() override;
  void Stop() override;

  Result<std::string> Submit(const JobScript& script) override;
  Result<std::vector<SerializedRow>> Query(const JobQuery& query) override;
  Status Cancel(const UnixIdentity& who, const std::string& jobid) override;
  // `sacctmgr show user`'s DefaultAccount, kept for a minute per user; Unavailable when Slurm does
  // not say (the submission is refused rather than checked against a guess).
  Result<std::string> DefaultAccount(const UnixIdentity& who) override;
  std::string Metrics() const override;

 private:
  using Clock = std::chrono::steady_clock;
  // A row and its JSON, serialised once when the snapshot is taken.
  struct Row {
    JobRow fields;
    SerializedRow json;
    // Queue rows: what sacct shows that squeue's fields lack (see queue_to_sacct.h).
    slurm::QueueOnly queue_only;
  };
  using Rows = std::vector<Row>;
  static Rows WithJson(std::vector<JobRow> rows);
  static const JobRow& Fields(const Row& row) { return row.fields; }
  struct Watched {
    std::string user;
    int64_t submitted = 0;  // Unix seconds
  };
  Result<Rows> FetchQueue();
  Result<Rows> Sacct(const std::vector<std::string>& selection);
  Result<Rows> FetchAccounting();
  Result<Rows> MissingAccounting(const Rows& window, const JobQuery& q);
  std::shared_ptr<const Rows> CompleteFromQueue(std::shared_ptr<const Rows> rows);
  std::shared_ptr<const Rows> WithQueuedJobs(std::shared_ptr<const Rows> accounting,
                                             Clock::time_point not_before);
  // The oldest snapshot this caller may see: cached, fresh, or after their own last submission.
  Clock::time_point NotBefore(const JobQuery& q) const;
  void WatchLoop();
  void CheckWatched();
  void SaveWatched();
  void LoadWatched();

  const SystemConfig& system_;
  slurm::SlurmCommands commands_;
  std::string state_dir_;
  Snapshot<Rows> queue_;
  Snapshot<Rows> accounting_;

  mutable std::mutex mu_;
  std::map<std::string, Clock::time_point> last_submit_;  // by API user
  std::map<std::string, Watched> watched_;                // job id -> who
  struct KnownAccount {
    std::string account;
    Clock::time_point at;
  };
  std::map<std::string, KnownAccount> default_accounts_;  // by Unix user
  // WithQueuedJobs' last answer and the two snapshots it was made from: made once per refresh.
  struct Merged {
    std::shared_ptr<const Rows> accounting, queue, rows;
  };
  std::mutex merged_mu_;
  Merged merged_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread watcher_;
  JobEndedHandler on_end_;
};

}  // namespace sfapid
