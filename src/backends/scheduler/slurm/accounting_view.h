// Slurm's accounting as users read it: one `sacct` over a bounded window for all users, shared
// as a snapshot (snapshot.h), merged with what the queue knows and accounting does not yet.
// slurmdbd learns of a job, and of each array task that starts, seconds after the fact, and for
// about a second after a job ends holds only a stub of it; the SFAPI promises that a user's own
// submission is in what they read next. Jobs asked for by id that the window leaves out are
// looked up by id.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backends/scheduler/scheduler.h"
#include "backends/scheduler/slurm/slurm_command.h"
#include "backends/scheduler/slurm/slurm_rows.h"
#include "backends/scheduler/snapshot.h"

namespace sfapid::slurm {

class AccountingView {
 public:
  using Clock = std::chrono::steady_clock;

  // `queue` is the backend's queue snapshot; both it and `commands` outlive the view.
  AccountingView(const SystemConfig& system, SlurmCommands& commands, Snapshot<Rows>& queue);
  AccountingView(const AccountingView&) = delete;
  AccountingView& operator=(const AccountingView&) = delete;

  // The rows a query reads: the window from a sacct started at or after `not_before`, with queued
  // jobs accounting does not have yet (from a queue snapshot as recent), the jobs `q` names by
  // id outside the window, and stub rows completed from the queue. Sorted by job id.
  Result<std::shared_ptr<const Rows>> Read(const JobQuery& q, Clock::time_point not_before);
  // The window as the snapshot has it (at most a refresh interval old), nothing merged.
  Result<std::shared_ptr<const Rows>> Window() { return window_.Get(); }
  // `sacct -j ids` ("12,13"): every user's jobs, sorted by job id.
  Result<Rows> ById(const std::string& ids) { return Sacct({"-j", ids}); }

  Snapshot<Rows>::Stats stats() const { return window_.stats(); }

 private:
  Result<Rows> Sacct(const std::vector<std::string>& selection);
  Result<Rows> FetchWindow();
  Result<Rows> MissingFromWindow(const Rows& window, const JobQuery& q);
  std::shared_ptr<const Rows> CompleteFromQueue(std::shared_ptr<const Rows> rows);
  std::shared_ptr<const Rows> WithQueuedJobs(std::shared_ptr<const Rows> accounting,
                                             Clock::time_point not_before);

  const SystemConfig& system_;
  SlurmCommands& commands_;
  Snapshot<Rows>& queue_;
  Snapshot<Rows> window_;
  // WithQueuedJobs' last answer and the two snapshots it was made from: made once per refresh.
  struct Merged {
    std::shared_ptr<const Rows> accounting, queue, rows;
  };
  std::mutex merged_mu_;
  Merged merged_;
};

// Seconds (as config holds them) as a snapshot's duration.
std::chrono::milliseconds Millis(double seconds);

}  // namespace sfapid::slurm
