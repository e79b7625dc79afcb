// The Store on SQL: one connection, owned here and shared by the domain stores under one mutex; on
// SQLite in WAL mode, which lets the operator's CLI write while the server reads.
#include <filesystem>
#include <mutex>

#include "sql/postgres_database.h"
#include "sql/sqlite_database.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_account_store.h"
#include "store/sql/sql_auth_store.h"
#include "store/sql/sql_compute_store.h"
#include "store/sql/sql_reservation_store.h"
#include "store/sql/sql_scheduler_owners.h"
#include "store/sql/sql_shared_views.h"
#include "store/sql/sql_status_store.h"
#include "store/sql/sql_task_store.h"
#include "store/sql/sql_transfer_store.h"
#include "store/sql/sql_web_store.h"
#include "store/store.h"
#include "util/private_files.h"

namespace sfapid {

namespace {

class SqlStore : public Store {
 public:
  explicit SqlStore(std::unique_ptr<sql::Database> db)
      : db_(std::move(db)),
        status_(*db_, mu_),
        auth_(*db_, mu_),
        tasks_(*db_, mu_),
        transfers_(*db_, mu_),
        compute_(*db_, mu_),
        accounts_(*db_, mu_),
        reservations_(*db_, mu_),
        web_(*db_, mu_),
        views_(*db_, mu_),
        owners_(*db_, mu_) {}

  StatusStore& status() override { return status_; }
  AuthStore& auth() override { return auth_; }
  TaskStore& tasks() override { return tasks_; }
  TransferStore& transfers() override { return transfers_; }
  ComputeStore& compute() override { return compute_; }
  AccountStore& accounts() override { return accounts_; }
  ReservationStore& reservations() override { return reservations_; }
  WebStore& web() override { return web_; }
  SharedViews& views() override { return views_; }
  SchedulerOwners& owners() override { return owners_; }

  Status Ping() override {
    std::lock_guard lock(mu_);
    auto stmt = db_->Prepare("SELECT 1");
    if (!stmt) return stmt.status();
    if (!stmt->Step())
      return stmt->status().ok() ? Status::Unavailable("database gave no row") : stmt->status();
    return Status::Ok();
  }

  int SchemaVersion() override {
    std::lock_guard lock(mu_);
    auto version = sql::SchemaVersionOf(*db_);
    return version ? *version : -1;
  }

 private:
  std::mutex mu_;
  std::unique_ptr<sql::Database> db_;
  sql::SqlStatusStore status_;
  sql::SqlAuthStore auth_;
  sql::SqlTaskStore tasks_;
  sql::SqlTransferStore transfers_;
  sql::SqlComputeStore compute_;
  sql::SqlAccountStore accounts_;
  sql::SqlReservationStore reservations_;
  sql::SqlWebStore web_;
  sql::SqlSharedViews views_;
  sql::SqlSchedulerOwners owners_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path().string();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::exists(parent, ec))
    if (Status s = EnsurePrivateDir(parent); !s.ok()) return s;
  auto db = sql::SqliteDatabase::Open(path);
  if (!db) return db.status();
  if (Status s = (*db)->Exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; "
                             "PRAGMA synchronous = NORMAL;");
      !s.ok())
    return s;
  if (Status s = sql::Migrate(**db); !s.ok()) return s;
  return std::unique_ptr<Store>(new SqlStore(std::move(db).value()));
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url) {
  auto db = sql::PostgresDatabase::Open(url);
  if (!db) return db.status();
  if (Status s = sql::Migrate(**db); !s.ok()) return s;
  return std::unique_ptr<Store>(new SqlStore(std::move(db).value()));
}

}  // namespace sfapid
