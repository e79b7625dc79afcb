#include "store/sql/sql_idempotency_store.h"

namespace sfapid::sql {

namespace {

struct KeyRow {
  std::string fingerprint, state;
  int64_t lock_until_ms = 0, expires_ms = 0;
  StoredReply reply;
  std::string token;
};

KeyRow ReadKeyRow(const Statement& s) {
  return KeyRow{s.Text(0),
                s.Text(1),
                s.Int(2),
                s.Int(3),
                StoredReply{static_cast<int>(s.Int(4)), s.Text(5), s.Text(6)},
                s.Text(7)};
}

}  // namespace

Result<IdempotencyClaim> SqlIdempotencyStore::Claim(const std::string& scope,
                                                    const std::string& user,
                                                    const std::string& fingerprint, int64_t now_ms,
                                                    int64_t lock_until_ms,
                                                    const std::string& new_token) {
  std::lock_guard lock(pool_);
  IdempotencyClaim claim;
  Status s = db_.InTransaction([&]() -> Status {
    auto rows = db_.Query<KeyRow>(
        "SELECT fingerprint, state, lock_until_ms, expires_ms, status, content_type, body, token "
        "FROM idempotency_keys WHERE scope = ?1",
        [&](Statement& st) { st.Bind(1, scope); }, ReadKeyRow);
    if (!rows) return rows.status();
    if (!rows->empty()) {
      const KeyRow& row = rows->front();
      const bool live =
          row.state == "locked" ? row.lock_until_ms > now_ms : row.expires_ms > now_ms;
      if (live) {
        if (row.state == "locked")
          claim.state = IdempotencyClaim::State::kInFlight;
        else if (row.fingerprint == fingerprint)
          claim = {IdempotencyClaim::State::kDone, row.reply};
        else
          claim.state = IdempotencyClaim::State::kMismatch;
        return Status::Ok();
      }
    }
    // New, or what was there ran out (a lock whose request died with its node, an old reply).
    claim.state = IdempotencyClaim::State::kStarted;
    claim.token = new_token;
    // The same request again after its holder died: it goes on under the first one's token.
    if (!rows->empty() && rows->front().state == "locked" &&
        rows->front().fingerprint == fingerprint && !rows->front().token.empty()) {
      claim.token = rows->front().token;
      claim.interrupted = true;
    }
    return db_.Run(
        "INSERT INTO idempotency_keys(scope, user, fingerprint, state, lock_until_ms, expires_ms, "
        "status, content_type, body, token) VALUES(?1, ?2, ?3, 'locked', ?4, 0, 0, '', '', ?5) "
        "ON CONFLICT(scope) DO UPDATE SET user = excluded.user, fingerprint = "
        "excluded.fingerprint, state = 'locked', lock_until_ms = excluded.lock_until_ms, "
        "expires_ms = 0, status = 0, content_type = '', body = '', token = excluded.token",
        [&](Statement& st) {
          st.Bind(1, scope).Bind(2, user).Bind(3, fingerprint).Bind(4, lock_until_ms);
          st.Bind(5, claim.token);
        });
  });
  if (!s.ok()) return s;
  return claim;
}

Status SqlIdempotencyStore::Complete(const std::string& scope, const StoredReply& reply,
                                     int64_t expires_ms) {
  std::lock_guard lock(pool_);
  return db_.Run(
      "UPDATE idempotency_keys SET state = 'done', expires_ms = ?2, status = ?3, "
      "content_type = ?4, body = ?5 WHERE scope = ?1 AND state = 'locked'",
      [&](Statement& st) {
        st.Bind(1, scope).Bind(2, expires_ms).Bind(3, static_cast<int64_t>(reply.status));
        st.Bind(4, reply.content_type).Bind(5, reply.body);
      });
}

Status SqlIdempotencyStore::Release(const std::string& scope) {
  std::lock_guard lock(pool_);
  return db_.Run("DELETE FROM idempotency_keys WHERE scope = ?1 AND state = 'locked'",
                 [&](Statement& st) { st.Bind(1, scope); });
}

Result<int> SqlIdempotencyStore::PurgeIdempotency(int64_t now_ms, int64_t locks_ended_before_ms) {
  std::lock_guard lock(pool_);
  if (Status s =
          db_.Run("DELETE FROM idempotency_keys WHERE (state = 'done' AND expires_ms <= ?1) OR "
                  "(state = 'locked' AND lock_until_ms <= ?2)",
                  [&](Statement& st) { st.Bind(1, now_ms).Bind(2, locks_ended_before_ms); });
      !s.ok())
    return s;
  return db_.Changes();
}

}  // namespace sfapid::sql
