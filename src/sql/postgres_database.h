// The PostgreSQL driver (libpq): one connection; the stores' SQL with ?N parameters sent as $N
// (text values; integers typed int8), `user` quoted (PostgreSQL reserves it and the schema, born
// on SQLite, names columns so), transactions SERIALIZABLE and retried when PostgreSQL reports a
// serialization failure, so a check-then-write in one transaction holds across nodes as SQLite's
// BEGIN IMMEDIATE holds across processes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sql/database.h"

// libpq's handles, without its header everywhere the store is seen.
struct pg_conn;
struct pg_result;

namespace sfapid::sql {

class PostgresDatabase : public Database {
 public:
  // url: postgresql://user:password@host:port/db[?options]. Unavailable with libpq's words when
  // the server cannot be reached (the password is never in the message).
  static Result<std::unique_ptr<PostgresDatabase>> Open(const std::string& url);
  ~PostgresDatabase() override;

  Status Exec(const std::string& sql) override;
  Result<Statement> Prepare(std::string_view sql) override;
  Status InTransaction(const std::function<Status()>& body) override;
  int Changes() const override { return changes_; }
  const char* dialect() const override { return "postgresql"; }

  // The statement text PostgreSQL is given for the stores' SQL (for tests).
  static std::string Translate(std::string_view sql);

  // For the statements: the outcome of one executed statement.
  Status Outcome(pg_result* result, const std::string& sql);
  // Runs a statement, prepared on this connection the first time its text (with these parameter
  // types) is run: the server parses and plans the stores' few hundred texts once per connection
  // instead of on every call. The caller clears the result.
  pg_result* Execute(const std::string& sql, const std::vector<unsigned int>& types,
                     const std::vector<const char*>& values);

 private:
  explicit PostgresDatabase(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
  int changes_ = 0;
  bool serialization_failure_ = false;
  // Statement text + parameter types -> the name it was prepared under on this connection. Texts
  // built per call (IN lists, the copy's batches) could grow it without end: at most this many.
  static constexpr size_t kMaxPrepared = 512;
  std::map<std::string, std::string> prepared_;
  uint64_t statements_made_ = 0;
  friend class PostgresStatement;
};

}  // namespace sfapid::sql
