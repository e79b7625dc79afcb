// StatusStore on SQLite.
#pragma once

#include "sql/connection_pool.h"
#include "store/status_store.h"

namespace sfapid::sql {

class SqlStatusStore : public StatusStore {
 public:
  explicit SqlStatusStore(ConnectionPool& pool) : db_(pool), pool_(pool) {}

  Result<std::vector<SystemStatusRecord>> ListStatuses() override;
  Status SetStatus(const SystemStatusRecord& record) override;
  Status ClearStatus(const std::string& name) override;
  Result<std::vector<OutageRecord>> ListOutages(const std::string& name) override;
  Result<int64_t> AddOutage(const OutageRecord& record) override;
  Status RemoveOutage(int64_t id) override;
  Result<std::vector<NoteRecord>> ListNotes(const std::string& name) override;
  Result<int64_t> AddNote(const NoteRecord& record) override;
  Status RemoveNote(int64_t id) override;

 private:
  Status RemoveById(const char* table, const char* noun, int64_t id);
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
