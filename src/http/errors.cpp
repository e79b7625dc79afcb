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

Response FromStatus(const Status& s) {
  switch (s.code()) {
    case Code::kOk:
      return DetailError(200, "OK");
    case Code::kNotFound:
      return DetailError(404, s.message());
    case Code::kInvalidArgument:
      return DetailError(400, s.message());
    case Code::kAlreadyExists:
    case Code::kFailedPrecondition:
      return DetailError(409, s.message());
    case Code::kPermissionDenied:
      return DetailError(403, s.message());
    case Code::kUnauthenticated:
      return DetailError(401, s.message());
    case Code::kUnavailable:
      return DetailError(503, s.message());
    case Code::kInternal:
      return DetailError(500, s.message());
  }
  return DetailError(500, s.message());
}

}  // namespace sfapid::http
