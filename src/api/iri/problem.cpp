#include "api/iri/problem.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cctype>

#include "api/iri/base_url.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

struct Kind {
  const char* title;
  const char* slug;
};

// The reference implementation's titles and slugs (spec §1 "Errors").
Kind KindOf(int status) {
  switch (status) {
    case 400:
      return {"Invalid parameter", "invalid-parameter"};
    case 401:
      return {"Unauthorized", "unauthorized"};
    case 403:
      return {"Forbidden", "forbidden"};
    case 404:
      return {"Not Found", "not-found"};
    case 405:
      return {"Method Not Allowed", "method-not-allowed"};
    case 409:
      return {"Conflict", "conflict"};
    case 500:
      return {"Internal Server Error", "internal-error"};
    case 503:
      return {"Service Unavailable", "service-unavailable"};
    case 504:
      return {"Gateway Timeout", "gateway-timeout"};
    default:
      return {"Error", "generic-error"};
  }
}

// "http://host" of the request: problem types are URIs on the server that answered.
std::string Origin(const http::Request& req) {
  const std::string* host = req.Header("host");
  return "http://" + (host && UsableHost(*host) ? *host : std::string("localhost"));
}

http::Response Render(const http::Request& req, int status, const std::string& detail,
                      json::object extra) {
  const Kind kind = KindOf(status);
  json::object o{{"type", Origin(req) + "/problems/" + kind.slug},
                 {"status", status},
                 {"title", kind.title},
                 {"detail", detail},
                 {"instance", Origin(req) + (req.target.empty() ? std::string("/") : req.target)}};
  for (auto& [k, v] : extra) o[k] = std::move(v);
  http::Response r = http::Response::Json(status, std::move(o));
  r.content_type = "application/problem+json";
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace

http::Response Problem(const http::Request& req, int status, const std::string& detail) {
  return Render(req, status, detail, {});
}

http::Response InvalidParams(const http::Request& req, const std::vector<InvalidParam>& params) {
  json::array list;
  std::string detail;
  for (const auto& p : params) {
    list.push_back(json::object{{"name", p.name}, {"reason", p.reason}});
    if (!detail.empty()) detail += ", ";
    detail += p.name;
    detail += ": ";
    detail += p.reason;
  }
  return Render(req, 400, detail, json::object{{"invalid_params", std::move(list)}});
}

http::Response FromStatus(const http::Request& req, const Status& s) {
  switch (s.code()) {
    case Code::kNotFound:
      return Problem(req, 404, s.message());
    case Code::kPermissionDenied:
      return Problem(req, 403, s.message());
    case Code::kInvalidArgument:
      if (!s.field().empty()) return InvalidParams(req, {{s.field(), s.message()}});
      return Problem(req, 400, s.message());
    case Code::kFailedPrecondition:
    case Code::kAlreadyExists:
      return Problem(req, 409, s.message());
    case Code::kUnavailable:
    case Code::kDeadlineExceeded:  // the spec's error set has no 504
      return Problem(req, 503, s.message());
    default:
      return Problem(req, 500, s.message());
  }
}

}  // namespace sfapid::iri
