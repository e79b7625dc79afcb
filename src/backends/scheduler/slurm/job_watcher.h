// The jobs submitted through sfapid that have not ended yet, watched until Slurm's accounting has
// their final state, so the job-ended handler (callbacks, usage) hears of each, as with the
// local scheduler. The list is in the store (domain/watched_jobs.h): it survives restarts and
// crashes, and with several nodes on one store a job submitted through a node that died is
// reported by another. A write that fails is returned and counted, never dropped.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/scheduler/scheduler.h"
#include "backends/scheduler/slurm/slurm_rows.h"
#include "domain/finished_job.h"
#include "domain/watched_jobs.h"
#include "util/status.h"

namespace sfapid::slurm {

class JobWatcher {
 public:
  JobWatcher(std::string cluster, WatchedJobs& list);

  // Moves the jobs an earlier version watched in its state file (`state_dir`/slurm-watched.json)
  // into the store and renames the file *.imported. No file: nothing to do. A damaged one is an
  // error (its good records are still moved; the file stays for the operator to read).
  Status ImportFile(const std::string& state_dir);
  // Starts watching a job `user` just submitted (Unix seconds) into `reservation` ("" = none),
  // whose `states` (WatchedJob::states) were reported already.
  Status Watch(const std::string& jobid, const std::string& user, int64_t submitted,
               const std::string& reservation = "", const std::string& states = "");

  // How the watcher reads Slurm: the queue and accounting snapshots, and sacct by job id.
  struct Sources {
    std::function<Result<std::shared_ptr<const Rows>>()> queue, accounting;
    std::function<Result<Rows>(const std::string& ids)> by_id;
  };
  // One look: a watched job the queue shows with states other than those last reported has its
  // changes in `changed` (each task or pending range of an array its own) and its record with
  // the new states in `restated`; a state that came and went between two looks is not seen. A
  // watched job the queue no longer shows as pending or running is looked up in accounting; once
  // every row of it has ended, it is in `ended` (an array's tasks each, then the array's summary
  // under its own id) and its id in `done`. A job accounting has not heard of a day after
  // submission is in `done` only. Nothing is forgotten here: the caller reports `ended`, then calls
  // Forget(done), so a crash between the two repeats a report rather than losing one. Fails only
  // when the list cannot be read. The caller reports `changed`, then calls SaveStates(restated): a
  // crash between the two repeats a state rather than losing one.
  struct Look {
    std::vector<JobStateChange> changed;
    std::vector<WatchedJob> restated;
    std::vector<FinishedJob> ended;
    std::vector<std::string> done;
  };
  Result<Look> Check(const Sources& slurm, int64_t now);
  // Keeps the states of these jobs as reported.
  Status SaveStates(const std::vector<WatchedJob>& restated);
  // Stops watching these jobs.
  Status Forget(const std::vector<std::string>& jobids);

  // How many jobs the last Watch, Check or Forget saw watched (for metrics).
  size_t size() const { return size_; }
  uint64_t save_failures() const { return save_failures_; }

 private:
  Status Counted(Status s);

  std::string cluster_;
  WatchedJobs& list_;
  std::atomic<size_t> size_{0};
  std::atomic<uint64_t> save_failures_{0};
};

}  // namespace sfapid::slurm
