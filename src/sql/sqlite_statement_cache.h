// Compiled statements of one SQLite connection kept for the next call with the same SQL. The
// stores run a few dozen distinct statements over and over (a job submission runs about twenty),
// and compiling one costs as much as running it: a profile of submissions had sqlite3_prepare_v2
// at 16 % of sfapid's time. A statement handed back is reset and its bindings cleared, so the
// next user finds it as freshly prepared (SQLite recompiles it itself should the schema change).
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sfapid::sql {

class SqliteStatementCache {
 public:
  explicit SqliteStatementCache(std::size_t max_idle = 256) : max_idle_(max_idle) {}
  ~SqliteStatementCache();  // finalizes what is idle; the connection closes after
  SqliteStatementCache(const SqliteStatementCache&) = delete;
  SqliteStatementCache& operator=(const SqliteStatementCache&) = delete;

  // An idle statement compiled from exactly `sql`, taken out of the cache; null when none is.
  sqlite3_stmt* Take(const std::string& sql);
  // Resets the statement compiled from `sql` and keeps it for the next Take of that SQL; with
  // max_idle kept already, one of those is finalized to make room (SQL built per call must not
  // grow the cache without bound).
  void Give(std::string sql, sqlite3_stmt* stmt);

 private:
  const std::size_t max_idle_;
  // Its own lock, not the connection's: a statement may be handed back by any thread.
  std::mutex mu_;
  std::unordered_multimap<std::string, sqlite3_stmt*> idle_;  // by SQL text
};

}  // namespace sfapid::sql
