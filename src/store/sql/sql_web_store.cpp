#include "store/sql/sql_web_store.h"

#include "store/sql/time_columns.h"

namespace sfapid::sql {

namespace {

constexpr const char* kSessionColumns =
    "id_hash, user, stage, csrf_token, source_ip, method, created_at, last_seen_at, expires_at, "
    "pending_totp_secret";

WebSession SessionRow(const Statement& s) {
  WebSession w;
  w.id_hash = s.Text(0);
  w.user = s.Text(1);
  // An unknown stage (a newer sfapid's) grants nothing: it asks for the second factor again.
  w.stage = ParseSessionStage(s.Text(2)).value_or(SessionStage::kSecondFactor);
  w.csrf_token = s.Text(3);
  w.source_ip = s.Text(4);
  w.method = s.Text(5);
  w.created_at = FromUnix(s.Int(6));
  w.last_seen_at = FromUnix(s.Int(7));
  w.expires_at = FromUnix(s.Int(8));
  w.pending_totp_secret = s.Text(9);
  return w;
}

AccessRequest RequestRow(const Statement& s) {
  AccessRequest r;
  r.id = s.Int(0);
  r.user = s.Text(1);
  r.reason = s.Text(2);
  r.state = s.Text(3);
  r.requested_at = FromUnix(s.Int(4));
  if (s.OptionalText(5)) r.decided_at = FromUnix(s.Int(5));
  r.decided_by = s.Text(6);
  r.note = s.Text(7);
  return r;
}

constexpr const char* kRequestColumns =
    "id, user, reason, state, requested_at, decided_at, decided_by, note";

ApiEnablement EnablementRow(const Statement& s) {
  return {s.Text(0), s.Int(1) != 0, s.Text(2), FromUnix(s.Int(3))};
}

}  // namespace

Status SqlWebStore::CreateSession(const WebSession& w) {
  std::lock_guard lock(pool_);
  return db_.Run(std::string("INSERT INTO web_sessions(") + kSessionColumns +
                     ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                 [&](Statement& s) {
                   s.Bind(1, w.id_hash)
                       .Bind(2, w.user)
                       .Bind(3, std::string_view(ToString(w.stage)))
                       .Bind(4, w.csrf_token)
                       .Bind(5, w.source_ip)
                       .Bind(6, w.method)
                       .Bind(7, ToUnix(w.created_at))
                       .Bind(8, ToUnix(w.last_seen_at))
                       .Bind(9, ToUnix(w.expires_at))
                       .Bind(10, w.pending_totp_secret);
                 });
}

Result<WebSession> SqlWebStore::GetSession(const std::string& id_hash) {
  std::lock_guard lock(pool_);
  auto rows = db_.Query<WebSession>(
      std::string("SELECT ") + kSessionColumns + " FROM web_sessions WHERE id_hash = ?1",
      [&](Statement& s) { s.Bind(1, id_hash); }, SessionRow);
  if (!rows) return rows.status();
  if (rows->empty()) return Status::NotFound("no such session");
  return std::move(rows->front());
}

Status SqlWebStore::UpdateSession(const WebSession& w) {
  std::lock_guard lock(pool_);
  Status s = db_.Run(
      "UPDATE web_sessions SET stage = ?2, csrf_token = ?3, last_seen_at = ?4, "
      "pending_totp_secret = ?5, method = ?6 WHERE id_hash = ?1",
      [&](Statement& st) {
        st.Bind(1, w.id_hash)
            .Bind(2, std::string_view(ToString(w.stage)))
            .Bind(3, w.csrf_token)
            .Bind(4, ToUnix(w.last_seen_at))
            .Bind(5, w.pending_totp_secret)
            .Bind(6, w.method);
      });
  if (!s.ok()) return s;
  if (db_.Changes() == 0) return Status::NotFound("no such session");
  return Status::Ok();
}

Status SqlWebStore::DeleteSession(const std::string& id_hash) {
  std::lock_guard lock(pool_);
  return db_.Run("DELETE FROM web_sessions WHERE id_hash = ?1",
                 [&](Statement& s) { s.Bind(1, id_hash); });
}

Result<int64_t> SqlWebStore::DeleteUserSessions(const std::string& user) {
  std::lock_guard lock(pool_);
  Status s =
      db_.Run("DELETE FROM web_sessions WHERE user = ?1", [&](Statement& st) { st.Bind(1, user); });
  if (!s.ok()) return s;
  return static_cast<int64_t>(db_.Changes());
}

Result<int64_t> SqlWebStore::PruneSessions(TimePoint now, TimePoint idle_before) {
  std::lock_guard lock(pool_);
  Status s = db_.Run("DELETE FROM web_sessions WHERE expires_at <= ?1 OR last_seen_at < ?2",
                     [&](Statement& st) { st.Bind(1, ToUnix(now)).Bind(2, ToUnix(idle_before)); });
  if (!s.ok()) return s;
  const int64_t sessions = db_.Changes();
  // Links that can no longer be used go with them.
  if (Status l = db_.Run("DELETE FROM sign_in_links WHERE expires_at <= ?1",
                         [&](Statement& st) { st.Bind(1, ToUnix(now)); });
      !l.ok())
    return l;
  return sessions;
}

Result<std::optional<TotpEnrolment>> SqlWebStore::GetTotp(const std::string& user) {
  std::lock_guard lock(pool_);
  auto rows = db_.Query<TotpEnrolment>(
      "SELECT user, secret_base32, last_step, enrolled_at FROM totp_enrolments WHERE user = ?1",
      [&](Statement& s) { s.Bind(1, user); },
      +[](const Statement& s) {
        return TotpEnrolment{s.Text(0), s.Text(1), s.Int(2), FromUnix(s.Int(3))};
      });
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<TotpEnrolment>();
  return std::optional<TotpEnrolment>(std::move(rows->front()));
}

Status SqlWebStore::AddTotp(const TotpEnrolment& e) {
  std::lock_guard lock(pool_);
  Status s = db_.Run(
      "INSERT INTO totp_enrolments(user, secret_base32, last_step, enrolled_at) "
      "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(user) DO NOTHING",
      [&](Statement& st) {
        st.Bind(1, e.user)
            .Bind(2, e.secret_base32)
            .Bind(3, e.last_step)
            .Bind(4, ToUnix(e.enrolled_at));
      });
  if (!s.ok()) return s;
  if (db_.Changes() == 0) return Status::AlreadyExists(e.user + " is enrolled already");
  return Status::Ok();
}

Status SqlWebStore::DeleteTotp(const std::string& user) {
  std::lock_guard lock(pool_);
  Status s = db_.Run("DELETE FROM totp_enrolments WHERE user = ?1",
                     [&](Statement& st) { st.Bind(1, user); });
  if (!s.ok()) return s;
  if (db_.Changes() == 0) return Status::NotFound(user + " has no TOTP enrolment");
  return Status::Ok();
}

Result<bool> SqlWebStore::UseTotpStep(const std::string& user, int64_t step) {
  std::lock_guard lock(pool_);
  // One statement: two nodes given the same code at once cannot both accept it.
  Status s = db_.Run("UPDATE totp_enrolments SET last_step = ?2 WHERE user = ?1 AND last_step < ?2",
                     [&](Statement& st) { st.Bind(1, user).Bind(2, step); });
  if (!s.ok()) return s;
  return db_.Changes() == 1;
}

Status SqlWebStore::RecordSignInFailure(const std::string& key, TimePoint at) {
  std::lock_guard lock(pool_);
  return db_.Run("INSERT INTO sign_in_failures(key, at) VALUES(?1, ?2)",
                 [&](Statement& s) { s.Bind(1, key).Bind(2, ToUnix(at)); });
}

Result<WebStore::FailureCount> SqlWebStore::CountSignInFailures(const std::string& key,
                                                                TimePoint since) {
  std::lock_guard lock(pool_);
  // Older failures can never count again.
  if (Status s = db_.Run("DELETE FROM sign_in_failures WHERE key = ?1 AND at < ?2",
                         [&](Statement& st) { st.Bind(1, key).Bind(2, ToUnix(since)); });
      !s.ok())
    return s;
  auto stmt = db_.Prepare("SELECT COUNT(*), MIN(at) FROM sign_in_failures WHERE key = ?1");
  if (!stmt) return stmt.status();
  stmt->Bind(1, key);
  FailureCount out;
  if (stmt->Step()) {
    out.count = static_cast<int>(stmt->Int(0));
    if (stmt->OptionalText(1)) out.oldest = FromUnix(stmt->Int(1));
  }
  if (!stmt->status().ok()) return stmt->status();
  return out;
}

Status SqlWebStore::ClearSignInFailures(const std::string& key) {
  std::lock_guard lock(pool_);
  return db_.Run("DELETE FROM sign_in_failures WHERE key = ?1",
                 [&](Statement& s) { s.Bind(1, key); });
}

Status SqlWebStore::CreateSignInLink(const std::string& secret_hash, const std::string& user,
                                     TimePoint expires_at) {
  std::lock_guard lock(pool_);
  return db_.Run(
      "INSERT INTO sign_in_links(secret_hash, user, expires_at) VALUES(?1, ?2, ?3)",
      [&](Statement& s) { s.Bind(1, secret_hash).Bind(2, user).Bind(3, ToUnix(expires_at)); });
}

Result<std::string> SqlWebStore::ConsumeSignInLink(const std::string& secret_hash, TimePoint now) {
  std::lock_guard lock(pool_);
  std::string user;
  bool good = false;
  Status s = db_.InTransaction([&]() -> Status {
    auto stmt = db_.Prepare("SELECT user, expires_at FROM sign_in_links WHERE secret_hash = ?1");
    if (!stmt) return stmt.status();
    stmt->Bind(1, secret_hash);
    if (stmt->Step()) {
      user = stmt->Text(0);
      good = FromUnix(stmt->Int(1)) > now;
    }
    if (!stmt->status().ok()) return stmt->status();
    return db_.Run("DELETE FROM sign_in_links WHERE secret_hash = ?1",
                   [&](Statement& st) { st.Bind(1, secret_hash); });
  });
  if (!s.ok()) return s;
  if (!good) return Status::NotFound("this sign-in link is unknown, used or expired");
  return user;
}

Result<std::optional<ApiEnablement>> SqlWebStore::GetEnablement(const std::string& user) {
  std::lock_guard lock(pool_);
  auto rows = db_.Query<ApiEnablement>(
      "SELECT user, enabled, by, at FROM api_enablement WHERE user = ?1",
      [&](Statement& s) { s.Bind(1, user); }, EnablementRow);
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<ApiEnablement>();
  return std::optional<ApiEnablement>(std::move(rows->front()));
}

Result<std::vector<ApiEnablement>> SqlWebStore::ListEnablements() {
  std::lock_guard lock(pool_);
  return db_.Query<ApiEnablement>(
      "SELECT user, enabled, by, at FROM api_enablement ORDER BY user", [](Statement&) {},
      EnablementRow);
}

Status SqlWebStore::SetEnablementLocked(const std::string& user, bool enabled,
                                        const std::string& by, TimePoint at) {
  return db_.Run(
      "INSERT INTO api_enablement(user, enabled, by, at) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT(user) DO UPDATE SET enabled = excluded.enabled, by = excluded.by, "
      "at = excluded.at",
      [&](Statement& s) {
        s.Bind(1, user).Bind(2, int64_t{enabled ? 1 : 0}).Bind(3, by).Bind(4, ToUnix(at));
      });
}

Status SqlWebStore::EnableUser(const std::string& user, const std::string& by, TimePoint at) {
  std::lock_guard lock(pool_);
  return SetEnablementLocked(user, true, by, at);
}

Result<std::vector<std::string>> SqlWebStore::DisableUser(const std::string& user,
                                                          const std::string& by, TimePoint at) {
  std::lock_guard lock(pool_);
  std::vector<std::string> revoked;
  Status s = db_.InTransaction([&]() -> Status {
    if (Status e = SetEnablementLocked(user, false, by, at); !e.ok()) return e;
    auto ids = db_.Query<std::string>(
        "SELECT client_id FROM clients WHERE owner = ?1 AND revoked_at IS NULL AND expires_at > ?2 "
        "ORDER BY client_id",
        [&](Statement& st) { st.Bind(1, user).Bind(2, ToUnix(at)); },
        +[](const Statement& st) { return st.Text(0); });
    if (!ids) return ids.status();
    revoked = std::move(ids).value();
    return db_.Run("UPDATE clients SET revoked_at = ?2 WHERE owner = ?1 AND revoked_at IS NULL",
                   [&](Statement& st) { st.Bind(1, user).Bind(2, ToUnix(at)); });
  });
  if (!s.ok()) return s;
  return revoked;
}

Result<std::vector<AccessRequest>> SqlWebStore::QueryRequests(
    const std::string& where, const std::function<void(Statement&)>& bind) {
  return db_.Query<AccessRequest>(std::string("SELECT ") + kRequestColumns +
                                      " FROM access_requests WHERE " + where + " ORDER BY id DESC",
                                  bind, RequestRow);
}

Result<AccessRequest> SqlWebStore::CreateAccessRequest(const std::string& user,
                                                       const std::string& reason, TimePoint at) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare(
      "INSERT INTO access_requests(user, reason, state, requested_at) VALUES(?1, ?2, 'pending', "
      "?3) RETURNING id");
  if (!stmt) return stmt.status();
  auto inserted = stmt->Bind(1, user).Bind(2, reason).Bind(3, ToUnix(at)).RunReturningId();
  if (!inserted) {
    if (inserted.status().code() == Code::kAlreadyExists)
      return Status::AlreadyExists(user + " has asked for access already; an operator will decide");
    return inserted.status();
  }
  const int64_t id = *inserted;
  auto rows = QueryRequests("id = ?1", [&](Statement& st) { st.Bind(1, id); });
  if (!rows) return rows.status();
  if (rows->empty()) return Status::Internal("the access request just stored is gone");
  return std::move(rows->front());
}

Result<std::vector<AccessRequest>> SqlWebStore::ListAccessRequests(const std::string& state,
                                                                   const std::string& user) {
  std::lock_guard lock(pool_);
  return QueryRequests("(?1 = '' OR state = ?1) AND (?2 = '' OR user = ?2)",
                       [&](Statement& st) { st.Bind(1, state).Bind(2, user); });
}

Result<AccessRequest> SqlWebStore::DecideAccessRequest(int64_t id, bool approve,
                                                       const std::string& by,
                                                       const std::string& note, TimePoint at) {
  std::lock_guard lock(pool_);
  AccessRequest decided;
  Status s = db_.InTransaction([&]() -> Status {
    auto rows = QueryRequests("id = ?1", [&](Statement& st) { st.Bind(1, id); });
    if (!rows) return rows.status();
    if (rows->empty()) return Status::NotFound("no access request " + std::to_string(id));
    decided = rows->front();
    if (decided.state != "pending")
      return Status::FailedPrecondition("access request " + std::to_string(id) + " was " +
                                        decided.state + " already");
    decided.state = approve ? "approved" : "denied";
    decided.decided_at = at;
    decided.decided_by = by;
    decided.note = note;
    if (Status u = db_.Run(
            "UPDATE access_requests SET state = ?2, decided_at = ?3, decided_by = ?4, note = ?5 "
            "WHERE id = ?1",
            [&](Statement& st) {
              st.Bind(1, id).Bind(2, decided.state).Bind(3, ToUnix(at)).Bind(4, by).Bind(5, note);
            });
        !u.ok())
      return u;
    return approve ? SetEnablementLocked(decided.user, true, by, at) : Status::Ok();
  });
  if (!s.ok()) return s;
  return decided;
}

}  // namespace sfapid::sql
