#include "api/sfapi/params.h"

#include <algorithm>

namespace sfapid::sfapi {

std::optional<bool> ParseBool(std::string_view text) {
  std::string t(text);
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t == "true" || t == "1" || t == "yes" || t == "on" || t == "t" || t == "y") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off" || t == "f" || t == "n") return false;
  return std::nullopt;
}

bool QueryBool(const http::Request& req, const char* name, bool fallback,
               std::optional<http::Response>& error) {
  const std::string* v = req.Query(name);
  if (!v) return fallback;
  auto b = ParseBool(*v);
  if (!b) {
    error = http::ValidationError({{"query", name},
                                   "Input should be a valid boolean, unable to interpret input",
                                   "bool_parsing"});
    return fallback;
  }
  return *b;
}

Result<http::Form> BodyForm(const http::Request& req) {
  const std::string* type = req.Header("content-type");
  return http::ParseForm(type ? *type : "", req.body);
}

http::Response FormError(const Status& s) {
  return http::ValidationError({{"body"}, s.message(), "value_error"});
}

http::Response MissingField(const char* where, const std::string& name) {
  return http::ValidationError({{where, name}, "Field required", "missing"});
}

}  // namespace sfapid::sfapi
