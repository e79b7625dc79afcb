// JobSpecStore on SQL: one row per (system, job id) in iri_job_specs.
#pragma once

#include "sql/connection_pool.h"
#include "store/job_spec_store.h"

namespace sfapid::sql {

class SqlJobSpecStore : public JobSpecStore {
 public:
  explicit SqlJobSpecStore(ConnectionPool& pool) : db_(pool), pool_(pool) {}
  Status SaveJobSpec(const std::string& system, const std::string& jobid, const std::string& owner,
                     const std::string& spec_json, int64_t created_ms) override;
  Result<std::optional<std::string>> JobSpecOf(const std::string& system, const std::string& jobid,
                                               const std::string& owner) override;
  Result<int> PurgeJobSpecs(int64_t before_ms) override;

 private:
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
