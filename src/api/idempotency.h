// The `Idempotency-Key` request header on routes that create things, for every API: the first
// request with a key runs and its successful reply is kept (`Idempotency-Key-Reply: miss`); the
// same request again gets that reply without running (`hit`); another request with the key is
// refused (422); one while the first still runs is told to come back (409, `Retry-After: 2`).
// Failures are not kept, so a retry after one runs anew; a lock whose node died runs out after
// kLockSeconds. Keys are per user and operation (method and route), kept `keep_hours`, in the
// store: they survive restarts and hold across nodes. Without the header a request runs as ever.
//
// A request whose sfapid died after its effect and before its reply was kept: its retry (after
// the lock ran out) runs again under the first try's token (http::Request::idempotency_token).
// A route that makes a task hands the token to it, and the retry gets the task the first try
// made (TaskEngine::Submit) — its reply, and nothing run twice. A route whose effect is neither
// linked so nor the same when done twice says so (AfterInterruption::kRefuse): such a retry is
// answered 409 "look before sending again", kept like a reply.
//
// What counts as "the same request": method, path, query, content type and body, with a
// multipart boundary taken out (a client that rebuilds a retried upload picks a new one).
#pragma once

#include <functional>
#include <string>
#include <variant>

#include "http/router.h"
#include "store/idempotency_store.h"
#include "util/interval_gate.h"

namespace sfapid::api {

// How an API words the key's refusals in its own error shape.
struct IdempotencyErrors {
  using Render = std::function<http::Response(const http::Request& req, const std::string& why)>;
  Render in_flight;    // 409
  Render mismatch;     // 422
  Render bad_key;      // 422 (too long, control chars)
  Render store;        // 503: the store failed
  Render interrupted;  // 409 without Retry-After: AfterInterruption::kRefuse
};

// What the retry of a request interrupted by its sfapid's death (no reply kept) may do.
enum class AfterInterruption {
  // Run again: the route finds what the first try made by the request's idempotency token (a
  // task), or its effect is the same when done twice (an upload of the same bytes).
  kRunAgain,
  // Refuse (409): the effect may have happened and would happen again.
  kRefuse,
};

// What makes two requests "the same" for an API whose spec says so itself (IRI v2 §6: the
// operation is "submit_job" or "update_job:<id>", the fingerprint a hash of the validated body).
// Either left empty: the defaults above (method and route; the request's bytes).
struct IdempotencyIdentity {
  std::function<std::string(const http::Request&)> operation;
  // The fingerprint, or the answer to give without looking at the key (a body that does not
  // validate, an unknown resource: checked before the key, as the IRI spec orders it).
  std::function<std::variant<std::string, http::Response>(http::Request&)> fingerprint;
};

class IdempotentRoutes {
 public:
  static constexpr int kLockSeconds = 60;
  static constexpr size_t kMaxKeyBytes = 255;

  IdempotentRoutes(IdempotencyStore& store, double keep_hours)
      : store_(store), keep_ms_(static_cast<int64_t>(keep_hours * 3600 * 1000)) {}

  // Wraps the route's handler (before authentication wraps it: the user must be known).
  void Wrap(http::Route& route, IdempotencyErrors errors, IdempotencyIdentity identity = {},
            AfterInterruption after = AfterInterruption::kRunAgain);

  // The request's fingerprint (for tests).
  static std::string Fingerprint(const http::Request& req);

 private:
  http::Response Handle(http::Request& req, const std::string& operation,
                        const std::string& fingerprint, const http::Handler& inner,
                        const IdempotencyErrors& errors, AfterInterruption after);

  IdempotencyStore& store_;
  const int64_t keep_ms_;
  IntervalGate purge_gate_{std::chrono::minutes(10)};
};

}  // namespace sfapid::api
