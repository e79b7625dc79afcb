#include "sql/sqlite_statement_cache.h"

#include <utility>

namespace sfapid::sql {

SqliteStatementCache::~SqliteStatementCache() {
  for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
}

sqlite3_stmt* SqliteStatementCache::Take(const std::string& sql) {
  std::lock_guard lock(mu_);
  auto it = idle_.find(sql);
  if (it == idle_.end()) return nullptr;
  sqlite3_stmt* stmt = it->second;
  idle_.erase(it);
  return stmt;
}

void SqliteStatementCache::Give(std::string sql, sqlite3_stmt* stmt) {
  if (stmt == nullptr) return;  // SQL of only comments or spaces compiles to nothing
  // A statement stopped between rows holds a read transaction open until it is reset.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  std::lock_guard lock(mu_);
  if (idle_.size() >= max_idle_) {
    // Full (SQL built per call fills it): make room by dropping whichever comes first, so the
    // statements in use keep coming back rather than being finalized on every return.
    sqlite3_finalize(idle_.begin()->second);
    idle_.erase(idle_.begin());
  }
  idle_.emplace(std::move(sql), stmt);
}

}  // namespace sfapid::sql
