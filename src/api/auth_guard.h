// Authentication at the API edge: reads the bearer token, asks the verifier who is calling, and
// answers 401/403 in the shapes clients understand (never 429 or 5xx, which clients retry).
#pragma once

#include <optional>

#include "auth/access_token_verifier.h"
#include "domain/level.h"
#include "http/router.h"

namespace sfapid::api {

class AuthGuard {
 public:
  explicit AuthGuard(AccessTokenVerifier& verifier) : verifier_(verifier) {}

  // nullopt when the request may go on (req.principal is set when a token was given). `need`
  // empty: a public route, where a token is optional but, when given, must be valid.
  // `shape`: the API's error shape (null: FastAPI's {"detail": ...}, which SFAPI clients parse).
  std::optional<http::Response> Check(http::Request& req, std::optional<Level> need,
                                      const http::ErrorShape* shape = nullptr);

  // Wraps the route's handler with Check.
  void Protect(http::Route& route, std::optional<Level> need, http::ErrorShape shape = nullptr);

 private:
  AccessTokenVerifier& verifier_;
};

}  // namespace sfapid::api
