#include "api/iri/iri_route.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/iri/base_url.h"
#include "api/iri/problem.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

// Every operation documents exactly these answers besides its success (spec §1 "Errors"): the
// conformance harness fails any status an operation does not list.
constexpr int kDocumentedErrors[] = {304, 400, 401, 403, 404, 405, 409, 422, 500, 501, 503, 504};

const char* Describe(int status) {
  switch (status) {
    case 304:
      return "Not Modified: nothing changed since modified_since";
    case 400:
      return "Invalid parameter";
    case 401:
      return "Unauthorized: no valid bearer token";
    case 403:
      return "Forbidden: the token does not allow this";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict: a request with this Idempotency-Key is in flight, or the object's state "
             "does not allow the change";
    case 422:
      return "Unprocessable: an undeclared or repeated query parameter, or an Idempotency-Key "
             "reused for another request";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable: the scheduler does not answer, or the caller is over a rate "
             "limit (Retry-After)";
    default:
      return "Gateway Timeout";
  }
}

json::object ResponseDoc(const json::value& schema, const char* description) {
  json::object r{{"description", description}};
  if (!schema.is_null())
    r["content"] = json::object{{"application/json", json::object{{"schema", schema}}}};
  return r;
}

json::object OperationDoc(const IriRoute& r, Access access) {
  json::array parameters;
  for (const auto& [name, description] : r.path_params)
    parameters.push_back(json::object{{"name", name},
                                      {"in", "path"},
                                      {"required", true},
                                      {"description", description},
                                      {"schema", json::object{{"type", "string"}}}});
  for (auto& p : QueryParameterDocs(r.query)) parameters.push_back(std::move(p));
  if (r.idempotency_key)
    parameters.push_back(json::object{
        {"name", "Idempotency-Key"},
        {"in", "header"},
        {"required", false},
        {"description",
         "A client-chosen key (a UUID): a retry with the same key and body gets the first reply "
         "(Idempotency-Key-Reply: hit) instead of acting again"},
        {"schema", json::object{{"anyOf", json::array{json::object{{"type", "string"}},
                                                      json::object{{"type", "null"}}}}}}});
  json::object responses;
  json::object success = ResponseDoc(r.answer, "Successful Response");
  if (r.idempotency_key)
    success["headers"] = json::object{
        {"Idempotency-Key-Reply",
         json::object{{"description", "hit: a stored reply replayed; miss: the request ran"},
                      {"schema", json::object{{"type", "string"}, {"enum", {"hit", "miss"}}}}}}};
  responses[std::to_string(r.success)] = std::move(success);
  for (int status : kDocumentedErrors) {
    json::object e = status == 304 ? json::object{{"description", Describe(status)}}
                                   : ResponseDoc(SchemaRef("Problem"), Describe(status));
    if (status == 401)
      e["headers"] = json::object{
          {"WWW-Authenticate", json::object{{"schema", json::object{{"type", "string"}}}}}};
    if (status == 405)
      e["headers"] =
          json::object{{"Allow", json::object{{"schema", json::object{{"type", "string"}}}}}};
    if (status == 409 || status == 503)
      e["headers"] = json::object{
          {"Retry-After", json::object{{"schema", json::object{{"type", "integer"}}}}}};
    responses[std::to_string(status)] = std::move(e);
  }
  json::object op{{"tags", json::array{json::string(r.tag)}},
                  {"summary", r.summary},
                  {"operationId", r.operation_id},
                  {"parameters", std::move(parameters)},
                  {"responses", std::move(responses)},
                  {"x-iri", json::object{{"maturity", r.maturity},
                                         {"implementation", {{"level", r.implementation}}}}}};
  if (!r.body.is_null())
    op["requestBody"] =
        json::object{{"required", r.body_required},
                     {"content", json::object{{r.body_media, json::object{{"schema", r.body}}}}}};
  if (access != Access::kPublic)
    op["security"] = json::array{json::object{{"HTTPBearer", json::array{}}}};
  return op;
}

}  // namespace

json::object SchemaRef(const std::string& name) {
  return json::object{{"$ref", "#/components/schemas/" + name}};
}

json::object ListOf(const std::string& name) {
  return json::object{{"type", "array"}, {"items", SchemaRef(name)}};
}

void AddRoute(IriContext& ctx, Access access, IriRoute r) {
  json::object doc = OperationDoc(r, access);
  http::Handler handler = [query = r.query, inner = std::move(r.handler)](http::Request& req) {
    auto checked = CheckQuery(req, query);
    if (auto* refused = std::get_if<http::Response>(&checked)) return std::move(*refused);
    return inner(req, std::get<QueryValues>(checked));
  };
  http::Route& route = ctx.router.Add({.method = r.method,
                                       .pattern = std::string(kPrefix) + r.path,
                                       .handler = std::move(handler),
                                       .execution = r.execution,
                                       .max_body_bytes = r.max_body_bytes,
                                       .operation = std::move(doc)});
  if (r.wrap) r.wrap(route);
  std::optional<Level> need;
  if (access == Access::kRead) need = Level::kGreen;
  if (access == Access::kChange) need = Level::kYellow;
  // Over a rate limit: 503 with Retry-After, as the spec allows no 429 (§1 "Errors").
  ctx.guard.Protect(
      route, need,
      [](const http::Request& req, int status, const std::string& detail) {
        return Problem(req, status, detail);
      },
      503);
}

}  // namespace sfapid::iri
