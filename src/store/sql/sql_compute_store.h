// ComputeStore on SQLite.
#pragma once

#include <functional>
#include <mutex>

#include "sql/connection_pool.h"
#include "store/compute_store.h"

namespace sfapid::sql {

class SqlComputeStore : public ComputeStore {
 public:
  explicit SqlComputeStore(ConnectionPool& pool) : db_(pool), pool_(pool) {}

  Result<bool> RecordUsage(const FinishedJob& job) override;
  Result<std::optional<FinishedJob>> GetFinishedJob(const std::string& system,
                                                    const std::string& jobid) override;
  Result<std::vector<UsageRow>> UsageByAccount(const std::string& account) override;
  Status RecountUsageTotals() override;

  Status SaveRegistration(const CallbackRegistration& r) override;
  Result<std::optional<CallbackRegistration>> GetRegistration(const std::string& system,
                                                              const std::string& jobid) override;
  Result<bool> AddDelivery(const CallbackDelivery& d) override;
  Result<CallbackDelivery> GetDelivery(const std::string& id) override;
  Result<std::vector<CallbackDelivery>> DeliveriesOfJob(const std::string& system,
                                                        const std::string& jobid) override;
  Result<std::vector<CallbackDelivery>> PendingDeliveries(int limit, int64_t now_ms) override;
  Result<bool> ClaimDelivery(const std::string& id, int64_t now_ms, int64_t until_ms) override;
  Status UpdateDelivery(const CallbackDelivery& d) override;

 private:
  // Runs a query under the lock and turns each row into a T.
  template <typename T>
  Result<std::vector<T>> Rows(std::string_view sql, const std::function<void(Statement&)>& bind,
                              T (*row)(const Statement&)) {
    std::lock_guard lock(pool_);
    return db_.Query(sql, bind, row);
  }
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
