// Persistence for the web pages (docs/web.md): browser sessions, TOTP enrolments, sign-in failures
// for lockout, one-time sign-in links, users' API enablement and their access requests. All of it
// lives in the store so that it survives restarts and is shared by every node.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"
#include "util/time_format.h"

namespace sfapid {

// How far a browser session has got: the password is checked and the second factor is due
// (kSecondFactor), the user is enrolling a TOTP secret (kEnrolling), or signed in (kSignedIn).
enum class SessionStage { kSecondFactor, kEnrolling, kSignedIn };
const char* ToString(SessionStage stage);
std::optional<SessionStage> ParseSessionStage(std::string_view text);

struct WebSession {
  std::string id_hash;  // SHA-256 (hex) of the cookie's value; the value itself is never stored
  std::string user;
  SessionStage stage = SessionStage::kSecondFactor;
  std::string csrf_token;  // sent by the page with every change (X-CSRF-Token)
  std::string source_ip;   // where the session was opened, for the audit log
  std::string method;      // how the user signed in: "password", "password+totp", "link"
  TimePoint created_at;
  TimePoint last_seen_at;           // for the idle timeout
  TimePoint expires_at;             // the absolute timeout
  std::string pending_totp_secret;  // base32, while kEnrolling only
};

struct TotpEnrolment {
  std::string user;
  std::string secret_base32;
  int64_t last_step = 0;  // the newest time step a code was accepted for: older ones are replays
  TimePoint enrolled_at;
};

// Whether a user may have API clients. Users without a record follow [web] enable_by_default.
struct ApiEnablement {
  std::string user;
  bool enabled = false;
  std::string by;  // the operator (or "web" for an approved request)
  TimePoint at;
};

struct AccessRequest {
  int64_t id = 0;
  std::string user;
  std::string reason;
  std::string state;  // "pending" | "approved" | "denied"
  TimePoint requested_at;
  std::optional<TimePoint> decided_at;
  std::string decided_by;
  std::string note;  // the operator's words to the user
};

class WebStore {
 public:
  virtual ~WebStore() = default;

  virtual Status CreateSession(const WebSession& session) = 0;
  virtual Result<WebSession> GetSession(const std::string& id_hash) = 0;  // NotFound
  // Writes stage, csrf_token, last_seen_at and pending_totp_secret.
  virtual Status UpdateSession(const WebSession& session) = 0;
  virtual Status DeleteSession(const std::string& id_hash) = 0;
  // Ends every session of a user (an operator's TOTP reset, a disabled user); returns how many.
  virtual Result<int64_t> DeleteUserSessions(const std::string& user) = 0;
  // Forgets sessions past their absolute end or idle since `idle_before`; returns how many.
  virtual Result<int64_t> PruneSessions(TimePoint now, TimePoint idle_before) = 0;

  virtual Result<std::optional<TotpEnrolment>> GetTotp(const std::string& user) = 0;
  // Enrols the user; AlreadyExists (and nothing changes) when the user is enrolled already: an
  // enrolment begun before another one completed must not replace it.
  virtual Status AddTotp(const TotpEnrolment& enrolment) = 0;
  virtual Status DeleteTotp(const std::string& user) = 0;  // NotFound when none
  // Accepts time step `step` for the user only when it is newer than every step accepted before:
  // a code is good once. False: a replay.
  virtual Result<bool> UseTotpStep(const std::string& user, int64_t step) = 0;

  // Sign-in failures by key ("user:alice", "ip:10.0.0.1"), for lockout.
  virtual Status RecordSignInFailure(const std::string& key, TimePoint at) = 0;
  // How many since `since`, and the oldest of those (when any): the lockout ends a window after it.
  struct FailureCount {
    int count = 0;
    std::optional<TimePoint> oldest;
  };
  virtual Result<FailureCount> CountSignInFailures(const std::string& key, TimePoint since) = 0;
  virtual Status ClearSignInFailures(const std::string& key) = 0;

  // One-time sign-in links: the hash of the link's secret, for whom, until when.
  virtual Status CreateSignInLink(const std::string& secret_hash, const std::string& user,
                                  TimePoint expires_at) = 0;
  // Uses the link up (whether or not it is still good) and returns its user; NotFound when unknown,
  // used or expired.
  virtual Result<std::string> ConsumeSignInLink(const std::string& secret_hash, TimePoint now) = 0;

  virtual Result<std::optional<ApiEnablement>> GetEnablement(const std::string& user) = 0;
  virtual Result<std::vector<ApiEnablement>> ListEnablements() = 0;
  virtual Status EnableUser(const std::string& user, const std::string& by, TimePoint at) = 0;
  // Disables the user and revokes every client of theirs still valid, in one transaction; returns
  // the ids revoked.
  virtual Result<std::vector<std::string>> DisableUser(const std::string& user,
                                                       const std::string& by, TimePoint at) = 0;

  // AlreadyExists when the user has a pending request.
  virtual Result<AccessRequest> CreateAccessRequest(const std::string& user,
                                                    const std::string& reason, TimePoint at) = 0;
  // Every request, or those in `state` / of `user` when non-empty; newest first.
  virtual Result<std::vector<AccessRequest>> ListAccessRequests(const std::string& state,
                                                                const std::string& user) = 0;
  // Decides a pending request; approving also enables the user, in the same transaction.
  // NotFound when unknown, FailedPrecondition when already decided.
  virtual Result<AccessRequest> DecideAccessRequest(int64_t id, bool approve, const std::string& by,
                                                    const std::string& note, TimePoint at) = 0;
};

}  // namespace sfapid
