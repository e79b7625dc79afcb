// A thin RAII layer over the SQLite C API: a connection and prepared statements that report
// failures as Status values with SQLite's own message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace sfapid::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& BindNull(int index);
  Statement& BindOptional(int index, const std::optional<std::string>& text);

  // Advances; true while a row is available. Errors are kept for status().
  bool Step();
  // Runs to completion (for statements without rows).
  Status Run();
  const Status& status() const { return status_; }

  std::string Text(int column) const;
  std::optional<std::string> OptionalText(int column) const;
  int64_t Int(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status status_;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();

  Status Exec(const std::string& sql);
  Result<Statement> Prepare(std::string_view sql);
  // Prepares, binds (bind fills the parameters) and runs a statement that returns no rows.
  Status Run(std::string_view sql, const std::function<void(Statement&)>& bind);
  // Prepares, binds and steps a query, turning each row into a T.
  template <typename T>
  Result<std::vector<T>> Query(std::string_view sql, const std::function<void(Statement&)>& bind,
                               T (*row)(const Statement&)) {
    auto stmt = Prepare(sql);
    if (!stmt) return stmt.status();
    bind(*stmt);
    std::vector<T> out;
    while (stmt->Step()) out.push_back(row(*stmt));
    if (!stmt->status().ok()) return stmt->status();
    return out;
  }
  // Runs body inside BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when it fails.
  Status InTransaction(const std::function<Status()>& body);
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace sfapid::sqlite
