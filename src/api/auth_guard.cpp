#include "api/auth_guard.h"

#include "http/errors.h"

namespace sfapid::api {

namespace {

http::Response InvalidToken(const std::string& why) {
  http::Response r = http::DetailError(401, why);
  std::string quoted;
  for (char c : why) quoted += (c == '"' || c == '\\') ? '\'' : c;
  r.headers.emplace_back("WWW-Authenticate",
                         "Bearer error=\"invalid_token\", error_description=\"" + quoted + "\"");
  return r;
}

}  // namespace

std::optional<http::Response> AuthGuard::Check(http::Request& req, std::optional<Level> need) {
  const std::string* header = req.Header("authorization");
  if (!header) {
    if (!need) return std::nullopt;
    // The body is what FastAPI answers and clients expect, word for word; the header tells a
    // newcomer where a token comes from (RFC 6750 allows extension parameters).
    http::Response r = http::DetailError(401, "Not authenticated");
    r.headers.emplace_back("WWW-Authenticate",
                           "Bearer realm=\"sfapid\", token_url=\"" + verifier_.TokenUrl() + "\"");
    return r;
  }
  const std::string& h = *header;
  if (h.size() < 8 || !(h[0] == 'B' || h[0] == 'b') || h.compare(1, 6, "earer ") != 0)
    return InvalidToken("the Authorization header must be 'Bearer <access token>'");
  std::string token = h.substr(7);
  while (!token.empty() && token.front() == ' ') token.erase(token.begin());
  auto principal = verifier_.Verify(token, req.remote_ip);
  if (!principal) {
    if (principal.status().code() == Code::kPermissionDenied)
      return http::DetailError(403, principal.status().message());
    return InvalidToken(principal.status().message());
  }
  if (need && !Allows(principal->level, *need))
    return http::DetailError(403, std::string("this endpoint needs a ") + ToString(*need) +
                                      " client or higher; client " + principal->client_id + " is " +
                                      ToString(principal->level));
  req.principal = std::move(principal).value();
  return std::nullopt;
}

void AuthGuard::Protect(http::Route& route, std::optional<Level> need) {
  route.precheck = [this, need](http::Request& req) { return Check(req, need); };
  route.handler = [this, need, inner = std::move(route.handler)](http::Request& req) {
    if (auto refused = Check(req, need)) return std::move(*refused);
    return inner(req);
  };
}

}  // namespace sfapid::api
