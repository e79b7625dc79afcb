// Idempotency keys: a client that sends a creating request with an `Idempotency-Key` and sends it
// again (a timeout, a 502 from a balancer whose node died) gets the first request's reply instead
// of a second job, command, upload, transfer or reservation. Per user and operation, durable, and
// shared by every node on the store. The rules (api/idempotency.h) follow the IRI facility API v2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/status.h"

namespace sfapid {

// The reply a first request got, kept to answer its repeats.
struct StoredReply {
  int status = 200;
  std::string content_type;
  std::string body;
};

struct IdempotencyClaim {
  enum class State {
    kStarted,   // the caller holds the key now: run the request, then Complete or Release
    kInFlight,  // another request with the key runs (its lock has not run out)
    kDone,      // answered before, with the same request: `reply`
    kMismatch,  // answered before, for another request
  } state = State::kStarted;
  std::optional<StoredReply> reply;  // kDone
  // kStarted: what names this request's effects across its retries (NewTask::idempotency_token).
  // New for a new request; the same as before when the request retries one whose sfapid died
  // holding the key (`interrupted`), so that it finds what that one made instead of making it
  // again.
  std::string token;
  bool interrupted = false;
};

class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;
  // Takes `scope` (user, operation and key, hashed) for a request with `fingerprint` until
  // lock_until_ms, unless a live lock or an unexpired reply holds it: one transaction, so of two
  // nodes racing for a key exactly one starts. new_token is the claim's token unless it takes
  // over a lock of the same request that ran out (its holder died): then it keeps that one's.
  virtual Result<IdempotencyClaim> Claim(const std::string& scope, const std::string& user,
                                         const std::string& fingerprint, int64_t now_ms,
                                         int64_t lock_until_ms, const std::string& new_token) = 0;
  // Keeps the reply of the request that held the lock until expires_ms.
  virtual Status Complete(const std::string& scope, const StoredReply& reply,
                          int64_t expires_ms) = 0;
  // Lets the key go without a reply (the request failed: failures are not kept, a retry runs).
  virtual Status Release(const std::string& scope) = 0;
  // Forgets replies that expired before now_ms and locks that ran out before
  // locks_ended_before_ms (kept longer: a retry of an interrupted request needs its token); how
  // many.
  virtual Result<int> PurgeIdempotency(int64_t now_ms, int64_t locks_ended_before_ms) = 0;
};

}  // namespace sfapid
