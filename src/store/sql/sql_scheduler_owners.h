// SchedulerOwners on SQL: one row per system in scheduler_owners; the first insert wins.
#pragma once

#include <mutex>

#include "domain/scheduler_owners.h"
#include "sql/database.h"

namespace sfapid::sql {

class SqlSchedulerOwners : public SchedulerOwners {
 public:
  SqlSchedulerOwners(Database& db, std::mutex& mu) : db_(db), mu_(mu) {}
  Result<std::string> ClaimOwner(const std::string& system, const std::string& node) override;
  Status SetOwner(const std::string& system, const std::string& node) override;

 private:
  Database& db_;
  std::mutex& mu_;
};

}  // namespace sfapid::sql
