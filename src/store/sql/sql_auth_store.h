// AuthStore on SQLite.
#pragma once

#include "sql/connection_pool.h"
#include "store/auth_store.h"

namespace sfapid::sql {

class SqlAuthStore : public AuthStore {
 public:
  explicit SqlAuthStore(ConnectionPool& pool) : db_(pool), pool_(pool) {}

  Status CreateClient(const ClientRecord& client) override;
  Result<ClientRecord> GetClient(const std::string& client_id) override;
  Result<std::vector<ClientRecord>> ListClients(const std::string& owner) override;
  Status RevokeClient(const std::string& client_id, TimePoint at) override;
  Status MarkClientUsed(const std::string& client_id, TimePoint at) override;
  Result<bool> RememberAssertionId(const std::string& client_id, const std::string& jti,
                                   TimePoint expires_at) override;
  Result<std::vector<StoredSigningKey>> ListSigningKeys() override;
  Status AddSigningKey(const StoredSigningKey& key) override;
  Status RemoveSigningKey(const std::string& kid) override;
  Status AppendAudit(const AuthAuditRecord& record) override;
  Result<std::vector<AuthAuditRecord>> ListAudit(int limit) override;
  Result<int64_t> PruneAudit(TimePoint before) override;

 private:
  Result<std::vector<ClientRecord>> QueryClients(const char* where, const std::string& arg);
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
