// IdempotencyStore on SQL: one row per key scope in idempotency_keys.
#pragma once

#include "sql/connection_pool.h"
#include "store/idempotency_store.h"

namespace sfapid::sql {

class SqlIdempotencyStore : public IdempotencyStore {
 public:
  explicit SqlIdempotencyStore(ConnectionPool& pool) : db_(pool), pool_(pool) {}
  Result<IdempotencyClaim> Claim(const std::string& scope, const std::string& user,
                                 const std::string& fingerprint, int64_t now_ms,
                                 int64_t lock_until_ms, const std::string& new_token) override;
  Status Complete(const std::string& scope, const StoredReply& reply, int64_t expires_ms) override;
  Status Release(const std::string& scope) override;
  Result<int> PurgeIdempotency(int64_t now_ms, int64_t locks_ended_before_ms) override;

 private:
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
