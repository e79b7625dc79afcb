#include "sql/postgres_database.h"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string_view>
#include <thread>

namespace sfapid::sql {

namespace {

// pg_type.oid of the types the schema uses beside text.
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat8Oid = 701;
constexpr int kTransactionAttempts = 8;

bool IdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A message without the connection string (which may hold a password).
std::string ErrorText(const char* text) {
  std::string s = text ? text : "unknown error";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

class PostgresStatement : public StatementImpl {
 public:
  PostgresStatement(PostgresDatabase& db, std::string sql) : db_(db), sql_(std::move(sql)) {
    // The highest $N the text names: binds beyond it are not sent (a store may bind a parameter
    // that only some forms of its query use; PostgreSQL refuses one it cannot type).
    for (size_t i = 0; i + 1 < sql_.size(); ++i)
      if (sql_[i] == '$' && std::isdigit(static_cast<unsigned char>(sql_[i + 1])))
        referenced_ = std::max(referenced_, std::atoi(sql_.c_str() + i + 1));
  }
  ~PostgresStatement() override { PQclear(result_); }

  void BindText(int index, std::string_view text) override { Set(index, std::string(text), 0); }
  void BindInt(int index, int64_t value) override { Set(index, std::to_string(value), kInt8Oid); }
  void BindNull(int index) override { Set(index, std::nullopt, 0); }

  bool Step(Status& status) override {
    if (!executed_) {
      executed_ = true;
      const size_t count = std::min(params_.size(), static_cast<size_t>(referenced_));
      types_.resize(count);
      std::vector<const char*> values(count);
      for (size_t i = 0; i < count; ++i) values[i] = params_[i] ? params_[i]->c_str() : nullptr;
      result_ = db_.Execute(sql_, types_, values);
      status = db_.Outcome(result_, sql_);
      if (!status.ok()) return false;
      rows_ = PQresultStatus(result_) == PGRES_TUPLES_OK ? PQntuples(result_) : 0;
      row_ = -1;
    }
    if (!status.ok()) return false;
    return ++row_ < rows_;
  }

  bool IsNull(int column) const override { return PQgetisnull(result_, row_, column) != 0; }
  std::string Text(int column) const override {
    if (IsNull(column)) return "";
    return std::string(PQgetvalue(result_, row_, column),
                       static_cast<size_t>(PQgetlength(result_, row_, column)));
  }
  int64_t Int(int column) const override {
    if (IsNull(column)) return 0;
    return std::strtoll(PQgetvalue(result_, row_, column), nullptr, 10);
  }
  double Real(int column) const override {
    if (IsNull(column)) return 0;
    return std::strtod(PQgetvalue(result_, row_, column), nullptr);
  }
  int ColumnCount() const override { return result_ ? PQnfields(result_) : 0; }
  std::string ColumnName(int column) const override {
    const char* name = result_ ? PQfname(result_, column) : nullptr;
    return name ? name : "";
  }
  ColumnType TypeOf(int column) const override {
    if (IsNull(column)) return ColumnType::kNull;
    const Oid type = PQftype(result_, column);
    if (type == kInt8Oid || type == kInt4Oid) return ColumnType::kInteger;
    if (type == kFloat8Oid) return ColumnType::kReal;
    return ColumnType::kText;
  }

 private:
  void Set(int index, std::optional<std::string> value, Oid type) {
    if (index < 1) return;
    if (params_.size() < static_cast<size_t>(index)) {
      params_.resize(index);
      types_.resize(index, 0);
    }
    params_[index - 1] = std::move(value);
    types_[index - 1] = type;
  }

  PostgresDatabase& db_;
  std::string sql_;
  std::vector<std::optional<std::string>> params_;
  std::vector<Oid> types_;
  PGresult* result_ = nullptr;
  bool executed_ = false;
  int rows_ = 0;
  int row_ = -1;
  int referenced_ = 0;
};

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (!conn) return Status::Unavailable("PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = ErrorText(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable("cannot reach PostgreSQL: " + why);
  }
  std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(conn));
  // Notices (e.g. "relation exists, skipping") are not errors; keep them out of the log.
  if (Status s = db->Exec("SET client_min_messages = warning"); !s.ok()) return s;
  return db;
}

PostgresDatabase::~PostgresDatabase() { PQfinish(conn_); }

PGresult* PostgresDatabase::Execute(const std::string& sql, const std::vector<Oid>& types,
                                    const std::vector<const char*>& values) {
  const int count = static_cast<int>(values.size());
  // Parameter types are part of a prepared statement, so they are part of its key.
  std::string key = sql;
  for (Oid type : types) key += type == kInt8Oid ? 'i' : '.';
  auto known = prepared_.find(key);
  if (known == prepared_.end() && prepared_.size() < kMaxPrepared) {
    // Never a name used before on this session: a statement that lost its entry here may still
    // exist there.
    std::string name = "s";
    name += std::to_string(++statements_made_);
    PGresult* made = PQprepare(conn_, name.c_str(), sql.c_str(), count, types.data());
    const bool ok = made && PQresultStatus(made) == PGRES_COMMAND_OK;
    if (!ok) return made;  // the statement's own error (or the connection's), as exec gives it
    PQclear(made);
    known = prepared_.emplace(std::move(key), name).first;
  }
  if (known == prepared_.end())  // more texts than the cache holds: parse this one every time
    return PQexecParams(conn_, sql.c_str(), count, types.data(), values.data(), nullptr, nullptr,
                        0);
  PGresult* result =
      PQexecPrepared(conn_, known->second.c_str(), count, values.data(), nullptr, nullptr, 0);
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state && std::string_view(state) == "26000") {
    // The session lost its statements without losing the connection (a pooler in front that
    // discards them): forget them all and run this one unprepared.
    PQclear(result);
    prepared_.clear();
    return PQexecParams(conn_, sql.c_str(), count, types.data(), values.data(), nullptr, nullptr,
                        0);
  }
  return result;
}

Status PostgresDatabase::Outcome(PGresult* result, const std::string& sql) {
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    const char* tuples = PQcmdTuples(result);
    changes_ = tuples && *tuples ? std::atoi(tuples) : 0;
    return Status::Ok();
  }
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string code = state ? state : "";
  const std::string msg =
      "database: " + ErrorText(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
  if (code == "40001" || code == "40P01") serialization_failure_ = true;
  if (code == "23505") return Status::AlreadyExists(msg);  // unique_violation
  if (PQstatus(conn_) != CONNECTION_OK) {
    // The server went away (restart, failover): reconnect for the next statement, on which the
    // statements prepared on the old connection do not exist.
    PQreset(conn_);
    prepared_.clear();
    return Status::Unavailable("PostgreSQL connection lost (" + msg + "); try again");
  }
  spdlog::debug("PostgreSQL refused: {} ({})", msg, sql.substr(0, 200));
  return Status::Unavailable(msg);
}

std::string PostgresDatabase::Translate(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  for (size_t i = 0; i < sql.size();) {
    const char c = sql[i];
    if (c == '\'') {  // a string literal, with '' inside, goes as it is
      size_t end = i + 1;
      while (end < sql.size()) {
        if (sql[end] == '\'' && end + 1 < sql.size() && sql[end + 1] == '\'') {
          end += 2;
          continue;
        }
        if (sql[end] == '\'') break;
        ++end;
      }
      out.append(sql.substr(i, end + 1 - i));
      i = end + 1;
    } else if (c == '?' && i + 1 < sql.size() &&
               std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out += '$';
      ++i;
    } else if (IdentifierChar(c)) {
      size_t end = i;
      while (end < sql.size() && IdentifierChar(sql[end])) ++end;
      std::string_view word = sql.substr(i, end - i);
      const bool quoted_before = i > 0 && sql[i - 1] == '"';
      if (!quoted_before && (word == "user" || word == "USER"))
        out += "\"user\"";
      else
        out.append(word);
      i = end;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

Status PostgresDatabase::Exec(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  Status s = Outcome(result, sql);
  PQclear(result);
  return s;
}

Result<Statement> PostgresDatabase::Prepare(std::string_view sql) {
  return Statement(std::make_unique<PostgresStatement>(*this, Translate(sql)));
}

Status PostgresDatabase::InTransaction(const std::function<Status()>& body) {
  for (int attempt = 1;; ++attempt) {
    serialization_failure_ = false;
    if (Status s = Exec("BEGIN ISOLATION LEVEL SERIALIZABLE"); !s.ok()) return s;
    Status s = body();
    if (s.ok())
      s = Exec("COMMIT");
    else
      (void)Exec("ROLLBACK");
    if (s.ok() || !serialization_failure_ || attempt == kTransactionAttempts) return s;
    // Another node's transaction won: run ours again on what it wrote.
    std::this_thread::sleep_for(std::chrono::milliseconds(2 * attempt));
  }
}

}  // namespace sfapid::sql
