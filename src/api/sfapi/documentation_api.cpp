// /api/v1.2/openapi.json and the Swagger UI page at /api/v1.2/ (spec §1: Swagger UI at the base
// URL, the document beneath it).
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "api/openapi/document.h"
#include "api/sfapi/access_levels.h"
#include "api/sfapi/sfapi_api.h"
#include "api/site/static_files.h"
#include "http/errors.h"

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
  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/openapi.json",
       .handler =
           [document, once, &router, &schemas](http::Request&) {
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

  auto files = std::make_shared<site::StaticFiles>(
      ctx.server.web_root.empty() ? std::string(SFAPID_WEB_DIR) : ctx.server.web_root);
  ctx.router.Add({.method = "GET",
                  .pattern = p,
                  .handler = [files](http::Request&) { return files->Serve("swagger/index.html"); },
                  .execution = http::Execution::kBlocking,
                  .documented = false});
  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/static/{file}",
       .handler =
           [files](http::Request& req) { return files->Serve("swagger/" + req.PathParam("file")); },
       .execution = http::Execution::kBlocking,
       .documented = false});
  ctx.router.Add({.method = "GET",
                  .pattern = p + "/static/swagger-ui/{file}",
                  .handler =
                      [files](http::Request& req) {
                        return files->Serve("node_modules/swagger-ui-dist/" +
                                            req.PathParam("file"));
                      },
                  .execution = http::Execution::kBlocking,
                  .documented = false});
}

namespace {

// The key's refusals in the SFAPI's shapes: {"detail": ...}, 422 as a validation error on the
// header.
api::IdempotencyErrors SfapiIdempotencyErrors() {
  auto header_error = [](const http::Request&, const std::string& why) {
    return http::ValidationError({{"header", "Idempotency-Key"}, why, "value_error"});
  };
  return {.in_flight =
              [](const http::Request&, const std::string& why) {
                http::Response r = http::DetailError(409, why);
                r.headers.emplace_back("Retry-After", "2");
                return r;
              },
          .mismatch = header_error,
          .bad_key = header_error,
          .store = [](const http::Request&,
                      const std::string& why) { return http::DetailError(503, why); },
          .interrupted = [](const http::Request&,
                            const std::string& why) { return http::DetailError(409, why); }};
}

void DocumentIdempotencyKey(json::object& operation) {
  json::array* params = nullptr;
  if (auto* p = operation.if_contains("parameters"); p && p->is_array())
    params = &p->as_array();
  else
    params = &operation["parameters"].emplace_array();
  params->push_back(json::object{
      {"name", "Idempotency-Key"},
      {"in", "header"},
      {"required", false},
      {"description",
       "sfapid extension: any string up to 255 printable characters, e.g. a UUID. The same "
       "request again with the same key within [server] idempotency_hours gets the first reply "
       "(header Idempotency-Key-Reply: hit) instead of running again; another request with the "
       "key is 422; while the first still runs, 409 with Retry-After."},
      {"schema", json::object{{"type", "string"}, {"maxLength", 255}}}});
}

// Every route is rate-limited ([rate_limits], docs/security.md): its 429 in the document.
void DocumentRateLimit(json::object& operation) {
  json::value& responses = operation["responses"];
  if (!responses.is_object()) responses = json::object{};
  responses.as_object()["429"] = json::object{
      {"description",
       "Too Many Requests: the client or its address is over a rate limit for this kind of "
       "request; wait Retry-After seconds"},
      {"headers",
       json::object{{"Retry-After", json::object{{"schema", json::object{{"type", "integer"}}}}}}},
      {"content", json::object{{"application/json",
                                json::object{{"schema", json::object{{"$ref",
                                                                      "#/components/schemas/"
                                                                      "HTTPError"}}}}}}}};
}

// Puts every documented route behind the guard at its level from the one table, and shows the level
// in the OpenAPI document. A documented route missing from the table stops start-up.
void ApplyAccessLevels(ApiContext& ctx) {
  const std::string prefix = kPrefix;
  for (http::Route& route : ctx.router.mutable_routes()) {
    if (!route.documented || route.pattern.rfind(prefix, 0) != 0) continue;
    const AccessRule rule = AccessRuleFor(route.method, route.pattern.substr(prefix.size()));
    if (!rule.known) {
      std::fprintf(stderr, "route %s %s has no entry in access_levels.cpp\n", route.method.c_str(),
                   route.pattern.c_str());
      std::abort();
    }
    const char* level = rule.level ? ToString(*rule.level) : "public";
    route.operation["x-sfapi-level"] = level;
    route.operation["x-nersc-scope"] = level;
    if (rule.level)
      route.operation["security"] = json::array{json::object{{"BearerAuth", json::array{}}}};
    else
      route.operation["security"] = json::array{};
    if (rule.creates) {
      ctx.idempotent.Wrap(route, SfapiIdempotencyErrors(), {}, rule.after_interruption);
      DocumentIdempotencyKey(route.operation);
    }
    DocumentRateLimit(route.operation);
    ctx.guard.Protect(route, rule.level);  // outside: the key is the caller's, known first
  }
}

}  // namespace

void AddSfapiRoutes(ApiContext& ctx) {
  AddStatusRoutes(ctx);
  AddMetaRoutes(ctx);
  AddAccountRoutes(ctx);
  AddUtilitiesRoutes(ctx);
  AddLargeFileRoutes(ctx);
  AddComputeRoutes(ctx);
  AddReservationRoutes(ctx);
  AddTasksRoutes(ctx);
  AddStorageRoutes(ctx);
  AddEventRoutes(ctx);
  ApplyAccessLevels(ctx);
  AddDocumentationRoutes(ctx);  // last: it documents what came before
}

}  // namespace sfapid::sfapi
