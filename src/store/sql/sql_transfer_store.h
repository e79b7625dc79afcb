// TransferStore on SQLite.
#pragma once

#include <functional>
#include <mutex>

#include "sql/connection_pool.h"
#include "store/transfer_store.h"

namespace sfapid::sql {

class SqlTransferStore : public TransferStore {
 public:
  explicit SqlTransferStore(ConnectionPool& pool) : db_(pool), pool_(pool) {}
  Status CreateTransfer(const TransferRecord& t) override;
  Status SetTransferTask(const std::string& id, const std::string& task_id) override;
  Status UpdateProgress(const std::string& id, int64_t bytes, int64_t bytes_per_second) override;
  Status FinishTransfer(const std::string& id, const std::string& status,
                        const std::string& reason) override;
  Result<TransferRecord> GetTransfer(const std::string& id) override;
  Result<int> CountActive(const std::string& owner) override;
  Result<int> FailTransfersWithoutTask(const std::string& reason,
                                       TimePoint created_before) override;

 private:
  // Runs `change` and the events it appends in one transaction, then wakes the event hub.
  Status WithEvents(const std::function<Status()>& change);
  // Ends the ACTIVE transfers `update` (an UPDATE without RETURNING) ends, each with its event.
  Result<int> EndTransfers(const std::string& update, const std::function<void(Statement&)>& bind,
                           const std::string& status, const std::string& reason);
  Status Exec(std::string_view sql, const std::function<void(Statement&)>& bind) {
    std::lock_guard lock(pool_);
    return db_.Run(sql, bind);
  }
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
