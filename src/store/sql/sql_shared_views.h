// SharedViews on SQL: one row per view in scheduler_views, claims and saves as conditional updates
// (of two nodes racing for a claim, the second finds it taken).
#pragma once

#include "domain/shared_views.h"
#include "sql/connection_pool.h"

namespace sfapid::sql {

class SqlSharedViews : public SharedViews {
 public:
  explicit SqlSharedViews(ConnectionPool& pool) : db_(pool), pool_(pool) {}
  Result<std::optional<SharedView>> ReadView(const std::string& key,
                                             int64_t not_before_ms) override;
  Result<bool> ClaimRefresh(const std::string& key, const std::string& node, int64_t now_ms,
                            int64_t until_ms, int64_t min_interval_ms,
                            int64_t not_before_ms) override;
  Status SaveView(const std::string& key, const std::string& node, const SharedView& view) override;
  Status ReleaseRefresh(const std::string& key, const std::string& node) override;
  Status NoteChange(const std::string& key, const std::string& user, int64_t at_ms) override;
  Result<int64_t> LastChange(const std::string& key, const std::string& user) override;

 private:
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
