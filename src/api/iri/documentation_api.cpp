// The IRI v2 OpenAPI document at /api/v2/openapi.json (and /openapi.json, where the IRI
// conformance harness looks for it), Swagger UI at /api/v2, and AddIriRoutes.
#include <boost/json.hpp>
#include <memory>
#include <mutex>

#include "api/iri/base_url.h"
#include "api/iri/iri_api.h"
#include "api/iri/iri_schemas.h"
#include "api/iri/problem.h"
#include "api/openapi/document.h"
#include "api/site/static_files.h"

namespace sfapid::iri {

namespace json = boost::json;

void AddDocumentationRoutes(IriContext& ctx) {
  AddIriSchemas(ctx.schemas);
  // Rendered on first request, after every route is registered.
  auto document = std::make_shared<std::string>();
  auto once = std::make_shared<std::once_flag>();
  http::Handler serve = [document, once, &router = ctx.router,
                         &schemas = ctx.schemas](http::Request&) {
    std::call_once(*once, [&] {
      openapi::ApiInfo info{
          .title = "IRI Facility API",
          .version = "2.0.0",
          .description =
              "The DOE Integrated Research Infrastructure facility API v2, served by sfapid on "
              "the same services, tokens and jobs as its Superfacility API v1.2 (/api/v1.2). "
              "Tokens come from the OAuth2 token endpoint; reads need any client level, "
              "changes a yellow client or higher.",
          .prefix = kPrefix,
          .full_paths = true,
          .security_scheme = "HTTPBearer"};
      *document = json::serialize(openapi::BuildDocument(info, router, schemas));
    });
    return http::Response::Text(200, *document, "application/json");
  };
  const std::string p = kPrefix;
  ctx.router.Add(
      {.method = "GET", .pattern = p + "/openapi.json", .handler = serve, .documented = false});
  ctx.router.Add(
      {.method = "GET", .pattern = "/openapi.json", .handler = serve, .documented = false});
  auto files = std::make_shared<site::StaticFiles>(
      ctx.server.web_root.empty() ? std::string(SFAPID_WEB_DIR) : ctx.server.web_root);
  ctx.router.Add({.method = "GET",
                  .pattern = p,
                  .handler = [files](http::Request&) { return files->Serve("swagger/iri.html"); },
                  .execution = http::Execution::kBlocking,
                  .documented = false});
}

void AddIriRoutes(IriContext& ctx) {
  ctx.router.SetErrorShape(kPrefix,
                           [](const http::Request& req, int status, const std::string& detail) {
                             return Problem(req, status, detail);
                           });
  AddFacilityRoutes(ctx);
  AddStatusRoutes(ctx);
  AddAccountRoutes(ctx);
  AddComputeRoutes(ctx);
  AddFilesystemRoutes(ctx);
  AddStorageRoutes(ctx);
  AddTaskRoutes(ctx);
  AddDocumentationRoutes(ctx);  // last: it documents what came before
}

}  // namespace sfapid::iri
