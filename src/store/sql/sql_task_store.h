// TaskStore on SQL (SQLite or PostgreSQL).
#pragma once

#include "sql/connection_pool.h"
#include "store/task_store.h"

namespace sfapid::sql {

class SqlTaskStore : public TaskStore {
 public:
  explicit SqlTaskStore(ConnectionPool& pool) : db_(pool), pool_(pool) {}

  Result<CreatedTask> AddTask(const NewTask& task) override;
  Result<bool> UpdateTask(const std::string& id, const std::string& status,
                          const std::optional<std::string>& result,
                          const std::string& node = "") override;
  Result<TaskRecord> GetTask(const std::string& id) override;
  Result<std::vector<TaskRecord>> ListTasks(const std::string& owner) override;
  Result<int> RenewLeases(const std::string& node, TimePoint until) override;
  Result<std::vector<TaskRecord>> OrphanedTasks(const std::string& node, TimePoint now) override;
  Result<bool> SetCheckpoint(const std::string& id, const std::string& node,
                             const std::string& checkpoint) override;
  Result<bool> AdoptOrphanedTask(const TaskRecord& task, const std::string& node,
                                 TimePoint lease_until) override;
  Result<bool> EndOrphanedTask(const TaskRecord& task, const std::string& status,
                               const std::string& result) override;
  Result<int> PurgeTasks(TimePoint ended_before) override;

 private:
  // Runs a conditional UPDATE that ends a task and, when it changed the row, appends the task's
  // event in the same transaction. Whether it changed the row.
  Result<bool> EndWithEvent(const std::string& update, const std::function<void(Statement&)>& bind,
                            const std::string& id, const std::string& status);
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
