#include "store/sql/sql_compute_store.h"

#include "store/job_events.h"
#include "store/sql/sql_event_store.h"
#include "store/sql/time_columns.h"

namespace sfapid::sql {

namespace {

constexpr const char* kJobColumns =
    "system, jobid, user, account, state, exit_code, submit_time, start_time, end_time, nodes";

FinishedJob JobRow(const Statement& s) {
  FinishedJob j;
  j.system = s.Text(0);
  j.jobid = s.Text(1);
  j.user = s.Text(2);
  j.account = s.Text(3);
  j.state = s.Text(4);
  j.exit_code = s.Text(5);
  j.submit_time = s.Int(6);
  j.start_time = s.Int(7);
  j.end_time = s.Int(8);
  j.nodes = static_cast<int>(s.Int(9));
  return j;
}

UsageRow UsageRowOf(const Statement& s) {
  // Charges are kept as whole node-seconds so that sums are exact; hours only for display.
  return {s.Text(0), s.Text(1), s.Int(2), static_cast<double>(s.Int(3)) / 3600.0};
}

constexpr const char* kRegistrationColumns =
    "system, jobid, client_id, user, url, email, timeout_ms, created_at";

CallbackRegistration RegistrationRow(const Statement& s) {
  return {s.Text(0),
          s.Text(1),
          s.Text(2),
          s.Text(3),
          s.Text(4),
          s.Text(5),
          static_cast<double>(s.Int(6)) / 1000.0,
          FromUnix(s.Int(7))};
}

constexpr const char* kDeliveryColumns =
    "id, system, jobid, client_id, kind, target, state, attempts, created_ms, expires_ms, "
    "next_attempt_ms, last_error, delivered_at, body, event";

CallbackDelivery DeliveryRow(const Statement& s) {
  CallbackDelivery d;
  d.id = s.Text(0);
  d.system = s.Text(1);
  d.jobid = s.Text(2);
  d.client_id = s.Text(3);
  d.kind = s.Text(4);
  d.target = s.Text(5);
  d.state = s.Text(6);
  d.attempts = static_cast<int>(s.Int(7));
  d.created_ms = s.Int(8);
  d.expires_ms = s.Int(9);
  d.next_attempt_ms = s.Int(10);
  d.last_error = s.Text(11);
  if (s.OptionalText(12)) d.delivered_at = FromUnix(s.Int(12));
  d.body = s.Text(13);
  d.event = s.Text(14);
  return d;
}

}  // namespace

Result<bool> SqlComputeStore::RecordUsage(const FinishedJob& j) {
  // Whole node-seconds, so that sums are exact (NodeHours() is the same charge in hours).
  const auto node_seconds = static_cast<int64_t>(j.NodeHours() * 3600.0 + 0.5);
  bool recorded = false;
  {
    std::lock_guard lock(pool_);
    // The end, its account's running total and its event commit together, once: schedulers
    // report an end at least once, the (system, jobid) key lets one insert through, and only
    // that one adds to the total and appends the event.
    Status done = db_.InTransaction([&]() -> Status {
      auto stmt = db_.Prepare(std::string("INSERT INTO finished_jobs(") + kJobColumns +
                              ", node_seconds, recorded_at) "
                              "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
                              "ON CONFLICT DO NOTHING");
      if (!stmt) return stmt.status();
      stmt->Bind(1, j.system).Bind(2, j.jobid).Bind(3, j.user).Bind(4, j.account);
      stmt->Bind(5, j.state).Bind(6, j.exit_code).Bind(7, j.submit_time);
      stmt->Bind(8, j.start_time).Bind(9, j.end_time).Bind(10, static_cast<int64_t>(j.nodes));
      stmt->Bind(11, node_seconds).Bind(12, ToUnix(Now()));
      if (Status s = stmt->Run(); !s.ok()) return s;
      recorded = db_.Changes() > 0;
      if (!recorded) return Status::Ok();
      if (Status s =
              db_.Run("INSERT INTO finished_job_totals(account, node_seconds) VALUES(?1, ?2) "
                      "ON CONFLICT(account) DO UPDATE SET node_seconds = "
                      "finished_job_totals.node_seconds + excluded.node_seconds",
                      [&](Statement& st) { st.Bind(1, j.account).Bind(2, node_seconds); });
          !s.ok())
        return s;
      return AppendEventIn(db_, JobEvent(j.system, j.jobid, j.user, j.state, j.exit_code)).status();
    });
    if (!done.ok()) return done;
  }
  if (recorded) NoteEventAppended();
  return recorded;
}

Result<std::optional<FinishedJob>> SqlComputeStore::GetFinishedJob(const std::string& system,
                                                                   const std::string& jobid) {
  auto rows = Rows<FinishedJob>(
      std::string("SELECT ") + kJobColumns + " FROM finished_jobs WHERE system = ?1 AND jobid = ?2",
      [&](Statement& s) { s.Bind(1, system).Bind(2, jobid); }, &JobRow);
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<FinishedJob>();
  return std::optional<FinishedJob>(std::move(rows->front()));
}

Result<std::vector<UsageRow>> SqlComputeStore::UsageByAccount(const std::string& account) {
  return Rows<UsageRow>(
      "SELECT system, account, SUM(jobs), SUM(node_seconds) FROM (SELECT system, account, 1 AS "
      "jobs, node_seconds FROM finished_jobs UNION ALL SELECT machine, account, 0, "
      "charged_node_seconds FROM reservations WHERE charged = 1) AS charges WHERE ?1 = '' OR "
      "account = ?1 "
      "GROUP BY system, account ORDER BY system, account",
      [&](Statement& s) { s.Bind(1, account); }, &UsageRowOf);
}

Status SqlComputeStore::RecountUsageTotals() {
  std::lock_guard lock(pool_);
  return db_.InTransaction([&]() -> Status {
    return db_.Exec(
        "INSERT INTO finished_job_totals(account, node_seconds) SELECT account, SUM(node_seconds) "
        "FROM finished_jobs WHERE 1 = 1 GROUP BY account ON CONFLICT(account) DO UPDATE SET "
        "node_seconds = "
        "excluded.node_seconds");
  });
}

Status SqlComputeStore::SaveRegistration(const CallbackRegistration& r) {
  std::lock_guard lock(pool_);
  return db_.Run(
      std::string("INSERT INTO callback_registrations(") + kRegistrationColumns +
          ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(system, jobid) DO UPDATE SET "
          "client_id = excluded.client_id, user = excluded.user, url = excluded.url, "
          "email = excluded.email, timeout_ms = excluded.timeout_ms, "
          "created_at = excluded.created_at",
      [&](Statement& s) {
        s.Bind(1, r.system).Bind(2, r.jobid).Bind(3, r.client_id).Bind(4, r.user);
        s.Bind(5, r.url).Bind(6, r.email);
        s.Bind(7, static_cast<int64_t>(r.timeout_seconds * 1000.0)).Bind(8, ToUnix(r.created_at));
      });
}

Result<std::optional<CallbackRegistration>> SqlComputeStore::GetRegistration(
    const std::string& system, const std::string& jobid) {
  auto rows = Rows<CallbackRegistration>(
      std::string("SELECT ") + kRegistrationColumns +
          " FROM callback_registrations WHERE system = ?1 AND jobid = ?2",
      [&](Statement& s) { s.Bind(1, system).Bind(2, jobid); }, &RegistrationRow);
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<CallbackRegistration>();
  return std::optional<CallbackRegistration>(std::move(rows->front()));
}

Result<bool> SqlComputeStore::AddDelivery(const CallbackDelivery& d) {
  std::lock_guard lock(pool_);
  // Nothing on UNIQUE(system, jobid, kind): a job's end (or a reservation's event, keyed
  // "reservation:<id>:<seq>") reported twice notifies once.
  Status s =
      db_.Run(std::string("INSERT INTO callback_deliveries(") + kDeliveryColumns +
                  ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
                  "ON CONFLICT DO NOTHING",
              [&](Statement& st) {
                st.Bind(1, d.id).Bind(2, d.system).Bind(3, d.jobid).Bind(4, d.client_id);
                st.Bind(5, d.kind).Bind(6, d.target).Bind(7, d.state);
                st.Bind(8, static_cast<int64_t>(d.attempts))
                    .Bind(9, d.created_ms)
                    .Bind(10, d.expires_ms)
                    .Bind(11, d.next_attempt_ms);
                st.Bind(12, d.last_error);
                if (d.delivered_at)
                  st.Bind(13, ToUnix(*d.delivered_at));
                else
                  st.BindNull(13);
                st.Bind(14, d.body).Bind(15, d.event);
              });
  if (!s.ok()) return s;
  return db_.Changes() > 0;
}

Result<CallbackDelivery> SqlComputeStore::GetDelivery(const std::string& id) {
  auto rows = Rows<CallbackDelivery>(
      std::string("SELECT ") + kDeliveryColumns + " FROM callback_deliveries WHERE id = ?1",
      [&](Statement& s) { s.Bind(1, id); }, &DeliveryRow);
  if (!rows) return rows.status();
  if (rows->empty()) return Status::NotFound("no callback delivery " + id);
  return std::move(rows->front());
}

Result<std::vector<CallbackDelivery>> SqlComputeStore::DeliveriesOfJob(const std::string& system,
                                                                       const std::string& jobid) {
  return Rows<CallbackDelivery>(
      std::string("SELECT ") + kDeliveryColumns +
          " FROM callback_deliveries WHERE system = ?1 AND jobid = ?2 "
          "ORDER BY kind",
      [&](Statement& s) { s.Bind(1, system).Bind(2, jobid); }, &DeliveryRow);
}

Result<std::vector<CallbackDelivery>> SqlComputeStore::PendingDeliveries(int limit,
                                                                         int64_t now_ms) {
  return Rows<CallbackDelivery>(
      std::string("SELECT ") + kDeliveryColumns +
          " FROM callback_deliveries WHERE state = 'pending' AND claim_until_ms <= ?2 "
          "ORDER BY next_attempt_ms, id LIMIT ?1",
      [&](Statement& s) { s.Bind(1, static_cast<int64_t>(limit)).Bind(2, now_ms); }, &DeliveryRow);
}

Result<bool> SqlComputeStore::ClaimDelivery(const std::string& id, int64_t now_ms,
                                            int64_t until_ms) {
  std::lock_guard lock(pool_);
  // One conditional update: of two nodes racing for it, the second finds the claim taken.
  if (Status s = db_.Run("UPDATE callback_deliveries SET claim_until_ms = ?3 "
                         "WHERE id = ?1 AND state = 'pending' AND claim_until_ms <= ?2",
                         [&](Statement& st) { st.Bind(1, id).Bind(2, now_ms).Bind(3, until_ms); });
      !s.ok())
    return s;
  return db_.Changes() == 1;
}

Status SqlComputeStore::UpdateDelivery(const CallbackDelivery& d) {
  std::lock_guard lock(pool_);
  return db_.Run(
      "UPDATE callback_deliveries SET state = ?2, attempts = ?3, next_attempt_ms = ?4, "
      "last_error = ?5, delivered_at = ?6, body = ?7, claim_until_ms = 0 "
      "WHERE id = ?1 AND state = 'pending'",
      [&](Statement& s) {
        s.Bind(1, d.id).Bind(2, d.state).Bind(3, static_cast<int64_t>(d.attempts));
        s.Bind(4, d.next_attempt_ms).Bind(5, d.last_error);
        if (d.delivered_at)
          s.Bind(6, ToUnix(*d.delivered_at));
        else
          s.BindNull(6);
        s.Bind(7, d.body);
      });
}

}  // namespace sfapid::sql
