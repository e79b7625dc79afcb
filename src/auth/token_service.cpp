#include "auth/token_service.h"

#include <openssl/rand.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "auth/jwt.h"
#include "util/base64.h"
#include "util/one_line.h"

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

// Lowercase hex SHA-256 of "header.claims", the part of a JWT its signature covers.
std::string SignedPartDigest(const std::string& jwt) {
  const size_t end = jwt.rfind('.');
  const std::string_view part = std::string_view(jwt).substr(0, end);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(part.data()), part.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

OAuthError TooFast(const std::string& who, int64_t wait) {
  return OAuthError{429, "temporarily_unavailable",
                    "too many token requests from " + who + "; try again in " +
                        std::to_string(wait) + " s (rate_limits)",
                    wait};
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

TokenService::TokenService(const AuthConfig& auth, const ServerConfig& server,
                           ClientRegistry& clients, SigningKeys& keys, AuthStore& store,
                           const RateLimit& limit, double burst_seconds)
    : auth_(auth),
      server_(server),
      clients_(clients),
      keys_(keys),
      store_(store),
      refusals_(auth.max_refusals_per_address, auth.refusal_window_seconds),
      client_rate_(limit.per_client, limit.per_client * burst_seconds),
      address_rate_(limit.per_address, limit.per_address * burst_seconds) {
  PruneAudit();
}

std::variant<IssuedToken, OAuthError> TokenService::Issue(const TokenRequest& request) {
  PruneAudit();  // cheap: a clock check, and a DELETE once an hour
  // An address that keeps being refused is answered unchecked until its window ends.
  if (const int64_t wait = refusals_.RetryAfterSeconds(request.ip); wait > 0)
    return OAuthError{429, "temporarily_unavailable",
                      "too many refused token requests from " + request.ip + "; try again in " +
                          std::to_string(wait) + " s",
                      wait};
  // Over the address's rate: answered before any check, like the refusals above (unaudited).
  if (const int64_t wait = address_rate_.Take(request.ip); wait > 0) {
    limited_addresses_.fetch_add(1, std::memory_order_relaxed);
    return TooFast("address " + request.ip, wait);
  }
  std::string client_id, user;
  auto result = Check(request, client_id, user);
  // A verified client over its rate gets no token (audited: it is a real client's request).
  if (std::holds_alternative<IssuedToken>(result))
    if (const int64_t wait = client_rate_.Take(client_id); wait > 0) {
      limited_clients_.fetch_add(1, std::memory_order_relaxed);
      result = TooFast("client " + client_id, wait);
    }
  Record(request, client_id, user, result);
  return result;
}

void TokenService::Record(const TokenRequest& request, const std::string& client_id,
                          const std::string& user,
                          const std::variant<IssuedToken, OAuthError>& result) {
  AuthAuditRecord audit{Now(), client_id, user, request.ip, "issued", ""};
  if (auto* e = std::get_if<OAuthError>(&result)) {
    audit.outcome = "refused";
    // The description may quote the request (a claimed client id): one line in the logs.
    audit.reason = OneLine(e->error + ": " + e->description);
    // A client over its rate limit was not guessing: it does not count toward the address's
    // refusals.
    const auto counted =
        e->http_status == 429 ? RefusalLimiter::Counted{} : refusals_.CountRefusal(request.ip);
    int64_t suppressed = 0;
    if (refusal_log_.Allow(suppressed))
      spdlog::warn("token refused: client={} user={} ip={} reason=\"{}\"{}",
                   client_id.empty() ? "-" : client_id, user.empty() ? "-" : user, request.ip,
                   audit.reason,
                   suppressed ? " (" + std::to_string(suppressed) + " refusals not logged)" : "");
    if (counted.now_limited) {
      audit.reason += "; " + std::to_string(counted.refusals_in_window) +
                      " refusals from this address: it is answered 429, unchecked and unaudited, "
                      "for the rest of auth.refusal_window_seconds";
      spdlog::warn("token requests from {} are refused unchecked for up to {:g} s: {} refusals",
                   request.ip, auth_.refusal_window_seconds, counted.refusals_in_window);
    }
  } else {
    spdlog::info("token issued: client={} user={} ip={} scope={}", client_id, user, request.ip,
                 std::get<IssuedToken>(result).scope);
    MarkUsed(client_id, audit.at);
  }
  if (Status s = store_.AppendAudit(audit); !s.ok())
    spdlog::error("audit write failed: {}", s.message());
}

void TokenService::MarkUsed(const std::string& client_id, TimePoint at) {
  {
    std::lock_guard lock(used_mu_);
    if (marked_used_.size() > 100000) marked_used_.clear();  // bounded; costs one write each
    auto [it, fresh] = marked_used_.try_emplace(client_id, at);
    if (!fresh && at - it->second < std::chrono::minutes(1)) return;
    it->second = at;
  }
  if (Status s = store_.MarkClientUsed(client_id, at); !s.ok())
    spdlog::error("noting client {} as used failed: {}", client_id, s.message());
}

void TokenService::PruneAudit() {
  if (!prune_gate_.Due()) return;
  const double days = auth_.audit_retention_days;
  if (days <= 0) return;
  auto pruned = store_.PruneAudit(Now() - std::chrono::seconds(static_cast<int64_t>(days * 86400)));
  if (!pruned)
    spdlog::error("pruning the token audit trail failed: {}", pruned.status().message());
  else if (*pruned > 0)
    spdlog::info("pruned {} token audit record(s) older than {:g} days", *pruned, days);
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
  if (r.client_assertion.size() > kMaxJwtBytes)
    return InvalidRequest("client_assertion is longer than " + std::to_string(kMaxJwtBytes) +
                          " bytes");

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

  const std::string token_url = TokenUrl(server_, auth_);
  if (!AudienceMatches(claims->if_contains("aud"), token_url))
    return InvalidClient("the assertion's aud must be the token endpoint, " + token_url);

  const int64_t t = now.time_since_epoch().count();
  const auto leeway = static_cast<int64_t>(auth_.clock_leeway_seconds);
  const auto exp = IntClaim(*claims, "exp");
  if (!exp) return InvalidClient("the assertion has no exp");
  if (*exp <= t - leeway) return InvalidClient("the assertion expired");
  if (*exp > t + static_cast<int64_t>(auth_.max_assertion_lifetime_seconds) + leeway)
    return InvalidClient(
        "the assertion's exp is too far ahead (at most " +
        std::to_string(static_cast<int64_t>(auth_.max_assertion_lifetime_seconds)) + " seconds)");
  for (const char* name : {"nbf", "iat"}) {
    const auto v = IntClaim(*claims, name);
    if (claims->if_contains(name) && !v)
      return InvalidClient(std::string("the assertion's ") + name + " is not a number");
    if (v && *v > t + leeway)
      return InvalidClient(std::string("the assertion's ") + name + " is in the future");
  }
  if (!client->AllowsIp(r.ip))
    return InvalidClient("requests from " + r.ip + " are not allowed for client " + client_id);

  // Every assertion is good for one token. One with a jti is remembered by it; one without (as
  // NERSC's token script makes them) by a digest of its signed part: the signature may be
  // re-encoded (ECDSA's s and n-s both verify), the signed header and claims may not.
  std::string replay_key;
  if (const json::value* jti = claims->if_contains("jti")) {
    if (!jti->is_string() || jti->as_string().empty() || jti->as_string().size() > 256)
      return InvalidClient("the assertion's jti must be a string of 1 to 256 characters");
    replay_key = std::string(jti->as_string());
  } else {
    replay_key = "sha256:" + SignedPartDigest(r.client_assertion);
  }
  auto fresh =
      store_.RememberAssertionId(client_id, replay_key, TimePoint{std::chrono::seconds{*exp}});
  if (!fresh) return OAuthError{400, "temporarily_unavailable", fresh.status().message()};
  if (!*fresh)
    return InvalidClient(
        claims->if_contains("jti")
            ? "the assertion was already used (replayed jti)"
            : "the assertion was already used: one without a jti is good for one token; make a "
              "new one (a later exp) or add a unique jti claim");

  auto signing = keys_.Current();
  if (!signing) return OAuthError{400, "temporarily_unavailable", "no signing key"};
  const int64_t lifetime = static_cast<int64_t>(auth_.access_token_lifetime_seconds);
  const std::string scope = ToString(client->record.level);
  json::object access{{"iss", Issuer(server_, auth_)},
                      {"sub", user},
                      {"client_id", client_id},
                      {"scope", scope},
                      {"iat", t},
                      {"exp", t + lifetime},
                      {"jti", RandomId()}};
  auto token = SignJwt(access, signing->key, signing->kid);
  if (!token) return OAuthError{400, "temporarily_unavailable", token.status().message()};
  return IssuedToken{std::move(token).value(), lifetime, scope};
}

}  // namespace sfapid
