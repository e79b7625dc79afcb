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
  // effect happened. "" when none: the work has done nothing it cannot do again.
  std::string checkpoint;
  // What the work was asked to do, as the kind's own JSON, for running it again when it never
  // got past its checkpoint (TaskEngine::OnResume). "" when the kind cannot be run again, and
  // once the task ended.
  std::string request;
};

// A task to store: its owner, kind and system, the node that runs it under a lease, and
// optionally the request to run it again from (TaskRecord::request) and the idempotency token of
// the HTTP request that made it (api/idempotency.h): at most one task per token, so a request
// retried after its sfapid died gets the task the first try made instead of a second.
struct NewTask {
  std::string owner;
  std::string kind;
  std::string system;
  std::string node;
  TimePoint lease_until;
  std::string request;
  std::string idempotency_token;
};

struct CreatedTask {
  std::string id;
  bool existed = false;  // the token's task, made before: nothing new was stored
};

class TaskStore {
 public:
  virtual ~TaskStore() = default;

  // Stores a new task with status "new", or finds the one its idempotency token made before.
  virtual Result<CreatedTask> AddTask(const NewTask& task) = 0;
  // A task with no request and no token; its id.
  Result<std::string> CreateTask(const std::string& owner, const std::string& kind,
                                 const std::string& system, const std::string& node,
                                 TimePoint lease_until) {
    auto created = AddTask({owner, kind, system, node, lease_until, "", ""});
    if (!created) return created.status();
    return created->id;
  }
  // Sets status and result, unless the task already ended (a cancelled task stays cancelled) or,
  // with `node`, another node runs it now (AdoptOrphanedTask). Returns false when it did not.
  virtual Result<bool> UpdateTask(const std::string& id, const std::string& status,
                                  const std::optional<std::string>& result,
                                  const std::string& node = "") = 0;
  virtual Result<TaskRecord> GetTask(const std::string& id) = 0;
  virtual Result<std::vector<TaskRecord>> ListTasks(const std::string& owner) = 0;  // newest first
  // Extends the lease of every unfinished task node runs to until; returns how many.
  virtual Result<int> RenewLeases(const std::string& node, TimePoint until) = 0;
  // Unfinished tasks no live node runs: node's own (from before it restarted) and any whose
  // lease ran out before now.
  virtual Result<std::vector<TaskRecord>> OrphanedTasks(const std::string& node, TimePoint now) = 0;
  // Records the task's checkpoint (TaskRecord::checkpoint) while node runs it: false when the
  // task ended or another node took it over (AdoptOrphanedTask), and the work must not go on.
  virtual Result<bool> SetCheckpoint(const std::string& id, const std::string& node,
                                     const std::string& checkpoint) = 0;
  // Takes an orphaned task that never reached its checkpoint over for node, to run it again from
  // its request, unless it changed since it was read: true when this call took it. Of several
  // nodes sweeping at once exactly one takes each, and its first node, should it live after all,
  // can no longer set a checkpoint.
  virtual Result<bool> AdoptOrphanedTask(const TaskRecord& task, const std::string& node,
                                         TimePoint lease_until) = 0;
  // Ends an orphaned task with status ("failed", or "completed" when what it did was found out)
  // and result, unless it changed since it was read (ended, or its node renewed the lease after
  // all): true when this call ended it. Several nodes may sweep at once; exactly one ends each.
  virtual Result<bool> EndOrphanedTask(const TaskRecord& task, const std::string& status,
                                       const std::string& result) = 0;
  // Forgets ended tasks last updated before the time.
  virtual Result<int> PurgeTasks(TimePoint ended_before) = 0;
};

}  // namespace sfapid
