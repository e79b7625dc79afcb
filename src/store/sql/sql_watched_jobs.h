// WatchedJobs on SQL: one row per watched job in slurm_watched_jobs, keyed by cluster and job id.
#pragma once

#include "domain/watched_jobs.h"
#include "sql/connection_pool.h"

namespace sfapid::sql {

class SqlWatchedJobs : public WatchedJobs {
 public:
  explicit SqlWatchedJobs(ConnectionPool& pool) : db_(pool), pool_(pool) {}
  Status Watch(const std::string& cluster, const WatchedJob& job) override;
  Result<std::vector<WatchedJob>> Watched(const std::string& cluster) override;
  Status Forget(const std::string& cluster, const std::vector<std::string>& jobids) override;

 private:
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
