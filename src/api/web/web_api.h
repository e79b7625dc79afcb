// The web pages (docs/web.md): sign-in and the profile page at /, where users create and revoke
// their own API clients; the public status page at /status; their JSON calls under /web/api/.
// Siblings of api/sfapi/ over the same services; nothing here is part of the SFAPI document.
#pragma once

#include "auth/client_registry.h"
#include "config/config.h"
#include "core/accounts/account_service.h"
#include "core/status/status_service.h"
#include "core/web/api_access.h"
#include "core/web/first_factor.h"
#include "core/web/sign_in_service.h"
#include "core/web/web_sessions.h"
#include "http/router.h"

namespace sfapid::web {

struct WebContext {
  http::Router& router;
  const Config& config;
  WebSessions& sessions;
  SignInService& sign_in;
  FirstFactor& password;  // username + password (PAM)
  FirstFactor& link;      // one-time link (`sfapid web link`)
  ApiAccess& access;
  ClientRegistry& clients;
  AccountService& accounts;
  StatusService& status;
};

void AddWebRoutes(WebContext& ctx);

// Pieces of AddWebRoutes, one file each.
void AddSignInRoutes(WebContext& ctx);
void AddProfileRoutes(WebContext& ctx);
void AddStatusPage(WebContext& ctx);
void AddPageRoutes(WebContext& ctx);

}  // namespace sfapid::web
