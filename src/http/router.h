// Routes: a method and a path pattern mapped to a handler, with the limits that apply to it and
// its OpenAPI description. Patterns have literal segments, "{name}" (one segment) and a trailing
// "{name:path}" that takes the rest of the path as it was sent, keeping a leading "//" and
// decoding "%2F" (clients build file paths both ways).
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"

namespace sfapid::http {

using Handler = std::function<Response(Request&)>;

// Where a handler runs. kInline: on the I/O thread (in-memory work only). kBlocking: on the pool
// for file, process, store and scheduler work, so the I/O threads never wait on it.
enum class Execution { kInline, kBlocking };

struct Route {
  std::string method;
  std::string pattern;  // e.g. "/status/{name}"
  Handler handler;
  Execution execution = Execution::kInline;
  // For a kBlocking route: tried first on the I/O thread, an answer it can give at once (from
  // memory, taking no lock another holds), or nullopt: the handler then runs on the pool. The
  // hop to the pool and back costs two thread wake-ups, as much as a small request's own work.
  std::function<std::optional<Response>(Request&)> at_once;
  std::size_t max_body_bytes = 0;  // 0: the server's default
  boost::json::object operation;   // OpenAPI operation object (summary, tags, parameters, ...)
  bool documented = true;          // false for routes outside the API document (assets, probes)
  // Runs after the headers and before the body is read (the body is empty then): an answer here
  // is sent without reading the body, so unauthenticated clients cannot make the server buffer
  // large uploads. Inline, on the I/O thread.
  std::function<std::optional<Response>(Request&)> precheck;

  // Parsed pattern.
  struct Segment {
    std::string text;  // literal text, or the parameter name
    enum Kind { kLiteral, kParam, kRestPath } kind = kLiteral;
  };
  std::vector<Segment> segments;
};

struct Match {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  bool method_not_allowed = false;   // the path exists with another method
  std::vector<std::string> allowed;  // the methods the path has (for a 405's Allow header)
  bool bad_escape = false;           // a path parameter had a malformed %-escape
};

// How an API words the errors the server gives before or around its handlers (no such route,
// another method, a malformed path or query, a handler that failed): status and what went wrong.
using ErrorShape =
    std::function<Response(const Request& req, int status, const std::string& detail)>;

class Router {
 public:
  // Registers a route; the pattern is parsed here. Aborts on a malformed pattern (a programming
  // error found at start-up, never at request time).
  Route& Add(Route route);

  // Matches a raw (undecoded) request path. A single trailing "/" is ignored, so "/status" and
  // "/status/" are the same route.
  Match Find(const std::string& method, std::string_view raw_path) const;

  const std::vector<Route>& routes() const { return routes_; }
  // For wrapping handlers after registration (authentication, levels).
  std::vector<Route>& mutable_routes() { return routes_; }

  // Errors for paths under `prefix` ("/api/v2") take this shape; elsewhere FastAPI's
  // {"detail": ...}, which the SFAPI clients parse.
  void SetErrorShape(std::string prefix, ErrorShape shape);
  // The error answer for a request to `path`, in the shape its API gives errors.
  Response Error(const Request& req, int status, const std::string& detail) const;
  // Whether a path has an error shape of its own (the server's query errors differ otherwise).
  bool HasErrorShape(std::string_view path) const;

 private:
  const ErrorShape* ShapeFor(std::string_view path) const;

  std::vector<Route> routes_;
  std::vector<std::pair<std::string, ErrorShape>> error_shapes_;
};

}  // namespace sfapid::http
