#include "auth/access_token_verifier.h"

#include "auth/jwt.h"

namespace sfapid {

Result<AccessTokenVerifier::Verified> AccessTokenVerifier::VerifySignature(
    const std::string& token) {
  auto parts = ParseJwtUnverified(token);
  if (!parts) return Status::Unauthenticated("malformed token: " + parts.status().message());
  auto key = keys_.Find(parts->kid);
  if (!key) return Status::Unauthenticated("the token was not signed by this server (unknown kid)");
  auto claims = VerifyJwt(token, key->key);
  if (!claims) return Status::Unauthenticated("the token signature is invalid");
  if (StringClaim(*claims, "iss") != Issuer(server_, auth_))
    return Status::Unauthenticated("the token was issued for another server");
  const auto sub = StringClaim(*claims, "sub");
  const auto client_id = StringClaim(*claims, "client_id");
  const auto scope = StringClaim(*claims, "scope");
  const auto exp = IntClaim(*claims, "exp");
  const auto level = scope ? ParseLevel(*scope) : std::nullopt;
  if (!sub || !client_id || !level || !exp)
    return Status::Unauthenticated("the token lacks sub, client_id, scope or exp");
  return Verified{{*sub, *client_id, *level}, *exp};
}

Result<Principal> AccessTokenVerifier::Verify(const std::string& token, const std::string& ip) {
  std::optional<Verified> verified;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(token); it != cache_.end()) verified = it->second;
  }
  const TimePoint now = Now();
  if (!verified) {
    auto v = VerifySignature(token);
    if (!v) return v.status();
    verified = *v;
    std::lock_guard lock(mu_);
    // Bounded: when full, start over. Live tokens are re-verified once; expired ones are dropped.
    if (cache_.size() >= auth_.token_cache_entries) cache_.clear();
    cache_.emplace(token, *verified);
  }
  if (now.time_since_epoch().count() >= verified->exp)
    return Status::Unauthenticated("the token has expired");
  auto client = clients_.Find(verified->principal.client_id);
  // A token we signed for a client this process has not seen yet: made through another node (or
  // the CLI) since the last refresh. Only tokens with our own signature get here.
  if (!client) client = clients_.FindFresh(verified->principal.client_id);
  if (!client) return Status::Unauthenticated("the token's client no longer exists");
  if (client->record.revoked_at) return Status::Unauthenticated("the token's client was revoked");
  if (now >= client->record.expires_at)
    return Status::Unauthenticated("the token's client has expired");
  if (!client->AllowsIp(ip))
    return Status::PermissionDenied("requests from " + ip + " are not allowed for client " +
                                    verified->principal.client_id);
  return verified->principal;
}

}  // namespace sfapid
