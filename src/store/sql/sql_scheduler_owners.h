// SchedulerOwners on SQL: one row per system in scheduler_owners; the first insert wins.
#pragma once

#include "domain/scheduler_owners.h"
#include "sql/connection_pool.h"

namespace sfapid::sql {

class SqlSchedulerOwners : public SchedulerOwners {
 public:
  explicit SqlSchedulerOwners(ConnectionPool& pool) : db_(pool), pool_(pool) {}
  Result<std::string> ClaimOwner(const std::string& system, const std::string& node) override;
  Status SetOwner(const std::string& system, const std::string& node) override;

 private:
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
