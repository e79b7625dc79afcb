// Persistence of tasks: the asynchronous work (commands, job submissions, cancels, transfers) a
// request starts and a client polls with GET /tasks/{id}.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/status.h"
#include "util/time_format.h"

namespace sfapid {

struct TaskRecord {
  std::string id;
  std::string owner;  // API user
  std::string kind;   // "command", "submit_job", ...
  std::string system;
  std::string status;                 // new | completed | failed | cancelled ("new" while it runs)
  std::optional<std::string> result;  // a JSON document, as text
  TimePoint created_at;
  TimePoint updated_at;
  // The sfapid node that runs it (the one that accepted it: the work lives in its memory) and
  // until when that node has vouched for it: it renews this while it lives (RenewLeases).
  std::string node;
  TimePoint lease_until;
  // What the work noted just before an effect it cannot take back (a job submission: which
  // script, when): how a node that ends the task after its own node died finds out whether the
  // effect happened. "" when none.
  std::string checkpoint;
};

class TaskStore {
 public:
  virtual ~TaskStore() = default;

  // Stores a new task with status "new", run by node under a lease until lease_until; returns
  // its id.
  virtual Result<std::string> CreateTask(const std::string& owner, const std::string& kind,
                                         const std::string& system, const std::string& node,
                                         TimePoint lease_until) = 0;
  // Sets status and result, unless the task already ended (a cancelled task stays cancelled).
  // Returns false when it had ended.
  virtual Result<bool> UpdateTask(const std::string& id, const std::string& status,
                                  const std::optional<std::string>& result) = 0;
  virtual Result<TaskRecord> GetTask(const std::string& id) = 0;
  virtual Result<std::vector<TaskRecord>> ListTasks(const std::string& owner) = 0;  // newest first
  // Extends the lease of every unfinished task node runs to until; returns how many.
  virtual Result<int> RenewLeases(const std::string& node, TimePoint until) = 0;
  // Unfinished tasks no live node runs: node's own (from before it restarted) and any whose
  // lease ran out before now.
  virtual Result<std::vector<TaskRecord>> OrphanedTasks(const std::string& node, TimePoint now) = 0;
  // Records the task's checkpoint (TaskRecord::checkpoint) while it runs.
  virtual Status SetCheckpoint(const std::string& id, const std::string& checkpoint) = 0;
  // Ends an orphaned task with status ("failed", or "completed" when what it did was found out)
  // and result, unless it changed since it was read (ended, or its node renewed the lease after
  // all): true when this call ended it. Several nodes may sweep at once; exactly one ends each.
  virtual Result<bool> EndOrphanedTask(const TaskRecord& task, const std::string& status,
                                       const std::string& result) = 0;
  // Forgets ended tasks last updated before the time.
  virtual Result<int> PurgeTasks(TimePoint ended_before) = 0;
};

}  // namespace sfapid
