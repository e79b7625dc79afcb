// The one persistence interface the services see. SQLite is the embedded implementation; a
// PostgreSQL one for several API nodes will satisfy the same interface. Each domain has its own
// sub-interface (status now; tasks, clients and accounts as they arrive).
#pragma once

#include <memory>
#include <string>

#include "domain/scheduler_owners.h"
#include "domain/shared_views.h"
#include "domain/watched_jobs.h"
#include "store/account_store.h"
#include "store/auth_store.h"
#include "store/compute_store.h"
#include "store/event_store.h"
#include "store/idempotency_store.h"
#include "store/job_spec_store.h"
#include "store/reservation_store.h"
#include "store/status_store.h"
#include "store/task_store.h"
#include "store/transfer_store.h"
#include "store/upload_store.h"
#include "store/web_store.h"
#include "util/status.h"

namespace sfapid {

class Store {
 public:
  virtual ~Store() = default;

  virtual StatusStore& status() = 0;
  virtual AuthStore& auth() = 0;
  virtual TaskStore& tasks() = 0;
  virtual TransferStore& transfers() = 0;
  virtual ComputeStore& compute() = 0;
  virtual AccountStore& accounts() = 0;
  virtual ReservationStore& reservations() = 0;
  virtual WebStore& web() = 0;
  // Scheduler views shared by the nodes on this store (domain/shared_views.h).
  virtual SharedViews& views() = 0;
  // Which node runs each local-scheduler system (domain/scheduler_owners.h).
  virtual SchedulerOwners& owners() = 0;
  // The Slurm jobs watched until they end (domain/watched_jobs.h).
  virtual WatchedJobs& watched() = 0;
  // Idempotency keys of creating requests (store/idempotency_store.h).
  virtual IdempotencyStore& idempotency() = 0;
  // The JobSpecs of jobs submitted through the IRI API (store/job_spec_store.h).
  virtual JobSpecStore& job_specs() = 0;
  // Resumable uploads (store/upload_store.h).
  virtual UploadStore& uploads() = 0;
  virtual EventStore& events() = 0;

  // Cheap liveness check for /readyz: the database answers a query.
  virtual Status Ping() = 0;
  // The schema version this store is at (migrations are versioned in code).
  virtual int SchemaVersion() = 0;
};

// Opens (creating if needed) the SQLite database at path and migrates it to the latest schema.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);
// Connects to PostgreSQL (postgresql://user:password@host:port/db) and migrates it: for several
// nodes sharing one store. More connections are opened as concurrent calls need them, up to
// `connections`.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, int connections = 4);

}  // namespace sfapid
