// The jobs submitted through sfapid that have not ended yet, watched until Slurm's accounting has
// their final state, so the job-ended handler (callbacks, usage) hears of each once, as with the
// local scheduler. The list survives a restart in a small state file, written whole on every
// change (a temporary file, fsynced, renamed over the old one, the folder fsynced): a crash
// leaves the old list or the new one. A write that fails is returned and counted, never dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "backends/scheduler/slurm/slurm_rows.h"
#include "domain/finished_job.h"
#include "util/status.h"

namespace sfapid::slurm {

class JobWatcher {
 public:
  // `state_dir`: where the state file (slurm-watched.json) lives; created when missing.
  JobWatcher(std::string cluster, std::string state_dir);

  const std::string& state_file() const { return state_file_; }

  // Reads the jobs of an earlier run. A missing file is none; an unreadable or damaged one is an
  // error (the jobs in it are then not watched, and the caller says so).
  Status Load();
  // Starts watching a job `user` just submitted (Unix seconds) into `reservation` ("" = none),
  // and saves the list.
  Status Watch(const std::string& jobid, const std::string& user, int64_t submitted,
               const std::string& reservation = "");

  // How the watcher reads Slurm: the queue and accounting snapshots, and sacct by job id.
  struct Sources {
    std::function<Result<std::shared_ptr<const Rows>>()> queue, accounting;
    std::function<Result<Rows>(const std::string& ids)> by_id;
  };
  // One look: a watched job the queue no longer shows as pending or running is looked up in
  // accounting; once every row of it has ended, it is in `ended` (an array's tasks each, then
  // the array's summary under its own id) and its id in `done`. A job accounting has not heard
  // of a day after submission is in `done` only. Nothing is forgotten here: the caller reports
  // `ended`, then calls Forget(done), so a crash between the two repeats a report rather than
  // losing one.
  struct Look {
    std::vector<FinishedJob> ended;
    std::vector<std::string> done;
  };
  Look Check(const Sources& slurm, int64_t now) const;
  // Stops watching these jobs and saves the list.
  Status Forget(const std::vector<std::string>& jobids);

  size_t size() const;
  uint64_t save_failures() const;

 private:
  struct Watched {
    std::string user;
    int64_t submitted = 0;    // Unix seconds
    std::string reservation;  // #SBATCH --reservation of its script
  };
  Status Save();  // the whole list; takes mu_

  std::string cluster_;
  std::string state_dir_, state_file_;
  mutable std::mutex mu_;
  std::map<std::string, Watched> watched_;  // by job id
  uint64_t save_failures_ = 0;
  // Saves run one at a time, so an older list never overwrites a newer one.
  std::mutex save_mu_;
};

}  // namespace sfapid::slurm
