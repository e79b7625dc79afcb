#include "store/sql/store_copy.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include "sql/postgres_database.h"
#include "sql/sqlite_database.h"
#include "store/sql/migrations.h"
#include "util/log_status.h"

namespace sfapid::sql {

namespace {

// At most this many parameters in one INSERT: SQLite's oldest limit (999), far below
// PostgreSQL's; many rows per statement is what makes a large table quick to copy.
constexpr int kMaxParameters = 999;

// One value of a row, as the source holds it.
struct Value {
  ColumnType type = ColumnType::kNull;
  int64_t integer = 0;
  std::string text;
};

Value ValueAt(const Statement& row, int column) {
  Value v;
  v.type = row.TypeOf(column);
  switch (v.type) {
    case ColumnType::kNull:
      break;
    case ColumnType::kInteger:
      v.integer = row.Int(column);
      break;
    case ColumnType::kReal: {
      // 17 significant digits: the same double on the other side, not a rounded one.
      char digits[32];
      std::snprintf(digits, sizeof digits, "%.17g", row.Real(column));
      v.text = digits;
      break;
    }
    case ColumnType::kText:
      v.text = row.Text(column);
      break;
  }
  return v;
}

void BindValue(Statement& stmt, int index, const Value& v) {
  if (v.type == ColumnType::kNull)
    stmt.BindNull(index);
  else if (v.type == ColumnType::kInteger)
    stmt.Bind(index, v.integer);
  else
    stmt.Bind(index, std::string_view(v.text));  // PostgreSQL types it by its column
}

// The store's tables in the order they were made (migrations make a referenced table first).
Result<std::vector<std::string>> TablesOf(Database& db) {
  const char* sql =
      IsPostgres(db)
          ? "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' "
            "AND c.relname <> 'schema_version' ORDER BY c.oid"
          : "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid";
  return db.Query<std::string>(
      sql, [](Statement&) {}, [](const Statement& s) { return s.Text(0); });
}

Result<int64_t> RowsIn(Database& db, const std::string& table) {
  auto counted = db.Query<int64_t>(
      "SELECT COUNT(*) FROM " + table, [](Statement&) {},
      [](const Statement& s) { return s.Int(0); });
  if (!counted) return counted.status();
  return counted->empty() ? 0 : counted->front();
}

std::string InsertSql(const std::string& table, const std::vector<std::string>& columns, int rows) {
  std::string sql = "INSERT INTO ";
  sql += table;
  sql += " (";
  for (size_t c = 0; c < columns.size(); ++c) {
    if (c > 0) sql += ", ";
    sql += columns[c];
  }
  sql += ") VALUES ";
  int parameter = 0;
  for (int r = 0; r < rows; ++r) {
    sql += r > 0 ? ", (" : "(";
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c > 0) sql += ", ";
      sql += '?';
      sql += std::to_string(++parameter);
    }
    sql += ")";
  }
  return sql;
}

Status InsertRows(Database& to, const std::string& table, const std::vector<std::string>& columns,
                  const std::vector<std::vector<Value>>& rows) {
  if (rows.empty()) return Status::Ok();
  return to.Run(InsertSql(table, columns, static_cast<int>(rows.size())), [&](Statement& stmt) {
    int parameter = 0;
    for (const auto& row : rows)
      for (const Value& v : row) BindValue(stmt, ++parameter, v);
  });
}

Result<int64_t> CopyTable(Database& from, Database& to, const std::string& table) {
  auto rows = from.Prepare("SELECT * FROM " + table);
  if (!rows) return rows.status();
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> batch;
  size_t per_batch = 1;
  int64_t copied = 0;
  while (rows->Step()) {
    if (columns.empty()) {
      for (int c = 0; c < rows->ColumnCount(); ++c) columns.push_back(rows->ColumnName(c));
      per_batch = std::max<size_t>(1, kMaxParameters / columns.size());
    }
    std::vector<Value> row;
    row.reserve(columns.size());
    for (int c = 0; c < static_cast<int>(columns.size()); ++c) row.push_back(ValueAt(*rows, c));
    batch.push_back(std::move(row));
    if (batch.size() == per_batch) {
      if (Status s = InsertRows(to, table, columns, batch); !s.ok()) return s;
      copied += static_cast<int64_t>(batch.size());
      batch.clear();
    }
  }
  if (!rows->status().ok()) return rows->status();
  if (Status s = InsertRows(to, table, columns, batch); !s.ok()) return s;
  return copied + static_cast<int64_t>(batch.size());
}

// Identity columns count on from where their sequence stands, which a copy with explicit ids
// does not move: start each after the highest id copied, or new rows would collide with old.
Status MoveIdentitySequences(Database& to) {
  struct Identity {
    std::string table, column;
  };
  auto identities = to.Query<Identity>(
      "SELECT table_name, column_name FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND is_identity = 'YES'",
      [](Statement&) {},
      [](const Statement& s) {
        return Identity{s.Text(0), s.Text(1)};
      });
  if (!identities) return identities.status();
  for (const Identity& id : *identities) {
    auto moved = to.Prepare("SELECT setval(pg_get_serial_sequence(?1, ?2), COALESCE((SELECT MAX(" +
                            id.column + ") FROM " + id.table + "), 0) + 1, false)");
    if (!moved) return moved.status();
    moved->Bind(1, std::string_view(id.table)).Bind(2, std::string_view(id.column));
    if (Status s = moved->Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RefuseRows(Database& to, const std::vector<std::string>& tables) {
  for (const std::string& table : tables) {
    auto rows = RowsIn(to, table);
    if (!rows) return rows.status();
    if (*rows > 0)
      return Status::FailedPrecondition("the target already holds data (" + table + " has " +
                                        std::to_string(*rows) +
                                        " rows): copy only into an empty database");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Database>> OpenCopyEnd(const std::string& location, CopyEnd end) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (location.starts_with(kSqlite)) {
    const std::string path = location.substr(kSqlite.size());
    std::error_code ec;
    if (path.empty() || (end == CopyEnd::kSource && !std::filesystem::is_regular_file(path, ec)))
      return Status::InvalidArgument("no SQLite store at '" + path + "'");
    auto db = SqliteDatabase::Open(path);
    if (!db) return db.status();
    return std::unique_ptr<Database>(std::move(db).value());
  }
  if (location.starts_with("postgresql://") || location.starts_with("postgres://")) {
    auto db = PostgresDatabase::Open(location);
    if (!db) return db.status();
    return std::unique_ptr<Database>(std::move(db).value());
  }
  return Status::InvalidArgument(
      "a store is named sqlite:PATH or postgresql://user@host:port/database, not '" + location +
      "'");
}

Result<std::vector<CopiedTable>> CopyStore(
    Database& from, Database& to, const std::function<void(const CopiedTable&)>& progress) {
  if (Status s = Migrate(from); !s.ok()) return s;
  if (Status s = Migrate(to); !s.ok()) return s;
  auto tables = TablesOf(from);
  if (!tables) return tables.status();
  auto target_tables = TablesOf(to);
  if (!target_tables) return target_tables.status();
  for (const std::string& table : *tables)
    if (std::find(target_tables->begin(), target_tables->end(), table) == target_tables->end())
      return Status::FailedPrecondition("the target has no table " + table +
                                        " although both are at this sfapid's schema");
  if (Status s = RefuseRows(to, *target_tables); !s.ok()) return s;

  if (Status s =
          from.Exec(IsPostgres(from) ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
      !s.ok())
    return s;
  std::vector<CopiedTable> copied;
  Status s = to.InTransaction([&]() -> Status {
    copied.clear();  // a retried transaction starts over
    for (const std::string& table : *tables) {
      auto rows = CopyTable(from, to, table);
      if (!rows) return Status::Unavailable("copying " + table + ": " + rows.status().message());
      copied.push_back({table, *rows});
    }
    if (IsPostgres(to)) return MoveIdentitySequences(to);
    return Status::Ok();
  });
  LogIfFailed(from.Exec("COMMIT"), "store copy: ending the read of the source");
  if (!s.ok()) return s;
  if (progress)
    for (const CopiedTable& table : copied) progress(table);
  return copied;
}

}  // namespace sfapid::sql
