#include "backends/scheduler/local/job_table.h"

#include <boost/json.hpp>

namespace sfapid::local {

namespace json = boost::json;

Result<std::unique_ptr<JobTable>> JobTable::Open(const std::string& path) {
  auto db = sql::SqliteDatabase::Open(path);
  if (!db) return db.status();
  // One table: the record is JSON (its shape is versioned with the code), the script apart so
  // queue scans never read it.
  if (Status s = (*db)->Exec(
          "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
          "CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, record TEXT NOT NULL);"
          "CREATE TABLE IF NOT EXISTS scripts (id INTEGER PRIMARY KEY, script TEXT NOT NULL);"
          "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
          "CREATE TABLE IF NOT EXISTS reservations (name TEXT PRIMARY KEY, record TEXT NOT NULL);");
      !s.ok())
    return s;
  return std::unique_ptr<JobTable>(new JobTable(std::move(db).value()));
}

Result<std::vector<LocalJob>> JobTable::LoadAll() {
  auto st = db_->Prepare("SELECT record FROM jobs ORDER BY id");
  if (!st) return st.status();
  std::vector<LocalJob> jobs;
  while (st->Step()) {
    boost::system::error_code ec;
    json::value v = json::parse(st->Text(0), ec);
    if (ec || !v.is_object())
      return Status::Internal("local scheduler: a job record is unreadable");
    jobs.push_back(FromJson(v.as_object()));
  }
  if (!st->status().ok()) return st->status();
  return jobs;
}

Status JobTable::Insert(const std::vector<LocalJob>& jobs, const std::string& script) {
  return db_->InTransaction([&]() -> Status {
    Status s = db_->Run("INSERT INTO scripts (id, script) VALUES (?, ?)",
                        [&](auto& st) { st.Bind(1, jobs.front().id).Bind(2, script); });
    for (const auto& job : jobs) {
      if (!s.ok()) break;
      s = db_->Run("INSERT INTO jobs (id, record) VALUES (?, ?)",
                   [&](auto& st) { st.Bind(1, job.id).Bind(2, json::serialize(ToJson(job))); });
    }
    return s;
  });
}

Status JobTable::Update(const std::vector<const LocalJob*>& jobs) {
  if (jobs.empty()) return Status::Ok();
  return db_->InTransaction([&]() -> Status {
    for (const LocalJob* job : jobs)
      if (Status s = db_->Run(
              "UPDATE jobs SET record = ? WHERE id = ?",
              [&](auto& st) { st.Bind(1, json::serialize(ToJson(*job))).Bind(2, job->id); });
          !s.ok())
        return s;
    return Status::Ok();
  });
}

Status JobTable::Delete(const std::vector<int64_t>& ids, int64_t next_id) {
  return db_->InTransaction([&]() -> Status {
    Status s = db_->Run(
        "INSERT INTO meta (key, value) VALUES ('next_id', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
        [&](auto& st) { st.Bind(1, next_id); });
    for (int64_t id : ids) {
      if (!s.ok()) break;
      s = db_->Run("DELETE FROM jobs WHERE id = ?", [&](auto& st) { st.Bind(1, id); });
      if (s.ok())
        s = db_->Run("DELETE FROM scripts WHERE id = ?", [&](auto& st) { st.Bind(1, id); });
    }
    return s;
  });
}

Result<std::vector<json::object>> JobTable::LoadReservations() {
  auto st = db_->Prepare("SELECT record FROM reservations ORDER BY name");
  if (!st) return st.status();
  std::vector<json::object> out;
  while (st->Step()) {
    boost::system::error_code ec;
    json::value v = json::parse(st->Text(0), ec);
    if (ec || !v.is_object())
      return Status::Internal("local scheduler: a reservation record is unreadable");
    out.push_back(std::move(v.as_object()));
  }
  if (!st->status().ok()) return st->status();
  return out;
}

Status JobTable::SaveReservation(const std::string& name, const json::object& record) {
  return db_->Run("INSERT OR REPLACE INTO reservations (name, record) VALUES (?, ?)",
                  [&](auto& st) { st.Bind(1, name).Bind(2, json::serialize(record)); });
}

Status JobTable::DeleteReservation(const std::string& name) {
  return db_->Run("DELETE FROM reservations WHERE name = ?", [&](auto& st) { st.Bind(1, name); });
}

Result<int64_t> JobTable::NextId() {
  auto st = db_->Prepare("SELECT value FROM meta WHERE key = 'next_id'");
  if (!st) return st.status();
  if (st->Step()) return st->Int(0);
  if (!st->status().ok()) return st->status();
  return int64_t{0};
}

Result<std::string> JobTable::Script(int64_t id) {
  // An array's tasks share the script stored under the first task's id.
  auto st = db_->Prepare("SELECT script FROM scripts WHERE id <= ? ORDER BY id DESC LIMIT 1");
  if (!st) return st.status();
  st->Bind(1, id);
  if (st->Step()) return st->Text(0);
  if (!st->status().ok()) return st->status();
  return Status::NotFound("no script for job " + std::to_string(id));
}

}  // namespace sfapid::local
