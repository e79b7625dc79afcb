#include "store/sql/sql_status_store.h"

#include "store/sql/time_columns.h"

namespace sfapid::sql {

Result<std::vector<SystemStatusRecord>> SqlStatusStore::ListStatuses() {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare("SELECT name, status, description, updated_at FROM system_status");
  if (!stmt) return stmt.status();
  std::vector<SystemStatusRecord> out;
  while (stmt->Step())
    out.push_back({stmt->Text(0), stmt->Text(1), stmt->Text(2), FromUnix(stmt->Int(3))});
  if (!stmt->status().ok()) return stmt->status();
  return out;
}

Status SqlStatusStore::SetStatus(const SystemStatusRecord& r) {
  std::lock_guard lock(pool_);
  return db_.Run(
      "INSERT INTO system_status(name, status, description, updated_at) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT(name) DO UPDATE SET status = ?2, description = ?3, updated_at = ?4",
      [&](Statement& s) {
        s.Bind(1, r.name).Bind(2, r.status).Bind(3, r.description).Bind(4, ToUnix(r.updated_at));
      });
}

Status SqlStatusStore::ClearStatus(const std::string& name) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare("DELETE FROM system_status WHERE name = ?1");
  if (!stmt) return stmt.status();
  if (Status s = stmt->Bind(1, name).Run(); !s.ok()) return s;
  if (db_.Changes() == 0) return Status::NotFound("no status was set for " + name);
  return Status::Ok();
}

Result<std::vector<OutageRecord>> SqlStatusStore::ListOutages(const std::string& name) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare(
      "SELECT id, name, start_at, end_at, description, notes, status, swo, update_at FROM outages "
      "WHERE ?1 = '' OR name = ?1 ORDER BY start_at, id");
  if (!stmt) return stmt.status();
  stmt->Bind(1, name);
  std::vector<OutageRecord> out;
  while (stmt->Step()) {
    OutageRecord o;
    o.id = stmt->Int(0);
    o.name = stmt->Text(1);
    o.start_at = FromUnix(stmt->Int(2));
    o.end_at = FromUnix(stmt->Int(3));
    o.description = stmt->Text(4);
    o.notes = stmt->Text(5);
    o.status = stmt->OptionalText(6);
    o.swo = stmt->Text(7);
    o.update_at = FromUnix(stmt->Int(8));
    out.push_back(std::move(o));
  }
  if (!stmt->status().ok()) return stmt->status();
  return out;
}

Result<int64_t> SqlStatusStore::AddOutage(const OutageRecord& o) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare(
      "INSERT INTO outages(name, start_at, end_at, description, notes, status, swo, update_at) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id");
  if (!stmt) return stmt.status();
  return stmt->Bind(1, o.name)
      .Bind(2, ToUnix(o.start_at))
      .Bind(3, ToUnix(o.end_at))
      .Bind(4, o.description)
      .Bind(5, o.notes)
      .BindOptional(6, o.status)
      .Bind(7, o.swo)
      .Bind(8, ToUnix(o.update_at))
      .RunReturningId();
}

Result<std::vector<NoteRecord>> SqlStatusStore::ListNotes(const std::string& name) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare(
      "SELECT id, name, notes, active, timestamp FROM notes WHERE ?1 = '' OR name = ?1 "
      "ORDER BY timestamp, id");
  if (!stmt) return stmt.status();
  stmt->Bind(1, name);
  std::vector<NoteRecord> out;
  while (stmt->Step())
    out.push_back(
        {stmt->Int(0), stmt->Text(1), stmt->Text(2), stmt->Int(3) != 0, FromUnix(stmt->Int(4))});
  if (!stmt->status().ok()) return stmt->status();
  return out;
}

Result<int64_t> SqlStatusStore::AddNote(const NoteRecord& n) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare(
      "INSERT INTO notes(name, notes, active, timestamp) VALUES(?1, ?2, ?3, ?4) "
      "RETURNING id");
  if (!stmt) return stmt.status();
  return stmt->Bind(1, n.name)
      .Bind(2, n.notes)
      .Bind(3, int64_t{n.active})
      .Bind(4, ToUnix(n.timestamp))
      .RunReturningId();
}

Status SqlStatusStore::RemoveById(const char* table, const char* noun, int64_t id) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare(std::string("DELETE FROM ") + table + " WHERE id = ?1");
  if (!stmt) return stmt.status();
  if (Status s = stmt->Bind(1, id).Run(); !s.ok()) return s;
  if (db_.Changes() == 0)
    return Status::NotFound(std::string("no ") + noun + " with id " + std::to_string(id));
  return Status::Ok();
}

Status SqlStatusStore::RemoveOutage(int64_t id) { return RemoveById("outages", "outage", id); }
Status SqlStatusStore::RemoveNote(int64_t id) { return RemoveById("notes", "note", id); }

}  // namespace sfapid::sql
