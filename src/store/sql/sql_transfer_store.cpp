#include "store/sql/sql_transfer_store.h"

#include <boost/json.hpp>
#include <functional>

#include "store/sql/sql_event_store.h"
#include "store/sql/time_columns.h"

namespace sfapid::sql {

namespace {

// A transfer's stream event (kind "transfer"): made ACTIVE, then its end with the reason.
EventRecord TransferEvent(const std::string& id, const std::string& owner,
                          const std::string& status, const std::string& reason) {
  boost::json::object data{{"transfer_id", id}, {"status", status}};
  if (!reason.empty()) data["reason"] = reason;
  return {0, 0, owner, "transfer", id, boost::json::serialize(data)};
}

struct Ended {
  std::string id, owner;
};

}  // namespace

// The change and its events commit together; then this process's event hub is woken.
Status SqlTransferStore::WithEvents(const std::function<Status()>& change) {
  bool appended = false;
  {
    std::lock_guard lock(pool_);
    Status done = db_.InTransaction([&] {
      Status s = change();
      appended = s.ok();
      return s;
    });
    if (!done.ok()) return done;
  }
  if (appended) NoteEventAppended();
  return Status::Ok();
}

Status SqlTransferStore::CreateTransfer(const TransferRecord& t) {
  return WithEvents([&]() -> Status {
    Status s = db_.Run(
        "INSERT INTO transfers(id, owner, label, source_endpoint, source_path, target_endpoint, "
        "target_path, task_id, status, reason, bytes_transferred, bytes_per_second, created_at, "
        "completed_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, '', 'ACTIVE', '', 0, 0, ?8, NULL)",
        [&](Statement& st) {
          st.Bind(1, t.id)
              .Bind(2, t.owner)
              .Bind(3, t.label)
              .Bind(4, t.source_endpoint)
              .Bind(5, t.source_path);
          st.Bind(6, t.target_endpoint).Bind(7, t.target_path).Bind(8, ToUnix(t.created_at));
        });
    if (!s.ok()) return s;
    return AppendEventIn(db_, TransferEvent(t.id, t.owner, "ACTIVE", "")).status();
  });
}

Status SqlTransferStore::SetTransferTask(const std::string& id, const std::string& task_id) {
  return Exec("UPDATE transfers SET task_id = ?2 WHERE id = ?1",
              [&](Statement& s) { s.Bind(1, id).Bind(2, task_id); });
}

Status SqlTransferStore::UpdateProgress(const std::string& id, int64_t bytes, int64_t rate) {
  return Exec(
      "UPDATE transfers SET bytes_transferred = ?2, bytes_per_second = ?3 WHERE id = ?1 AND status "
      "= 'ACTIVE'",
      [&](Statement& s) { s.Bind(1, id).Bind(2, bytes).Bind(3, rate); });
}

Status SqlTransferStore::FinishTransfer(const std::string& id, const std::string& status,
                                        const std::string& reason) {
  return EndTransfers(
             "UPDATE transfers SET status = ?2, reason = ?3, completed_at = ?4 WHERE id = ?1 AND "
             "status = "
             "'ACTIVE'",
             [&](Statement& s) {
               s.Bind(1, id).Bind(2, status).Bind(3, reason).Bind(4, ToUnix(Now()));
             },
             status, reason)
      .status();
}

Result<int> SqlTransferStore::EndTransfers(const std::string& update,
                                           const std::function<void(Statement&)>& bind,
                                           const std::string& status, const std::string& reason) {
  int ended = 0;
  Status s = WithEvents([&]() -> Status {
    auto rows = db_.Query<Ended>(
        update + " RETURNING id, owner", bind, +[](const Statement& st) {
          return Ended{st.Text(0), st.Text(1)};
        });
    if (!rows) return rows.status();
    ended = static_cast<int>(rows->size());
    for (const Ended& e : *rows)
      if (auto a = AppendEventIn(db_, TransferEvent(e.id, e.owner, status, reason)); !a)
        return a.status();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return ended;
}

Result<TransferRecord> SqlTransferStore::GetTransfer(const std::string& id) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare(
      "SELECT id, owner, label, source_endpoint, source_path, target_endpoint, target_path, "
      "task_id, status, "
      "reason, bytes_transferred, bytes_per_second, created_at, completed_at FROM transfers WHERE "
      "id = ?1");
  if (!stmt) return stmt.status();
  stmt->Bind(1, id);
  if (!stmt->Step())
    return stmt->status().ok() ? Status::NotFound("no transfer " + id) : stmt->status();
  TransferRecord t{stmt->Text(0),           stmt->Text(1), stmt->Text(2), stmt->Text(3),
                   stmt->Text(4),           stmt->Text(5), stmt->Text(6), stmt->Text(7),
                   stmt->Text(8),           stmt->Text(9), stmt->Int(10), stmt->Int(11),
                   FromUnix(stmt->Int(12)), std::nullopt};
  if (stmt->OptionalText(13)) t.completed_at = FromUnix(stmt->Int(13));
  return t;
}

Result<int> SqlTransferStore::CountActive(const std::string& owner) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare(
      "SELECT COUNT(*) FROM transfers WHERE status = 'ACTIVE' AND (?1 = '' OR owner = ?1)");
  if (!stmt) return stmt.status();
  stmt->Bind(1, owner);
  if (!stmt->Step()) return stmt->status();
  return static_cast<int>(stmt->Int(0));
}

Result<int> SqlTransferStore::FailTransfersWithoutTask(const std::string& reason,
                                                       TimePoint created_before) {
  // task_id is text ("" until the task is made, a moment after the transfer); tasks.id a number.
  return EndTransfers(
      "UPDATE transfers SET status = 'FAILED', reason = ?1, completed_at = ?2 "
      "WHERE status = 'ACTIVE' AND (task_id <> '' OR created_at < ?3) AND task_id NOT IN "
      "(SELECT CAST(id AS TEXT) FROM tasks WHERE status = 'new')",
      [&](Statement& st) {
        st.Bind(1, reason).Bind(2, ToUnix(Now())).Bind(3, ToUnix(created_before));
      },
      "FAILED", reason);
}

}  // namespace sfapid::sql
