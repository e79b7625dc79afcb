#include "util/byte_size.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sfapid {

std::optional<int64_t> ParseByteSize(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  const std::string s(text);
  char* end = nullptr;
  const double number = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || number < 0 || !std::isfinite(number)) return std::nullopt;
  std::string_view unit(end);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  double scale = 1;
  if (!unit.empty()) {
    const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(unit.front())));
    const std::string_view units = "KMGTP";
    const size_t at = units.find(u);
    if (at != std::string_view::npos) {
      scale = std::pow(1024.0, static_cast<double>(at + 1));
      unit.remove_prefix(1);
      if (unit == "iB" || unit == "ib" || unit == "B" || unit == "b") unit = {};
    } else if (unit == "B" || unit == "b") {
      unit = {};
    }
  }
  if (!unit.empty()) return std::nullopt;
  const double bytes = number * scale;
  if (bytes > 9.0e18) return std::nullopt;
  return static_cast<int64_t>(std::llround(bytes));
}

std::string FormatByteSize(double bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 6) bytes /= 1024, ++unit;
  char buf[48];
  if (unit == 0)
    std::snprintf(buf, sizeof buf, "%.0f B", bytes);
  else
    std::snprintf(buf, sizeof buf, "%.2f %s", bytes, kUnits[unit]);
  return buf;
}

}  // namespace sfapid
