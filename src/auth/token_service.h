// The OAuth2 token endpoint's logic (client credentials with a private-key JWT assertion, RFC
// 7523): checks an assertion against the registered client and issues a short-lived access token
// signed by the server. Every outcome is written to the audit trail.
#pragma once

#include <string>
#include <variant>

#include "auth/client_registry.h"
#include "auth/signing_keys.h"
#include "config/config.h"
#include "store/auth_store.h"

namespace sfapid {

inline constexpr const char* kJwtBearerAssertionType =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

struct TokenRequest {
  std::string grant_type;
  std::string client_assertion_type;
  std::string client_assertion;
  std::string ip;
};

struct IssuedToken {
  std::string access_token;
  int64_t expires_in = 0;
  std::string scope;
};

// RFC 6749 §5.2.
struct OAuthError {
  int http_status = 400;
  std::string error;
  std::string description;
};

class TokenService {
 public:
  TokenService(const Config& config, ClientRegistry& clients, SigningKeys& keys, AuthStore& store)
      : config_(config), clients_(clients), keys_(keys), store_(store) {}

  std::variant<IssuedToken, OAuthError> Issue(const TokenRequest& request);

 private:
  std::variant<IssuedToken, OAuthError> Check(const TokenRequest& request, std::string& client_id,
                                              std::string& user);
  const Config& config_;
  ClientRegistry& clients_;
  SigningKeys& keys_;
  AuthStore& store_;
};

}  // namespace sfapid
