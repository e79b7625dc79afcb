// Store on SQLite: one connection in WAL mode, owned here and shared by the domain stores under one
// mutex. WAL lets the operator's CLI write while the server reads.
#include <filesystem>
#include <mutex>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_account_store.h"
#include "store/sqlite/sqlite_auth_store.h"
#include "store/sqlite/sqlite_compute_store.h"
#include "store/sqlite/sqlite_reservation_store.h"
#include "store/sqlite/sqlite_status_store.h"
#include "store/sqlite/sqlite_task_store.h"
#include "store/sqlite/sqlite_transfer_store.h"
#include "store/sqlite/sqlite_web_store.h"
#include "store/store.h"
#include "util/private_files.h"

namespace sfapid {

namespace {

class SqliteStore : public Store {
 public:
  explicit SqliteStore(std::unique_ptr<sqlite::Database> db)
      : db_(std::move(db)),
        status_(*db_, mu_),
        auth_(*db_, mu_),
        tasks_(*db_, mu_),
        transfers_(*db_, mu_),
        compute_(*db_, mu_),
        accounts_(*db_, mu_),
        reservations_(*db_, mu_),
        web_(*db_, mu_) {}

  StatusStore& status() override { return status_; }
  AuthStore& auth() override { return auth_; }
  TaskStore& tasks() override { return tasks_; }
  TransferStore& transfers() override { return transfers_; }
  ComputeStore& compute() override { return compute_; }
  AccountStore& accounts() override { return accounts_; }
  ReservationStore& reservations() override { return reservations_; }
  WebStore& web() override { return web_; }

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
    auto stmt = db_->Prepare("PRAGMA user_version");
    return stmt && stmt->Step() ? static_cast<int>(stmt->Int(0)) : -1;
  }

 private:
  std::mutex mu_;
  std::unique_ptr<sqlite::Database> db_;
  sqlite::SqliteStatusStore status_;
  sqlite::SqliteAuthStore auth_;
  sqlite::SqliteTaskStore tasks_;
  sqlite::SqliteTransferStore transfers_;
  sqlite::SqliteComputeStore compute_;
  sqlite::SqliteAccountStore accounts_;
  sqlite::SqliteReservationStore reservations_;
  sqlite::SqliteWebStore web_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path().string();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::exists(parent, ec))
    if (Status s = EnsurePrivateDir(parent); !s.ok()) return s;
  auto db = sqlite::Database::Open(path);
  if (!db) return db.status();
  if (Status s = (*db)->Exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; "
                             "PRAGMA synchronous = NORMAL;");
      !s.ok())
    return s;
  if (Status s = sqlite::Migrate(**db); !s.ok()) return s;
  return std::unique_ptr<Store>(new SqliteStore(std::move(db).value()));
}

}  // namespace sfapid
