// The embedded local scheduler: runs batch jobs on this machine with Slurm's semantics, so scripts
// written for a centre run unchanged on a laptop and in CI. The cluster is `nodes` identical nodes
// of this machine's CPUs and memory (or configured sizes); jobs wait in PENDING (Resources,
// Dependency, BeginTime, JobHeldUser) until they fit, run under a supervisor process each (see
// job_launch.h) and end COMPLETED, FAILED, CANCELLED or TIMEOUT. State lives in a SQLite file in
// the spool folder; nothing is lost when sfapid restarts, and running jobs keep running.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "backends/scheduler/local/job_rows.h"
#include "backends/scheduler/local/job_table.h"
#include "backends/scheduler/local/local_job.h"
#include "backends/scheduler/scheduler.h"

namespace sfapid {

class LocalScheduler : public Scheduler {
 public:
  LocalScheduler(const SystemConfig& system, std::string spool_dir);
  ~LocalScheduler() override;

  std::string backend_name() const override { return "local"; }
  // Healthy when the spool folder exists (it is created when missing) and takes a new file.
  Status Health() override;

  void SetJobEndedHandler(JobEndedHandler handler) override { on_end_ = std::move(handler); }
  // Loads the jobs of earlier runs and starts the scheduling loop. Jobs that ended while sfapid was
  // down are recorded now.
  void Start() override;
  void Stop() override;

  Result<std::string> Submit(const JobScript& script) override;
  Result<std::vector<SerializedRow>> Query(const JobQuery& query) override;
  Status Cancel(const UnixIdentity& who, const std::string& jobid) override;
  Result<std::string> DefaultAccount(const UnixIdentity&) override {
    return system_.scheduler.default_account;
  }

  const std::string& spool_dir() const { return spool_dir_; }

 private:
  using Job = local::LocalJob;
  // Turns parsed directives into jobs (one per array task), or sbatch's error.
  Result<std::vector<Job>> MakeJobs(const JobScript& script, int64_t now);
  std::vector<Job*> Resolve(const std::string& jobid);  // "J" (all tasks of an array) or "J_i"
  // Under mu_.
  void DropUnknownDependencies(std::vector<Job>& jobs);
  Status CheckSubmitLimit(uid_t uid, size_t adding) const;  // under mu_
  void Loop();
  // One pass: collects ended jobs, starts what fits, updates reasons. Under mu_.
  void Tick(int64_t now, std::vector<const Job*>& changed);
  void PurgeIfDue(int64_t now);  // under mu_
  void Collect(Job& job, int64_t now, std::vector<const Job*>& changed);
  std::string PendingReason(const Job& job, int64_t now);
  bool TryStart(Job& job, int64_t now);
  void ReportEnded();
  std::string JobDir(int64_t id) const;
  local::ClusterView View(int64_t now) const;

  const SystemConfig& system_;
  std::string spool_dir_;
  int cpus_per_node_ = 1;
  int64_t memory_mb_per_node_ = 0;
  int64_t default_time_ = 3600, max_time_ = 2 * 86400;
  std::vector<std::string> node_names_;
  std::vector<int64_t> free_cpus_;
  std::vector<int64_t> free_mem_;

  std::unique_ptr<local::JobTable> table_;
  mutable std::shared_mutex mu_;
  std::map<int64_t, Job> jobs_;           // by raw id
  std::set<int64_t> active_;              // pending, running, or still being stopped
  std::map<int64_t, int> array_running_;  // per array, during a scheduling pass
  std::set<int64_t> unreported_;          // ended for good; the job-ended handler has not seen them
  int64_t next_id_ = 1;
  int64_t last_purge_ = 0;  // Unix seconds of the last PurgeIfDue pass
  bool started_ = false;
  bool stopping_ = false;
  bool wake_flag_ = false;
  std::condition_variable_any wake_;
  std::thread loop_;
  int lock_fd_ = -1;  // flock on the spool: one server per spool
  JobEndedHandler on_end_;
};

}  // namespace sfapid
