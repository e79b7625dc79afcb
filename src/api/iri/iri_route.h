// One IRI operation declared once: path, operationId, query parameters, body, success answer and
// who may call it. AddRoute registers the route with its query check, its authentication and its
// OpenAPI operation object, so the document and the behaviour cannot drift apart.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "api/iri/iri_api.h"
#include "api/iri/query_rules.h"

namespace sfapid::iri {

// Who may call an operation: anyone (the spec's public operations), a token of any level (reads),
// a yellow token or higher (changes: jobs, files).
enum class Access { kPublic, kRead, kChange };

struct IriRoute {
  std::string method;
  std::string path;  // relative to /api/v2, e.g. "/facility/sites/{site_id}"
  std::string operation_id;
  std::string tag;
  std::string summary;
  std::vector<std::pair<std::string, std::string>> path_params;  // name, description
  std::vector<QueryParam> query;
  boost::json::value body;  // the request body's schema; null: none
  bool body_required = true;
  std::string body_media = "application/json";
  int success = 200;
  boost::json::value answer;  // the success body's schema; null: none (204)
  std::string maturity = "production", implementation = "required";  // x-iri
  bool idempotency_key = false;  // documents the Idempotency-Key header
  http::Execution execution = http::Execution::kInline;
  std::size_t max_body_bytes = 0;
  std::function<http::Response(http::Request&, const QueryValues&)> handler;
  // Wraps the handler inside authentication (the caller is known), e.g. with Idempotency-Key.
  std::function<void(http::Route&)> wrap;
};

// Registers the operation.
void AddRoute(IriContext& ctx, Access access, IriRoute r);

// {"$ref": "#/components/schemas/<name>"} and an array of them.
boost::json::object SchemaRef(const std::string& name);
boost::json::object ListOf(const std::string& name);

}  // namespace sfapid::iri
