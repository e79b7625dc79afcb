// Authentication at the API edge: reads the bearer token, asks the verifier who is calling, and
// answers 401/403 in the shapes clients understand (never 5xx, which clients retry). With a
// RateGuard, the route class's rate limits come first by address and then by client (429).
#pragma once

#include <optional>

#include "api/rate_guard.h"
#include "auth/access_token_verifier.h"
#include "domain/level.h"
#include "http/router.h"

namespace sfapid::api {

class AuthGuard {
 public:
  // rates: null for no rate limits.
  explicit AuthGuard(AccessTokenVerifier& verifier, RateGuard* rates = nullptr)
      : verifier_(verifier), rates_(rates) {}

  // nullopt when the request may go on (req.principal is set when a token was given). `need`
  // empty: a public route, where a token is optional but, when given, must be valid.
  // `shape`: the API's error shape (null: FastAPI's {"detail": ...}, which SFAPI clients parse).
  std::optional<http::Response> Check(http::Request& req, std::optional<Level> need,
                                      const http::ErrorShape* shape = nullptr);

  // Wraps the route's handler with the rate limits of its class and Check; the same before its
  // body is read, spending nothing then (the handler's pass spends, once per request).
  // `limited_status`: what a request over a rate limit is answered (429; an API whose clients
  // must never see 429 says 503, also with Retry-After).
  void Protect(http::Route& route, std::optional<Level> need, http::ErrorShape shape = nullptr,
               int limited_status = 429);

 private:
  struct Admission {
    std::optional<Level> need;
    http::ErrorShape shape;
    RateClass rate_class;
    int limited_status;
  };
  std::optional<http::Response> Admit(http::Request& req, const Admission& a, bool spend);

  AccessTokenVerifier& verifier_;
  RateGuard* rates_;
};

}  // namespace sfapid::api
