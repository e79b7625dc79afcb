#include "core/web/web_sessions.h"

#include <spdlog/spdlog.h>

#include "util/secret_tokens.h"

namespace sfapid {

namespace {

std::chrono::seconds Minutes(double m) {
  return std::chrono::seconds(static_cast<int64_t>(m * 60));
}

// The idle clock is written at most this often: a page polling every second costs no write each.
constexpr std::chrono::seconds kTouchEvery{30};

}  // namespace

std::chrono::seconds WebSessions::IdleLimit() const {
  return Minutes(config_.session_idle_minutes);
}

Result<OpenedSession> WebSessions::Open(const std::string& user, SessionStage stage,
                                        const std::string& method, const std::string& ip,
                                        const std::string& pending_totp_secret) {
  Prune();
  OpenedSession out;
  out.cookie = RandomToken(32);
  WebSession& s = out.session;
  s.id_hash = Sha256Hex(out.cookie);
  s.user = user;
  s.stage = stage;
  s.csrf_token = RandomToken(24);
  s.source_ip = ip;
  s.method = method;
  s.created_at = Now();
  s.last_seen_at = s.created_at;
  s.expires_at =
      s.created_at + (stage == SessionStage::kSignedIn ? Minutes(config_.session_max_hours * 60)
                                                       : Minutes(config_.second_factor_minutes));
  s.pending_totp_secret = pending_totp_secret;
  if (Status st = store_.CreateSession(s); !st.ok()) return st;
  return out;
}

Result<WebSession> WebSessions::Find(const std::string& cookie) {
  const Status gone = Status::Unauthenticated("you are not signed in (or your session ended)");
  if (cookie.empty() || cookie.size() > 128) return gone;
  auto s = store_.GetSession(Sha256Hex(cookie));
  if (!s) return s.status().code() == Code::kNotFound ? gone : s.status();
  const TimePoint now = Now();
  if (now >= s->expires_at || now - s->last_seen_at >= IdleLimit()) {
    if (Status d = store_.DeleteSession(s->id_hash); !d.ok())
      spdlog::warn("ending a timed-out web session failed: {}", d.message());
    return gone;
  }
  if (now - s->last_seen_at >= kTouchEvery) {
    s->last_seen_at = now;
    if (Status u = store_.UpdateSession(*s); !u.ok()) return u;
  }
  return s;
}

Result<OpenedSession> WebSessions::Promote(const WebSession& half, const std::string& method) {
  if (Status d = store_.DeleteSession(half.id_hash); !d.ok()) return d;
  return Open(half.user, SessionStage::kSignedIn, method, half.source_ip);
}

Status WebSessions::Close(const std::string& cookie) {
  if (cookie.empty()) return Status::Ok();
  return store_.DeleteSession(Sha256Hex(cookie));
}

void WebSessions::Prune() {
  const TimePoint now = Now();
  int64_t last = last_prune_.load();
  const int64_t now_s = now.time_since_epoch().count();
  if (now_s - last < 60 || !last_prune_.compare_exchange_strong(last, now_s)) return;
  auto pruned = store_.PruneSessions(now, now - IdleLimit());
  if (!pruned) spdlog::warn("pruning web sessions failed: {}", pruned.status().message());
}

}  // namespace sfapid
