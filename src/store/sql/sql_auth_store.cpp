#include "store/sql/sql_auth_store.h"

#include <boost/json.hpp>

#include "store/sql/time_columns.h"

namespace sfapid::sql {

namespace json = boost::json;

namespace {

std::string RangesToText(const std::vector<std::string>& ranges) {
  json::array a;
  for (const auto& r : ranges) a.emplace_back(r);
  return json::serialize(a);
}

std::vector<std::string> RangesFromText(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (!ec && v.is_array())
    for (const auto& r : v.as_array())
      if (r.is_string()) out.emplace_back(r.as_string());
  return out;
}

constexpr const char* kClientColumns =
    "client_id, owner, name, comments, level, ip_ranges, created_at, expires_at, revoked_at, "
    "public_key_pem, last_used_at";

}  // namespace

Status SqlAuthStore::CreateClient(const ClientRecord& c) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare(std::string("INSERT INTO clients(") + kClientColumns +
                          ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, NULL)");
  if (!stmt) return stmt.status();
  Status s = stmt->Bind(1, c.client_id)
                 .Bind(2, c.owner)
                 .Bind(3, c.name)
                 .Bind(4, c.comments)
                 .Bind(5, std::string_view(ToString(c.level)))
                 .Bind(6, RangesToText(c.ip_ranges))
                 .Bind(7, ToUnix(c.created_at))
                 .Bind(8, ToUnix(c.expires_at))
                 .Bind(9, c.public_key_pem)
                 .Run();
  if (!s.ok() && s.code() == Code::kAlreadyExists)
    return Status::AlreadyExists("client id " + c.client_id + " is taken");
  return s;
}

Result<std::vector<ClientRecord>> SqlAuthStore::QueryClients(const char* where,
                                                             const std::string& arg) {
  auto stmt = db_.Prepare(std::string("SELECT ") + kClientColumns + " FROM clients WHERE " + where +
                          " ORDER BY created_at, client_id");
  if (!stmt) return stmt.status();
  stmt->Bind(1, arg);
  std::vector<ClientRecord> out;
  while (stmt->Step()) {
    ClientRecord c;
    c.client_id = stmt->Text(0);
    c.owner = stmt->Text(1);
    c.name = stmt->Text(2);
    c.comments = stmt->Text(3);
    c.level = ParseLevel(stmt->Text(4)).value_or(Level::kGreen);
    c.ip_ranges = RangesFromText(stmt->Text(5));
    c.created_at = FromUnix(stmt->Int(6));
    c.expires_at = FromUnix(stmt->Int(7));
    if (auto r = stmt->OptionalText(8)) c.revoked_at = FromUnix(stmt->Int(8));
    c.public_key_pem = stmt->Text(9);
    if (stmt->OptionalText(10)) c.last_used_at = FromUnix(stmt->Int(10));
    out.push_back(std::move(c));
  }
  if (!stmt->status().ok()) return stmt->status();
  return out;
}

Result<ClientRecord> SqlAuthStore::GetClient(const std::string& client_id) {
  std::lock_guard lock(pool_);
  auto list = QueryClients("client_id = ?1", client_id);
  if (!list) return list.status();
  if (list->empty()) return Status::NotFound("no client with id " + client_id);
  return std::move(list->front());
}

Result<std::vector<ClientRecord>> SqlAuthStore::ListClients(const std::string& owner) {
  std::lock_guard lock(pool_);
  return QueryClients("?1 = '' OR owner = ?1", owner);
}

Status SqlAuthStore::RevokeClient(const std::string& client_id, TimePoint at) {
  std::lock_guard lock(pool_);
  auto stmt =
      db_.Prepare("UPDATE clients SET revoked_at = COALESCE(revoked_at, ?2) WHERE client_id = ?1");
  if (!stmt) return stmt.status();
  if (Status s = stmt->Bind(1, client_id).Bind(2, ToUnix(at)).Run(); !s.ok()) return s;
  if (db_.Changes() == 0) return Status::NotFound("no client with id " + client_id);
  return Status::Ok();
}

Status SqlAuthStore::MarkClientUsed(const std::string& client_id, TimePoint at) {
  std::lock_guard lock(pool_);
  return db_.Run("UPDATE clients SET last_used_at = ?2 WHERE client_id = ?1",
                 [&](Statement& s) { s.Bind(1, client_id).Bind(2, ToUnix(at)); });
}

Result<bool> SqlAuthStore::RememberAssertionId(const std::string& client_id, const std::string& jti,
                                               TimePoint expires_at) {
  std::lock_guard lock(pool_);
  // Expired ids can never be replayed (their assertions are refused as expired): forget them.
  auto purge = db_.Prepare("DELETE FROM assertion_ids WHERE expires_at < ?1");
  if (!purge) return purge.status();
  if (Status s = purge->Bind(1, ToUnix(Now()) - 3600).Run(); !s.ok()) return s;
  auto stmt = db_.Prepare(
      "INSERT INTO assertion_ids(client_id, jti, expires_at) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(client_id, jti) DO NOTHING");
  if (!stmt) return stmt.status();
  if (Status s = stmt->Bind(1, client_id).Bind(2, jti).Bind(3, ToUnix(expires_at)).Run(); !s.ok())
    return s;
  return db_.Changes() == 1;
}

Result<std::vector<StoredSigningKey>> SqlAuthStore::ListSigningKeys() {
  std::lock_guard lock(pool_);
  return db_.Query<StoredSigningKey>(
      "SELECT kid, created_ns, private_pem FROM signing_keys ORDER BY created_ns, kid",
      [](Statement&) {},
      +[](const Statement& s) {
        return StoredSigningKey{s.Text(0), s.Int(1), s.Text(2)};
      });
}

Status SqlAuthStore::AddSigningKey(const StoredSigningKey& k) {
  std::lock_guard lock(pool_);
  return db_.Run(
      "INSERT INTO signing_keys(kid, created_ns, private_pem) VALUES(?1, ?2, ?3)",
      [&](Statement& s) { s.Bind(1, k.kid).Bind(2, k.created_ns).Bind(3, k.private_pem); });
}

Status SqlAuthStore::RemoveSigningKey(const std::string& kid) {
  std::lock_guard lock(pool_);
  return db_.Run("DELETE FROM signing_keys WHERE kid = ?1", [&](Statement& s) { s.Bind(1, kid); });
}

Status SqlAuthStore::AppendAudit(const AuthAuditRecord& r) {
  std::lock_guard lock(pool_);
  return db_.Run(
      "INSERT INTO auth_audit(at, client_id, user, ip, outcome, reason) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
      [&](Statement& s) {
        s.Bind(1, ToUnix(r.at))
            .Bind(2, r.client_id)
            .Bind(3, r.user)
            .Bind(4, r.ip)
            .Bind(5, r.outcome)
            .Bind(6, r.reason);
      });
}

Result<std::vector<AuthAuditRecord>> SqlAuthStore::ListAudit(int limit) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare(
      "SELECT at, client_id, user, ip, outcome, reason FROM auth_audit ORDER BY id DESC LIMIT ?1");
  if (!stmt) return stmt.status();
  stmt->Bind(1, int64_t{limit});
  std::vector<AuthAuditRecord> out;
  while (stmt->Step())
    out.push_back({FromUnix(stmt->Int(0)), stmt->Text(1), stmt->Text(2), stmt->Text(3),
                   stmt->Text(4), stmt->Text(5)});
  if (!stmt->status().ok()) return stmt->status();
  return out;
}

Result<int64_t> SqlAuthStore::PruneAudit(TimePoint before) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare("DELETE FROM auth_audit WHERE at < ?1");
  if (!stmt) return stmt.status();
  if (Status s = stmt->Bind(1, ToUnix(before)).Run(); !s.ok()) return s;
  return static_cast<int64_t>(db_.Changes());
}

}  // namespace sfapid::sql
