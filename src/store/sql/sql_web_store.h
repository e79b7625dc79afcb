// WebStore on SQLite.
#pragma once

#include "sql/connection_pool.h"
#include "store/web_store.h"

namespace sfapid::sql {

class SqlWebStore : public WebStore {
 public:
  explicit SqlWebStore(ConnectionPool& pool) : db_(pool), pool_(pool) {}

  Status CreateSession(const WebSession& session) override;
  Result<WebSession> GetSession(const std::string& id_hash) override;
  Status UpdateSession(const WebSession& session) override;
  Status DeleteSession(const std::string& id_hash) override;
  Result<int64_t> DeleteUserSessions(const std::string& user) override;
  Result<int64_t> PruneSessions(TimePoint now, TimePoint idle_before) override;

  Result<std::optional<TotpEnrolment>> GetTotp(const std::string& user) override;
  Status AddTotp(const TotpEnrolment& enrolment) override;
  Status DeleteTotp(const std::string& user) override;
  Result<bool> UseTotpStep(const std::string& user, int64_t step) override;

  Status RecordSignInFailure(const std::string& key, TimePoint at) override;
  Result<FailureCount> CountSignInFailures(const std::string& key, TimePoint since) override;
  Status ClearSignInFailures(const std::string& key) override;

  Status CreateSignInLink(const std::string& secret_hash, const std::string& user,
                          TimePoint expires_at) override;
  Result<std::string> ConsumeSignInLink(const std::string& secret_hash, TimePoint now) override;

  Result<std::optional<ApiEnablement>> GetEnablement(const std::string& user) override;
  Result<std::vector<ApiEnablement>> ListEnablements() override;
  Status EnableUser(const std::string& user, const std::string& by, TimePoint at) override;
  Result<std::vector<std::string>> DisableUser(const std::string& user, const std::string& by,
                                               TimePoint at) override;

  Result<AccessRequest> CreateAccessRequest(const std::string& user, const std::string& reason,
                                            TimePoint at) override;
  Result<std::vector<AccessRequest>> ListAccessRequests(const std::string& state,
                                                        const std::string& user) override;
  Result<AccessRequest> DecideAccessRequest(int64_t id, bool approve, const std::string& by,
                                            const std::string& note, TimePoint at) override;

 private:
  Status SetEnablementLocked(const std::string& user, bool enabled, const std::string& by,
                             TimePoint at);
  Result<std::vector<AccessRequest>> QueryRequests(const std::string& where,
                                                   const std::function<void(Statement&)>& bind);
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
