#include "http/errors.h"

#include <boost/json.hpp>

namespace sfapid::http {

Response DetailError(int status, const std::string& detail) {
  return Response::Json(status, boost::json::object{{"detail", detail}});
}

Response ValidationError(const std::vector<FieldError>& errors) {
  boost::json::array detail;
  for (const auto& e : errors) {
    boost::json::array loc;
    for (const auto& l : e.loc) loc.emplace_back(l);
    detail.push_back(boost::json::object{{"loc", loc}, {"msg", e.msg}, {"type", e.type}});
  }
  return Response::Json(422, boost::json::object{{"detail", detail}});
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kNotFound:
      return 404;
    case Code::kInvalidArgument:
      return 400;
    case Code::kAlreadyExists:
    case Code::kFailedPrecondition:
      return 409;
    case Code::kPermissionDenied:
      return 403;
    case Code::kUnauthenticated:
      return 401;
    case Code::kUnavailable:
      return 503;
    case Code::kDeadlineExceeded:
      return 504;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

Response FromStatus(const Status& s) {
  return DetailError(HttpStatusFor(s.code()), s.ok() ? "OK" : s.message());
}

}  // namespace sfapid::http
