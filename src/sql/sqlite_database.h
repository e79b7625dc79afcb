// The SQLite driver: one connection (serialized mode), a busy timeout for the CLI and the server
// sharing the file, a private (0600) file from its first byte, and compiled statements kept for
// reuse (SqliteStatementCache).
#pragma once

#include <sqlite3.h>

#include <memory>

#include "sql/database.h"
#include "sql/sqlite_statement_cache.h"

namespace sfapid::sql {

class SqliteDatabase : public Database {
 public:
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path);
  ~SqliteDatabase() override;

  Status Exec(const std::string& sql) override;
  Result<Statement> Prepare(std::string_view sql) override;
  Status InTransaction(const std::function<Status()>& body) override;
  int Changes() const override { return sqlite3_changes(db_); }
  const char* dialect() const override { return "sqlite"; }

 private:
  explicit SqliteDatabase(sqlite3* db)
      : db_(db), statements_(std::make_shared<SqliteStatementCache>()) {}
  sqlite3* db_;
  std::shared_ptr<SqliteStatementCache> statements_;  // statements hold it weakly
};

}  // namespace sfapid::sql
