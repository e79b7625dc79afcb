// /api/v1.2/openapi.json and the Swagger UI page at /api/v1.2/ (spec §1: Swagger UI at the base
// URL, the document beneath it).
#include <boost/json.hpp>
#include <memory>

#include "api/openapi/document.h"
#include "api/sfapi/sfapi_api.h"
#include "api/site/static_files.h"

namespace sfapid::sfapi {

namespace json = boost::json;

void AddDocumentationRoutes(ApiContext& ctx) {
  openapi::AddErrorSchemas(ctx.schemas);
  const std::string p = kPrefix;
  // Rendered on first request, after every route is registered.
  auto document = std::make_shared<std::string>();
  auto once = std::make_shared<std::once_flag>();
  http::Router& router = ctx.router;
  const json::object& schemas = ctx.schemas;
  ctx.router.Add({.method = "GET",
                  .pattern = p + "/openapi.json",
                  .handler = [document, once, &router, &schemas](http::Request&) {
                    std::call_once(*once, [&] {
                      openapi::ApiInfo info{
                          "Superfacility API", "1.2",
                          "The NERSC Superfacility API v1.2, served by sfapid: status, accounts, "
                          "jobs, files, commands, tasks and transfers of an HPC facility.",
                          kPrefix};
                      *document = json::serialize(openapi::BuildDocument(info, router, schemas));
                    });
                    return http::Response::Text(200, *document, "application/json");
                  },
                  .documented = false});

  auto files = std::make_shared<site::StaticFiles>(ctx.config.server.web_root.empty()
                                                       ? std::string(SFAPID_WEB_DIR)
                                                       : ctx.config.server.web_root);
  ctx.router.Add({.method = "GET",
                  .pattern = p,
                  .handler = [files](http::Request&) { return files->Serve("swagger/index.html"); },
                  .execution = http::Execution::kBlocking,
                  .documented = false});
  ctx.router.Add({.method = "GET",
                  .pattern = p + "/static/{file}",
                  .handler = [files](http::Request& req) {
                    return files->Serve("swagger/" + req.PathParam("file"));
                  },
                  .execution = http::Execution::kBlocking,
                  .documented = false});
  ctx.router.Add({.method = "GET",
                  .pattern = p + "/static/swagger-ui/{file}",
                  .handler = [files](http::Request& req) {
                    return files->Serve("node_modules/swagger-ui-dist/" + req.PathParam("file"));
                  },
                  .execution = http::Execution::kBlocking,
                  .documented = false});
}

void AddSfapiRoutes(ApiContext& ctx) {
  AddStatusRoutes(ctx);
  AddMetaRoutes(ctx);
  AddDocumentationRoutes(ctx);  // last: it documents what came before
}

}  // namespace sfapid::sfapi
