// Reading query values the way FastAPI (pydantic) does, with its 422 answers. Form bodies are
// declared as request models (api/request_model.h).
#pragma once

#include <optional>
#include <string>

#include "http/errors.h"
#include "http/message.h"

namespace sfapid::sfapi {

// A boolean query parameter; `error` is set to the 422 answer when present but not a boolean.
bool QueryBool(const http::Request& req, const char* name, bool fallback,
               std::optional<http::Response>& error);

// A whole-number query parameter of at least `min`; `error` is set to the 422 answer otherwise.
std::optional<int64_t> QueryInt(const http::Request& req, const char* name, int64_t min,
                                std::optional<http::Response>& error);

}  // namespace sfapid::sfapi
