// A thin SQL layer under the store, with two drivers: SQLite (the embedded default) and PostgreSQL
// (several nodes). The stores write one SQL for both: numbered parameters ?1, ?2, ... (the
// PostgreSQL driver makes them $1, $2, ...), ON CONFLICT instead of INSERT OR IGNORE/REPLACE,
// RETURNING instead of last-insert-id. Failures are Status values with the database's own words.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace sfapid::sql {

// What a column of the current row holds (SQLite's storage classes; PostgreSQL's by column type).
enum class ColumnType { kNull, kInteger, kReal, kText };

// What a driver does for one statement.
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void BindText(int index, std::string_view text) = 0;
  virtual void BindInt(int index, int64_t value) = 0;
  virtual void BindNull(int index) = 0;
  // Advances; true while a row is available; a failure goes to `status`.
  virtual bool Step(Status& status) = 0;
  virtual bool IsNull(int column) const = 0;
  virtual std::string Text(int column) const = 0;
  virtual int64_t Int(int column) const = 0;
  virtual double Real(int column) const = 0;
  // The result's shape, for code that copies rows it does not know (sfapid store copy); valid
  // once Step has run.
  virtual int ColumnCount() const = 0;
  virtual std::string ColumnName(int column) const = 0;
  virtual ColumnType TypeOf(int column) const = 0;
};

// A prepared statement: bind, then step through the rows (or Run one without rows).
class Statement {
 public:
  explicit Statement(std::unique_ptr<StatementImpl> impl) : impl_(std::move(impl)) {}

  Statement& Bind(int index, std::string_view text) {
    impl_->BindText(index, text);
    return *this;
  }
  Statement& Bind(int index, int64_t value) {
    impl_->BindInt(index, value);
    return *this;
  }
  Statement& BindNull(int index) {
    impl_->BindNull(index);
    return *this;
  }
  Statement& BindOptional(int index, const std::optional<std::string>& text) {
    return text ? Bind(index, std::string_view(*text)) : BindNull(index);
  }

  bool Step() { return impl_->Step(status_); }
  Status Run();
  // For INSERT ... RETURNING id: the id of the one row.
  Result<int64_t> RunReturningId();
  const Status& status() const { return status_; }

  std::string Text(int column) const { return impl_->Text(column); }
  std::optional<std::string> OptionalText(int column) const;
  int64_t Int(int column) const { return impl_->Int(column); }
  double Real(int column) const { return impl_->Real(column); }
  int ColumnCount() const { return impl_->ColumnCount(); }
  std::string ColumnName(int column) const { return impl_->ColumnName(column); }
  ColumnType TypeOf(int column) const { return impl_->TypeOf(column); }

 private:
  std::unique_ptr<StatementImpl> impl_;
  Status status_;
};

class Database {
 public:
  virtual ~Database() = default;

  // Runs SQL without parameters or rows (several statements allowed): migrations, pragmas.
  virtual Status Exec(const std::string& sql) = 0;
  virtual Result<Statement> Prepare(std::string_view sql) = 0;
  // Runs body in one transaction that other writers cannot interleave with (SQLite: BEGIN
  // IMMEDIATE; PostgreSQL: SERIALIZABLE, retried on a serialization failure), or rolls back.
  virtual Status InTransaction(const std::function<Status()>& body) = 0;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  virtual int Changes() const = 0;
  virtual const char* dialect() const = 0;  // "sqlite" or "postgresql"

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
};

// PostgreSQL rather than SQLite, where the two need different SQL (migrations, copies).
inline bool IsPostgres(const Database& db) {
  return std::string_view(db.dialect()) == "postgresql";
}

}  // namespace sfapid::sql
