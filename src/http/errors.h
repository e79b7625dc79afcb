// Error answers in FastAPI's shapes, which the SFAPI clients parse: {"detail": "..."} for most
// errors and {"detail": [{"loc", "msg", "type"}]} (422) for validation errors.
#pragma once

#include <string>
#include <vector>

#include "http/message.h"
#include "util/status.h"

namespace sfapid::http {

// {"detail": detail} with the given status.
Response DetailError(int status, const std::string& detail);
inline Response NotFound(const std::string& detail = "Not Found") {
  return DetailError(404, detail);
}

// One entry of a 422 answer. loc is e.g. {"query", "sacct"} or {"body", "job"}.
struct FieldError {
  std::vector<std::string> loc;
  std::string msg;
  std::string type;
};
Response ValidationError(const std::vector<FieldError>& errors);
inline Response ValidationError(FieldError e) { return ValidationError(std::vector{std::move(e)}); }

// The HTTP status of a service's Status code (InvalidArgument: 400; APIs with a validation
// status of their own, like 422, map that one themselves).
int HttpStatusFor(Code code);
// Maps a service's Status onto the HTTP answer a client expects.
Response FromStatus(const Status& s);

}  // namespace sfapid::http
