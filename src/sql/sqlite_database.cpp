#include "sql/sqlite_database.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/private_files.h"

namespace sfapid::sql {

namespace {

class SqliteStatement : public StatementImpl {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::weak_ptr<SqliteStatementCache> cache,
                  std::string sql)
      : db_(db), stmt_(stmt), cache_(std::move(cache)), sql_(std::move(sql)) {}
  ~SqliteStatement() override {
    // A statement that outlives its database finalizes itself (the connection, closed with
    // sqlite3_close_v2, goes once its last statement does).
    if (auto cache = cache_.lock())
      cache->Give(std::move(sql_), stmt_);
    else
      sqlite3_finalize(stmt_);
  }

  void BindText(int index, std::string_view text) override {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void BindInt(int index, int64_t value) override { sqlite3_bind_int64(stmt_, index, value); }
  void BindNull(int index) override { sqlite3_bind_null(stmt_, index); }

  bool Step(Status& status) override {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    const int code = sqlite3_extended_errcode(db_);
    const std::string msg = std::string("database: ") + sqlite3_errmsg(db_);
    // A taken key is the caller's to name ("client id ... is taken"), not a failure.
    status = code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY
                 ? Status::AlreadyExists(msg)
                 : Status::Unavailable(msg);
    return false;
  }

  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  std::string Text(int column) const override {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double Real(int column) const override { return sqlite3_column_double(stmt_, column); }
  int ColumnCount() const override { return sqlite3_column_count(stmt_); }
  std::string ColumnName(int column) const override {
    const char* name = sqlite3_column_name(stmt_, column);
    return name ? name : "";
  }
  ColumnType TypeOf(int column) const override {
    switch (sqlite3_column_type(stmt_, column)) {
      case SQLITE_NULL:
        return ColumnType::kNull;
      case SQLITE_INTEGER:
        return ColumnType::kInteger;
      case SQLITE_FLOAT:
        return ColumnType::kReal;
      default:
        return ColumnType::kText;
    }
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::weak_ptr<SqliteStatementCache> cache_;
  std::string sql_;  // what stmt_ was compiled from: its key in the cache
};

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path) {
  // A database holds users' command output and callback URLs: 0600 from its first byte. SQLite
  // gives the -wal and -shm files the database file's mode; the umask covers the moment before,
  // and files an older version left open to other accounts are repaired.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return Status::Unavailable("cannot open database " + path + ": " + std::strerror(errno));
  ::close(fd);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) RepairPrivateFile(path + suffix);
  ScopedUmask private_files(077);
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::Unavailable("cannot open database '" + path + "': " + msg);
  }
  sqlite3_busy_timeout(db, 5000);  // the CLI and the server share the file
  return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(db));
}

SqliteDatabase::~SqliteDatabase() {
  statements_.reset();  // finalizes the idle ones
  sqlite3_close_v2(db_);
}

Status SqliteDatabase::InTransaction(const std::function<Status()>& body) {
  // Through Prepare, so that the three statements are compiled once per connection.
  const auto run = [this](std::string_view sql) {
    auto stmt = Prepare(sql);
    return stmt ? stmt->Run() : stmt.status();
  };
  if (Status s = run("BEGIN IMMEDIATE"); !s.ok()) return s;
  Status s = body();
  if (!s.ok()) {
    (void)run("ROLLBACK");
    return s;
  }
  return run("COMMIT");
}

Status SqliteDatabase::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::Unavailable("database: " + msg);
  }
  return Status::Ok();
}

Result<Statement> SqliteDatabase::Prepare(std::string_view sql) {
  std::string text(sql);
  sqlite3_stmt* stmt = statements_->Take(text);
  if (stmt == nullptr && sqlite3_prepare_v2(db_, text.data(), static_cast<int>(text.size()), &stmt,
                                            nullptr) != SQLITE_OK)
    return Status::Internal(std::string("database: ") + sqlite3_errmsg(db_));
  return Statement(std::make_unique<SqliteStatement>(db_, stmt, statements_, std::move(text)));
}

}  // namespace sfapid::sql
