// Browser sessions kept in the store (they survive restarts and are shared by nodes): a random
// cookie value goes to the browser, only its SHA-256 is stored. A session ends when idle for
// [web] session_idle_minutes, session_max_hours after it began, or second_factor_minutes after
// the password while the second factor is due. A session changes its id when it reaches
// kSignedIn (no fixation) and carries a CSRF token the page sends with every change.
#pragma once

#include <atomic>
#include <string>

#include "config/config.h"
#include "store/web_store.h"

namespace sfapid {

struct OpenedSession {
  std::string cookie;  // the value for the browser; nowhere else
  WebSession session;
};

class WebSessions {
 public:
  WebSessions(const WebConfig& config, WebStore& store) : config_(config), store_(store) {}

  Result<OpenedSession> Open(const std::string& user, SessionStage stage, const std::string& method,
                             const std::string& ip, const std::string& pending_totp_secret = "");
  // The live session `cookie` names, its idle clock restarted. Unauthenticated when there is none
  // (unknown, ended, idle too long): the caller signs in again.
  Result<WebSession> Find(const std::string& cookie);
  // Ends the half-signed-in session and opens a signed-in one in its place, with a new id.
  Result<OpenedSession> Promote(const WebSession& half, const std::string& method);
  Status Update(const WebSession& session) { return store_.UpdateSession(session); }
  Status Close(const std::string& cookie);
  // Ends every session of the user (TOTP reset, disabled): returns how many.
  Result<int64_t> CloseAll(const std::string& user) { return store_.DeleteUserSessions(user); }
  // Forgets ended sessions; cheap to call often, it works at most once a minute.
  void Prune();

  std::chrono::seconds IdleLimit() const;

 private:
  const WebConfig& config_;
  WebStore& store_;
  std::atomic<int64_t> last_prune_{0};  // Unix seconds
};

}  // namespace sfapid
