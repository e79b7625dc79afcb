// The Store on SQL: a pool of connections (sql/connection_pool.h) the domain stores lease one at a
// time per call: on PostgreSQL up to [store] connections, on SQLite one (in WAL mode, which lets
// the operator's CLI write while the server reads).
#include <filesystem>

#include "sql/connection_pool.h"
#include "sql/postgres_database.h"
#include "sql/sqlite_database.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_account_store.h"
#include "store/sql/sql_auth_store.h"
#include "store/sql/sql_compute_store.h"
#include "store/sql/sql_event_store.h"
#include "store/sql/sql_idempotency_store.h"
#include "store/sql/sql_job_spec_store.h"
#include "store/sql/sql_reservation_store.h"
#include "store/sql/sql_scheduler_owners.h"
#include "store/sql/sql_shared_views.h"
#include "store/sql/sql_status_store.h"
#include "store/sql/sql_task_store.h"
#include "store/sql/sql_transfer_store.h"
#include "store/sql/sql_upload_store.h"
#include "store/sql/sql_watched_jobs.h"
#include "store/sql/sql_web_store.h"
#include "store/store.h"
#include "util/private_files.h"

namespace sfapid {

namespace {

class SqlStore : public Store {
 public:
  SqlStore(std::unique_ptr<sql::ConnectionPool> pool, std::string listen_url)
      : pool_(std::move(pool)),
        status_(*pool_),
        auth_(*pool_),
        tasks_(*pool_),
        transfers_(*pool_),
        compute_(*pool_),
        accounts_(*pool_),
        reservations_(*pool_),
        web_(*pool_),
        views_(*pool_),
        owners_(*pool_),
        watched_(*pool_),
        idempotency_(*pool_),
        job_specs_(*pool_),
        uploads_(*pool_),
        events_(*pool_, std::move(listen_url)) {}

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
  WatchedJobs& watched() override { return watched_; }
  IdempotencyStore& idempotency() override { return idempotency_; }
  JobSpecStore& job_specs() override { return job_specs_; }
  UploadStore& uploads() override { return uploads_; }
  EventStore& events() override { return events_; }

  Status Ping() override {
    std::lock_guard lock(*pool_);
    auto stmt = pool_->Prepare("SELECT 1");
    if (!stmt) return stmt.status();
    if (!stmt->Step())
      return stmt->status().ok() ? Status::Unavailable("database gave no row") : stmt->status();
    return Status::Ok();
  }

  int SchemaVersion() override {
    std::lock_guard lock(*pool_);
    auto version = sql::SchemaVersionOf(*pool_);
    return version ? *version : -1;
  }

 private:
  std::unique_ptr<sql::ConnectionPool> pool_;
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
  sql::SqlWatchedJobs watched_;
  sql::SqlIdempotencyStore idempotency_;
  sql::SqlJobSpecStore job_specs_;
  sql::SqlUploadStore uploads_;
  sql::SqlEventStore events_;
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
  // One connection: SQLite's writers take turns anyway, and a second would wait on its lock.
  auto no_second = []() -> Result<std::unique_ptr<sql::Database>> {
    return Status::Unavailable("SQLite keeps one connection");
  };
  return std::unique_ptr<Store>(
      new SqlStore(std::make_unique<sql::ConnectionPool>(std::move(db).value(), no_second, 1), ""));
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, int connections) {
  auto db = sql::PostgresDatabase::Open(url);
  if (!db) return db.status();
  if (Status s = sql::Migrate(**db); !s.ok()) return s;
  auto connect = [url]() -> Result<std::unique_ptr<sql::Database>> {
    auto more = sql::PostgresDatabase::Open(url);
    if (!more) return more.status();
    return std::unique_ptr<sql::Database>(std::move(more).value());
  };
  return std::unique_ptr<Store>(new SqlStore(
      std::make_unique<sql::ConnectionPool>(std::move(db).value(), connect, connections), url));
}

}  // namespace sfapid
