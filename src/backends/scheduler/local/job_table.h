// The local scheduler's own state: every job it knows, in a SQLite file in its spool folder (as
// slurmctld keeps its state in StateSaveLocation), so a restart loses none. A job is stored as
// one JSON record beside its script.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <vector>

#include "backends/scheduler/local/local_job.h"
#include "sql/sqlite_database.h"
#include "util/status.h"

namespace sfapid::local {

class JobTable {
 public:
  static Result<std::unique_ptr<JobTable>> Open(const std::string& path);

  Result<std::vector<LocalJob>> LoadAll();
  // New jobs (an array's tasks together) with the script they run.
  Status Insert(const std::vector<LocalJob>& jobs, const std::string& script);
  // Saves changed records together.
  Status Update(const std::vector<const LocalJob*>& jobs);
  Result<std::string> Script(int64_t id);
  // Forgets these jobs (and the scripts stored under their ids), remembering that ids below
  // `next_id` were given out, so a restart never gives one again.
  Status Delete(const std::vector<int64_t>& ids, int64_t next_id);
  // The reservations (reservation_book.h), each one JSON record by name.
  Result<std::vector<boost::json::object>> LoadReservations();
  Status SaveReservation(const std::string& name, const boost::json::object& record);
  Status DeleteReservation(const std::string& name);
  // The first id not given out yet, as far as deletions remember (0: none recorded).
  Result<int64_t> NextId();

 private:
  explicit JobTable(std::unique_ptr<sql::SqliteDatabase> db) : db_(std::move(db)) {}
  std::unique_ptr<sql::SqliteDatabase> db_;
};

}  // namespace sfapid::local
