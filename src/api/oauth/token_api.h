// The OAuth2 endpoints beside the SFAPI: POST <token_path> (client credentials with a private-key
// JWT), the public keys at /oauth2/jwks, and discovery at /.well-known/openid-configuration.
#pragma once

#include "auth/signing_keys.h"
#include "auth/token_service.h"
#include "config/config.h"
#include "http/router.h"

namespace sfapid::oauth {

// server and auth: where the token endpoint is and the names discovery gives (issuer, URLs). By
// reference: the port is known only once the server has bound.
void AddTokenRoutes(http::Router& router, const ServerConfig& server, const AuthConfig& auth,
                    TokenService& tokens, SigningKeys& keys);

}  // namespace sfapid::oauth
