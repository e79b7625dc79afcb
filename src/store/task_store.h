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
};

class TaskStore {
 public:
  virtual ~TaskStore() = default;

  // Stores a new task with status "new"; returns its id.
  virtual Result<std::string> CreateTask(const std::string& owner, const std::string& kind,
                                         const std::string& system) = 0;
  // Sets status and result, unless the task already ended (a cancelled task stays cancelled).
  // Returns false when it had ended.
  virtual Result<bool> UpdateTask(const std::string& id, const std::string& status,
                                  const std::optional<std::string>& result) = 0;
  virtual Result<TaskRecord> GetTask(const std::string& id) = 0;
  virtual Result<std::vector<TaskRecord>> ListTasks(const std::string& owner) = 0;  // newest first
  // Every task still "new" ends "failed" with this result: used at start-up after a crash.
  virtual Result<int> FailUnfinishedTasks(const std::string& result) = 0;
  // Forgets ended tasks last updated before the time.
  virtual Result<int> PurgeTasks(TimePoint ended_before) = 0;
};

}  // namespace sfapid
