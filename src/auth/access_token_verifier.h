// Verifies the bearer tokens API calls carry. A token's signature is checked once and the result
// cached (a repeated token costs a hash lookup); what can change while a token lives — its expiry,
// its client being revoked or expired, the caller's IP — is checked on every call.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "auth/client_registry.h"
#include "auth/signing_keys.h"
#include "config/config.h"
#include "domain/principal.h"

namespace sfapid {

class AccessTokenVerifier {
 public:
  // server: where the server listens, which names the token URL and issuer unless auth does.
  AccessTokenVerifier(const AuthConfig& auth, const ServerConfig& server, ClientRegistry& clients,
                      SigningKeys& keys)
      : auth_(auth), server_(server), clients_(clients), keys_(keys) {}

  // Unauthenticated: the token is bad, expired, or its client no longer valid (401).
  // PermissionDenied: the token is good but this IP may not use it (403).
  Result<Principal> Verify(const std::string& token, const std::string& ip);

  // Where the tokens this accepts come from, for a 401 to point a caller at.
  std::string TokenUrl() const { return sfapid::TokenUrl(server_, auth_); }

 private:
  struct Verified {
    Principal principal;
    int64_t exp = 0;
  };
  Result<Verified> VerifySignature(const std::string& token);

  const AuthConfig& auth_;
  const ServerConfig& server_;
  ClientRegistry& clients_;
  SigningKeys& keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Verified> cache_;
};

}  // namespace sfapid
