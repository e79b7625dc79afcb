// GET / (the sign-in and profile page) and its files under /web/assets/: static files from the web
// folder (web/pages), with the security headers of every web answer.
#include <memory>

#include "api/site/static_files.h"
#include "api/web/web_api.h"
#include "api/web/web_security.h"

namespace sfapid::web {

void AddPageRoutes(WebContext& ctx) {
  const ServerConfig& server = ctx.config.server;
  auto files = std::make_shared<site::StaticFiles>(
      (server.web_root.empty() ? std::string(SFAPID_WEB_DIR) : server.web_root) + "/pages");
  ctx.router.Add({.method = "GET",
                  .pattern = "/",
                  .handler =
                      [files](http::Request&) {
                        http::Response r = files->Serve("index.html");
                        // The page is the same for everyone; what it shows comes from /web/api.
                        return Secured(std::move(r));
                      },
                  .execution = http::Execution::kBlocking,
                  .documented = false});
  ctx.router.Add({.method = "GET",
                  .pattern = "/web/assets/{file}",
                  .handler =
                      [files](http::Request& req) {
                        return Secured(files->Serve("assets/" + req.PathParam("file")));
                      },
                  .execution = http::Execution::kBlocking,
                  .documented = false});
}

void AddWebRoutes(WebContext& ctx) {
  AddStatusPage(ctx);
  if (!ctx.config.web.enabled) return;
  AddPageRoutes(ctx);
  AddSignInRoutes(ctx);
  AddProfileRoutes(ctx);
}

}  // namespace sfapid::web
