// The OpenAPI 3.1 document for one API: every documented route of the router under the API's
// prefix, with the component schemas the API files registered.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "http/router.h"

namespace sfapid::openapi {

struct ApiInfo {
  std::string title;
  std::string version;
  std::string description;
  std::string prefix;  // "/api/v1.2": paths in the document are relative to it
  // Paths whole ("/api/v2/facility") under a server at "/": the IRI's document, whose
  // conformance harness joins them to the bare host.
  bool full_paths = false;
  std::string security_scheme = "BearerAuth";
};

// Schemas every API shares: FastAPI's error shapes.
void AddErrorSchemas(boost::json::object& schemas);

boost::json::object BuildDocument(const ApiInfo& info, const http::Router& router,
                                  const boost::json::object& schemas);

// "/api/v1.2/utilities/ls/{machine}/{path:path}" → "/utilities/ls/{machine}/{path}"
std::string DocumentPath(const std::string& pattern, const std::string& prefix);

}  // namespace sfapid::openapi
