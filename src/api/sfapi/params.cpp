#include "api/sfapi/params.h"

#include "api/lax_scalars.h"

namespace sfapid::sfapi {

bool QueryBool(const http::Request& req, const char* name, bool fallback,
               std::optional<http::Response>& error) {
  const std::string* v = req.Query(name);
  if (!v) return fallback;
  auto b = api::ParseBool(*v);
  if (!b) {
    error = http::ValidationError({{"query", name},
                                   "Input should be a valid boolean, unable to interpret input",
                                   "bool_parsing"});
    return fallback;
  }
  return *b;
}

std::optional<int64_t> QueryInt(const http::Request& req, const char* name, int64_t min,
                                std::optional<http::Response>& error) {
  const std::string* v = req.Query(name);
  if (!v) return std::nullopt;
  auto n = api::ParseInt(*v);
  if (!n) {
    error = http::ValidationError({{"query", name},
                                   "Input should be a valid integer, unable to parse string as an "
                                   "integer",
                                   "int_parsing"});
    return std::nullopt;
  }
  if (*n < min) {
    error =
        http::ValidationError({{"query", name},
                               "Input should be greater than or equal to " + std::to_string(min),
                               "greater_than_equal"});
    return std::nullopt;
  }
  return n;
}

}  // namespace sfapid::sfapi
