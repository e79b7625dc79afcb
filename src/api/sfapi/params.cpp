#include "api/sfapi/params.h"

#include <algorithm>
#include <charconv>

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

std::optional<int64_t> ParseInt(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  int64_t v = 0;
  if (text.empty() || text.size() > 18) return std::nullopt;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> QueryInt(const http::Request& req, const char* name, int64_t min,
                                std::optional<http::Response>& error) {
  const std::string* v = req.Query(name);
  if (!v) return std::nullopt;
  auto n = ParseInt(*v);
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
