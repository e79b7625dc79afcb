#include "api/auth_guard.h"

#include <memory>

#include "http/errors.h"

namespace sfapid::api {

namespace {

// The refusal in the API's shape, with its WWW-Authenticate header (RFC 6750) and no other.
http::Response Refusal(const http::Request& req, const http::ErrorShape* shape, int status,
                       const std::string& why, const std::string& challenge = "") {
  http::Response r = shape ? (*shape)(req, status, why) : http::DetailError(status, why);
  if (!challenge.empty()) {
    std::erase_if(r.headers, [](const auto& h) { return h.first == "WWW-Authenticate"; });
    r.headers.emplace_back("WWW-Authenticate", challenge);
  }
  return r;
}

http::Response InvalidToken(const http::Request& req, const http::ErrorShape* shape,
                            const std::string& why) {
  std::string quoted;
  for (char c : why) quoted += (c == '"' || c == '\\') ? '\'' : c;
  return Refusal(req, shape, 401, why,
                 "Bearer error=\"invalid_token\", error_description=\"" + quoted + "\"");
}

}  // namespace

std::optional<http::Response> AuthGuard::Check(http::Request& req, std::optional<Level> need,
                                               const http::ErrorShape* shape) {
  const std::string* header = req.Header("authorization");
  if (!header) {
    if (!need) return std::nullopt;
    // The body is what FastAPI answers and clients expect, word for word; the header tells a
    // newcomer where a token comes from (RFC 6750 allows extension parameters).
    return Refusal(req, shape, 401, "Not authenticated",
                   "Bearer realm=\"sfapid\", token_url=\"" + verifier_.TokenUrl() + "\"");
  }
  const std::string& h = *header;
  if (h.size() < 8 || !(h[0] == 'B' || h[0] == 'b') || h.compare(1, 6, "earer ") != 0)
    return InvalidToken(req, shape, "the Authorization header must be 'Bearer <access token>'");
  std::string token = h.substr(7);
  while (!token.empty() && token.front() == ' ') token.erase(token.begin());
  auto principal = verifier_.Verify(token, req.remote_ip);
  if (!principal) {
    if (principal.status().code() == Code::kPermissionDenied)
      return Refusal(req, shape, 403, principal.status().message());
    return InvalidToken(req, shape, principal.status().message());
  }
  if (need && !Allows(principal->level, *need))
    return Refusal(req, shape, 403,
                   std::string("this endpoint needs a ") + ToString(*need) +
                       " client or higher; client " + principal->client_id + " is " +
                       ToString(principal->level));
  req.principal = std::move(principal).value();
  return std::nullopt;
}

std::optional<http::Response> AuthGuard::Admit(http::Request& req, const Admission& a, bool spend) {
  const http::ErrorShape* shape = a.shape ? &a.shape : nullptr;
  const RateGuard::Ask ask{a.rate_class, spend, shape, a.limited_status};
  if (rates_)
    if (auto limited = rates_->CheckAddress(req, ask)) return limited;
  if (auto refused = Check(req, a.need, shape)) return refused;
  if (rates_) return rates_->CheckClient(req, ask);
  return std::nullopt;
}

void AuthGuard::Protect(http::Route& route, std::optional<Level> need, http::ErrorShape shape,
                        int limited_status) {
  auto a = std::make_shared<const Admission>(
      Admission{need, std::move(shape), RateClassOf(route.method, route.pattern), limited_status});
  route.precheck = [this, a](http::Request& req) { return Admit(req, *a, false); };
  route.handler = [this, a, inner = std::move(route.handler)](http::Request& req) {
    if (!req.admitted)
      if (auto refused = Admit(req, *a, true)) return std::move(*refused);
    return inner(req);
  };
  if (!route.at_once) return;
  // Tried first, so admitted (and counted) here, once: the handler, when it declines, does not
  // count the request again.
  route.at_once = [this, a, inner = std::move(route.at_once)](
                      http::Request& req) -> std::optional<http::Response> {
    if (auto refused = Admit(req, *a, true)) return refused;
    req.admitted = true;
    return inner(req);
  };
}

}  // namespace sfapid::api
