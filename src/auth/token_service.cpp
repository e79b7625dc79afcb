#include "auth/token_service.h"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "auth/jwt.h"
#include "util/base64.h"

namespace sfapid {

namespace json = boost::json;

namespace {

OAuthError InvalidClient(std::string why) { return {401, "invalid_client", std::move(why)}; }
OAuthError InvalidRequest(std::string why) { return {400, "invalid_request", std::move(why)}; }

std::string RandomId() {
  unsigned char bytes[18];
  RAND_bytes(bytes, sizeof bytes);
  return Base64UrlEncode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

bool AudienceMatches(const json::value* aud, const std::string& url) {
  auto same = [&](json::string_view a) {
    std::string_view x = a, y = url;
    if (!x.empty() && x.back() == '/') x.remove_suffix(1);
    if (!y.empty() && y.back() == '/') y.remove_suffix(1);
    return x == y;
  };
  if (!aud) return false;
  if (aud->is_string()) return same(aud->as_string());
  if (aud->is_array())
    for (const auto& a : aud->as_array())
      if (a.is_string() && same(a.as_string())) return true;
  return false;
}

}  // namespace

std::variant<IssuedToken, OAuthError> TokenService::Issue(const TokenRequest& request) {
  std::string client_id, user;
  auto result = Check(request, client_id, user);
  AuthAuditRecord audit{Now(), client_id, user, request.ip, "issued", ""};
  if (auto* e = std::get_if<OAuthError>(&result)) {
    audit.outcome = "refused";
    audit.reason = e->error + ": " + e->description;
    spdlog::warn("token refused: client={} user={} ip={} reason=\"{}\"",
                 client_id.empty() ? "-" : client_id, user.empty() ? "-" : user, request.ip,
                 audit.reason);
  } else {
    spdlog::info("token issued: client={} user={} ip={} scope={}", client_id, user, request.ip,
                 std::get<IssuedToken>(result).scope);
  }
  if (Status s = store_.AppendAudit(audit); !s.ok())
    spdlog::error("audit write failed: {}", s.message());
  return result;
}

std::variant<IssuedToken, OAuthError> TokenService::Check(const TokenRequest& r,
                                                          std::string& client_id,
                                                          std::string& user) {
  if (r.grant_type != "client_credentials")
    return OAuthError{
        400, "unsupported_grant_type",
        "grant_type must be client_credentials, not '" + r.grant_type.substr(0, 64) + "'"};
  if (r.client_assertion_type != kJwtBearerAssertionType)
    return InvalidRequest(std::string("client_assertion_type must be ") + kJwtBearerAssertionType);
  if (r.client_assertion.empty()) return InvalidRequest("client_assertion is missing");

  auto parts = ParseJwtUnverified(r.client_assertion);
  if (!parts) return InvalidRequest("malformed client_assertion: " + parts.status().message());
  const auto iss = StringClaim(parts->claims, "iss");
  const auto sub = StringClaim(parts->claims, "sub");
  if (!iss || !sub || *iss != *sub)
    return InvalidClient("the assertion's iss and sub must both be the client id");
  if (!IsValidClientId(*iss))
    return InvalidClient("'" + iss->substr(0, 64) + "' is not a client id");
  client_id = *iss;

  auto client = clients_.FindFresh(client_id);
  if (!client) return InvalidClient("unknown client " + client_id);
  user = client->record.owner;

  auto claims = VerifyJwt(r.client_assertion, client->key);
  if (!claims) return InvalidClient(claims.status().message());

  const TimePoint now = Now();
  if (client->record.revoked_at) return InvalidClient("client " + client_id + " was revoked");
  if (now >= client->record.expires_at)
    return InvalidClient("client " + client_id + " expired at " +
                         FormatIso8601(client->record.expires_at));

  const std::string token_url = config_.TokenUrl();
  if (!AudienceMatches(claims->if_contains("aud"), token_url))
    return InvalidClient("the assertion's aud must be the token endpoint, " + token_url);

  const int64_t t = now.time_since_epoch().count();
  const auto leeway = static_cast<int64_t>(config_.auth.clock_leeway_seconds);
  const auto exp = IntClaim(*claims, "exp");
  if (!exp) return InvalidClient("the assertion has no exp");
  if (*exp <= t - leeway) return InvalidClient("the assertion expired");
  if (*exp > t + static_cast<int64_t>(config_.auth.max_assertion_lifetime_seconds) + leeway)
    return InvalidClient(
        "the assertion's exp is too far ahead (at most " +
        std::to_string(static_cast<int64_t>(config_.auth.max_assertion_lifetime_seconds)) +
        " seconds)");
  for (const char* name : {"nbf", "iat"}) {
    const auto v = IntClaim(*claims, name);
    if (claims->if_contains(name) && !v)
      return InvalidClient(std::string("the assertion's ") + name + " is not a number");
    if (v && *v > t + leeway)
      return InvalidClient(std::string("the assertion's ") + name + " is in the future");
  }
  if (!client->AllowsIp(r.ip))
    return InvalidClient("requests from " + r.ip + " are not allowed for client " + client_id);

  if (const json::value* jti = claims->if_contains("jti")) {
    if (!jti->is_string() || jti->as_string().empty() || jti->as_string().size() > 256)
      return InvalidClient("the assertion's jti must be a string of 1 to 256 characters");
    auto fresh = store_.RememberAssertionId(client_id, std::string(jti->as_string()),
                                            TimePoint{std::chrono::seconds{*exp}});
    if (!fresh) return OAuthError{400, "temporarily_unavailable", fresh.status().message()};
    if (!*fresh) return InvalidClient("the assertion was already used (replayed jti)");
  }

  auto signing = keys_.Current();
  if (!signing) return OAuthError{400, "temporarily_unavailable", "no signing key"};
  const int64_t lifetime = static_cast<int64_t>(config_.auth.access_token_lifetime_seconds);
  const std::string scope = ToString(client->record.level);
  json::object access{{"iss", config_.Issuer()}, {"sub", user}, {"client_id", client_id},
                      {"scope", scope},          {"iat", t},    {"exp", t + lifetime},
                      {"jti", RandomId()}};
  auto token = SignJwt(access, signing->key, signing->kid);
  if (!token) return OAuthError{400, "temporarily_unavailable", token.status().message()};
  return IssuedToken{std::move(token).value(), lifetime, scope};
}

}  // namespace sfapid
