// RFC 9457 problem details, the IRI API's one error shape (spec §1 "Errors"):
// {"type", "status", "title", "detail", "instance"} as application/problem+json, with
// "invalid_params" [{name, reason}] for a 400 that names what was wrong.
#pragma once

#include <string>
#include <vector>

#include "http/message.h"
#include "util/status.h"

namespace sfapid::iri {

struct InvalidParam {
  std::string name;  // "limit", "body.resources.memory", ...
  std::string reason;
};

// A problem answer for `req` with the spec's title and type slug for `status`.
http::Response Problem(const http::Request& req, int status, const std::string& detail);
// 400 naming each bad parameter; detail is their reasons joined by ", ".
http::Response InvalidParams(const http::Request& req, const std::vector<InvalidParam>& params);
// A service's refusal in the IRI's words: NotFound 404, PermissionDenied 403, InvalidArgument and
// InvalidField 400 (a field named), FailedPrecondition 409, Unavailable 503, the rest 500.
http::Response FromStatus(const http::Request& req, const Status& s);

}  // namespace sfapid::iri
