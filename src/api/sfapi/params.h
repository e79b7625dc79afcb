// Reading query and form values the way FastAPI (pydantic) does, with its 422 answers.
#pragma once

#include <optional>
#include <string>

#include "http/errors.h"
#include "http/form.h"
#include "http/message.h"

namespace sfapid::sfapi {

// true/false/1/0/yes/no/on/off/t/f/y/n, any case.
std::optional<bool> ParseBool(std::string_view text);

// A boolean query parameter; `error` is set to the 422 answer when present but not a boolean.
bool QueryBool(const http::Request& req, const char* name, bool fallback,
               std::optional<http::Response>& error);

// A whole-number query parameter of at least `min`; `error` is set to the 422 answer otherwise.
std::optional<int64_t> QueryInt(const http::Request& req, const char* name, int64_t min,
                                std::optional<http::Response>& error);
// A whole number as pydantic reads one ("12", " 12 "); nullopt otherwise.
std::optional<int64_t> ParseInt(std::string_view text);

// The request body as a form; the 422 answer when it cannot be parsed.
Result<http::Form> BodyForm(const http::Request& req);
http::Response FormError(const Status& s);

// 422 {"detail":[{"loc":["body",name],"msg":"Field required","type":"missing"}]}
http::Response MissingField(const char* where, const std::string& name);

}  // namespace sfapid::sfapi
