// TaskStore on SQL (SQLite or PostgreSQL).
#pragma once

#include <mutex>

#include "sql/database.h"
#include "store/task_store.h"

namespace sfapid::sql {

class SqlTaskStore : public TaskStore {
 public:
  SqlTaskStore(Database& db, std::mutex& mu) : db_(db), mu_(mu) {}

  Result<std::string> CreateTask(const std::string& owner, const std::string& kind,
                                 const std::string& system, const std::string& node,
                                 TimePoint lease_until) override;
  Result<bool> UpdateTask(const std::string& id, const std::string& status,
                          const std::optional<std::string>& result) override;
  Result<TaskRecord> GetTask(const std::string& id) override;
  Result<std::vector<TaskRecord>> ListTasks(const std::string& owner) override;
  Result<int> RenewLeases(const std::string& node, TimePoint until) override;
  Result<std::vector<TaskRecord>> OrphanedTasks(const std::string& node, TimePoint now) override;
  Result<bool> EndOrphanedTask(const TaskRecord& task, const std::string& result) override;
  Result<int> PurgeTasks(TimePoint ended_before) override;

 private:
  Database& db_;
  std::mutex& mu_;
};

}  // namespace sfapid::sql
