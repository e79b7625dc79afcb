#include "store/sql/sql_task_store.h"

#include <boost/json.hpp>

#include "store/sql/sql_event_store.h"
#include "store/sql/time_columns.h"

namespace sfapid::sql {

namespace {

constexpr const char* kColumns =
    "id, owner, kind, system, status, result, created_at, updated_at, node, lease_until, "
    "checkpoint, request";

TaskRecord Row(const Statement& s) {
  return {std::to_string(s.Int(0)),
          s.Text(1),
          s.Text(2),
          s.Text(3),
          s.Text(4),
          s.OptionalText(5),
          FromUnix(s.Int(6)),
          FromUnix(s.Int(7)),
          s.Text(8),
          FromUnix(s.Int(9)),
          s.Text(10),
          s.Text(11)};
}

// Task ids are decimal integers on the wire ("task_id": "42"); anything else names no task.
std::optional<int64_t> ParseId(const std::string& id) {
  if (id.empty() || id.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : id) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// What a task's event says: the state it reached and what kind of task it is.
EventRecord TaskEvent(const std::string& id, const std::string& owner, const std::string& kind,
                      const std::string& system, const std::string& status) {
  return {0,
          0,
          owner,
          "task",
          id,
          boost::json::serialize(boost::json::object{
              {"task_id", id}, {"status", status}, {"task_kind", kind}, {"system", system}})};
}

struct Changed {
  std::string owner, kind, system;
};

Changed ChangedRow(const Statement& s) { return {s.Text(0), s.Text(1), s.Text(2)}; }

}  // namespace

Result<bool> SqlTaskStore::EndWithEvent(const std::string& update,
                                        const std::function<void(Statement&)>& bind,
                                        const std::string& id, const std::string& status) {
  bool ended = false;
  {
    std::lock_guard lock(pool_);
    // The change and its event commit together: a crash cannot keep one and lose the other.
    Status done = db_.InTransaction([&]() -> Status {
      auto changed =
          db_.Query<Changed>(update + " RETURNING owner, kind, system", bind, &ChangedRow);
      if (!changed) return changed.status();
      ended = changed->size() == 1;
      if (!ended) return Status::Ok();
      const Changed& c = changed->front();
      return AppendEventIn(db_, TaskEvent(id, c.owner, c.kind, c.system, status)).status();
    });
    if (!done.ok()) return done;
  }
  if (ended) NoteEventAppended();
  return ended;
}

Result<CreatedTask> SqlTaskStore::AddTask(const NewTask& task) {
  CreatedTask created;
  {
    std::lock_guard lock(pool_);
    Status done = db_.InTransaction([&]() -> Status {
      if (!task.idempotency_token.empty()) {
        auto made = db_.Query<int64_t>(
            "SELECT id FROM tasks WHERE idempotency_token = ?1",
            [&](Statement& st) { st.Bind(1, task.idempotency_token); },
            [](const Statement& st) { return st.Int(0); });
        if (!made) return made.status();
        if (!made->empty()) {
          created = CreatedTask{std::to_string(made->front()), true};
          return Status::Ok();
        }
      }
      auto stmt = db_.Prepare(
          "INSERT INTO tasks(owner, kind, system, status, result, created_at, updated_at, node, "
          "lease_until, request, idempotency_token) "
          "VALUES(?1, ?2, ?3, 'new', NULL, ?4, ?4, ?5, ?6, ?7, ?8) RETURNING id");
      if (!stmt) return stmt.status();
      auto id = stmt->Bind(1, task.owner)
                    .Bind(2, task.kind)
                    .Bind(3, task.system)
                    .Bind(4, ToUnix(Now()))
                    .Bind(5, task.node)
                    .Bind(6, ToUnix(task.lease_until))
                    .Bind(7, task.request)
                    .Bind(8, task.idempotency_token)
                    .RunReturningId();
      if (!id) return id.status();
      created = CreatedTask{std::to_string(*id), false};
      return AppendEventIn(db_, TaskEvent(created.id, task.owner, task.kind, task.system, "new"))
          .status();
    });
    if (!done.ok()) return done;
  }
  if (!created.existed) NoteEventAppended();
  return created;
}

Result<bool> SqlTaskStore::UpdateTask(const std::string& id, const std::string& status,
                                      const std::optional<std::string>& result,
                                      const std::string& node) {
  auto n = ParseId(id);
  if (!n) return Status::NotFound("no task " + id);
  auto bind = [&](Statement& st) {
    st.Bind(1, *n).Bind(2, status).BindOptional(3, result).Bind(4, ToUnix(Now())).Bind(5, node);
  };
  const std::string unfinished = " WHERE id = ?1 AND status = 'new' AND (?5 = '' OR node = ?5)";
  if (status == "new") {  // a partial result: no state change, no event
    std::lock_guard lock(pool_);
    if (Status s = db_.Run(
            "UPDATE tasks SET status = ?2, result = ?3, updated_at = ?4" + unfinished, bind);
        !s.ok())
      return s;
    return db_.Changes() == 1;
  }
  // An ended task is never run again: its request (an inline script can be megabytes) goes.
  return EndWithEvent(
      "UPDATE tasks SET status = ?2, result = ?3, updated_at = ?4, request = ''" + unfinished, bind,
      id, status);
}

Result<TaskRecord> SqlTaskStore::GetTask(const std::string& id) {
  auto n = ParseId(id);
  if (!n) return Status::NotFound("no task " + id);
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare(std::string("SELECT ") + kColumns + " FROM tasks WHERE id = ?1");
  if (!stmt) return stmt.status();
  stmt->Bind(1, *n);
  if (!stmt->Step())
    return stmt->status().ok() ? Status::NotFound("no task " + id) : stmt->status();
  return Row(*stmt);
}

Result<std::vector<TaskRecord>> SqlTaskStore::ListTasks(const std::string& owner) {
  std::lock_guard lock(pool_);
  return db_.Query(
      std::string("SELECT ") + kColumns + " FROM tasks WHERE owner = ?1 ORDER BY id DESC",
      [&](Statement& s) { s.Bind(1, owner); }, &Row);
}

Result<int> SqlTaskStore::RenewLeases(const std::string& node, TimePoint until) {
  std::lock_guard lock(pool_);
  if (Status s = db_.Run("UPDATE tasks SET lease_until = ?2 WHERE node = ?1 AND status = 'new'",
                         [&](Statement& st) { st.Bind(1, node).Bind(2, ToUnix(until)); });
      !s.ok())
    return s;
  return db_.Changes();
}

Result<std::vector<TaskRecord>> SqlTaskStore::OrphanedTasks(const std::string& node,
                                                            TimePoint now) {
  std::lock_guard lock(pool_);
  return db_.Query(
      std::string("SELECT ") + kColumns +
          " FROM tasks WHERE status = 'new' AND (node = ?1 OR lease_until < ?2) "
          "ORDER BY id",
      [&](Statement& s) { s.Bind(1, node).Bind(2, ToUnix(now)); }, &Row);
}

Result<bool> SqlTaskStore::SetCheckpoint(const std::string& id, const std::string& node,
                                         const std::string& checkpoint) {
  auto n = ParseId(id);
  if (!n) return Status::NotFound("no task " + id);
  std::lock_guard lock(pool_);
  if (Status s =
          db_.Run("UPDATE tasks SET checkpoint = ?3 WHERE id = ?1 AND node = ?2 AND status = 'new'",
                  [&](Statement& st) { st.Bind(1, *n).Bind(2, node).Bind(3, checkpoint); });
      !s.ok())
    return s;
  return db_.Changes() == 1;
}

Result<bool> SqlTaskStore::AdoptOrphanedTask(const TaskRecord& task, const std::string& node,
                                             TimePoint lease_until) {
  auto n = ParseId(task.id);
  if (!n) return Status::NotFound("no task " + task.id);
  std::lock_guard lock(pool_);
  if (Status s = db_.Run(
          "UPDATE tasks SET node = ?4, lease_until = ?5 WHERE id = ?1 AND status = 'new' AND "
          "node = ?2 AND lease_until = ?3 AND checkpoint = ''",
          [&](Statement& st) {
            st.Bind(1, *n).Bind(2, task.node).Bind(3, ToUnix(task.lease_until));
            st.Bind(4, node).Bind(5, ToUnix(lease_until));
          });
      !s.ok())
    return s;
  return db_.Changes() == 1;
}

Result<bool> SqlTaskStore::EndOrphanedTask(const TaskRecord& task, const std::string& status,
                                           const std::string& result) {
  auto n = ParseId(task.id);
  if (!n) return Status::NotFound("no task " + task.id);
  // Conditional on what was read: a node that renewed in between keeps its task.
  return EndWithEvent(
      "UPDATE tasks SET status = ?6, result = ?4, updated_at = ?5, request = '' "
      "WHERE id = ?1 AND status = 'new' AND node = ?2 AND lease_until = ?3",
      [&](Statement& st) {
        st.Bind(1, *n).Bind(2, task.node).Bind(3, ToUnix(task.lease_until));
        st.Bind(4, result).Bind(5, ToUnix(Now())).Bind(6, status);
      },
      task.id, status);
}

Result<int> SqlTaskStore::PurgeTasks(TimePoint ended_before) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare("DELETE FROM tasks WHERE status != 'new' AND updated_at < ?1");
  if (!stmt) return stmt.status();
  if (Status s = stmt->Bind(1, ToUnix(ended_before)).Run(); !s.ok()) return s;
  return db_.Changes();
}

}  // namespace sfapid::sql
