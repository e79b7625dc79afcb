#include "api/lax_scalars.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace sfapid::api {

std::optional<bool> ParseBool(std::string_view text) {
  std::string t(text);
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t == "true" || t == "1" || t == "yes" || t == "on" || t == "t" || t == "y") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off" || t == "f" || t == "n") return false;
  return std::nullopt;
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

}  // namespace sfapid::api
