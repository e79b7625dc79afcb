// The OAuth2 endpoints beside the SFAPI: POST <token_path> (client credentials with a private-key
// JWT), the public keys at /oauth2/jwks, and discovery at /.well-known/openid-configuration.
#pragma once

#include "auth/signing_keys.h"
#include "auth/token_service.h"
#include "config/config.h"
#include "http/router.h"

namespace sfapid::oauth {

void AddTokenRoutes(http::Router& router, const Config& config, TokenService& tokens,
                    SigningKeys& keys);

}  // namespace sfapid::oauth
