#include "http/byte_range.h"

#include <charconv>

#include "http/header_value.h"

namespace sfapid::http {

namespace {

// Digits only (no sign, no space): what the RFC's 1*DIGIT allows.
std::optional<int64_t> Number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

bool UnitIsBytes(std::string_view unit) {
  if (unit.size() != 5) return false;
  for (size_t i = 0; i < 5; ++i)
    if ((unit[i] | 0x20) != "bytes"[i]) return false;
  return true;
}

}  // namespace

RangeAnswer ParseRange(std::string_view header, int64_t size) {
  const RangeAnswer whole;
  const size_t eq = header.find('=');
  if (eq == std::string_view::npos || !UnitIsBytes(TrimOws(header.substr(0, eq)))) return whole;
  const std::string_view spec = TrimOws(header.substr(eq + 1));
  if (spec.find(',') != std::string_view::npos) return whole;  // several ranges: the whole file
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  const std::string_view first_text = spec.substr(0, dash), last_text = spec.substr(dash + 1);
  const RangeAnswer unsatisfiable{RangeAnswer::Kind::kUnsatisfiable, {}};
  if (first_text.empty()) {  // "-N": the last N bytes
    const auto suffix = Number(last_text);
    if (!suffix) return whole;
    if (*suffix == 0 || size == 0) return unsatisfiable;
    return {RangeAnswer::Kind::kPart, {size - std::min(*suffix, size), size - 1}};
  }
  const auto first = Number(first_text);
  if (!first) return whole;
  std::optional<int64_t> last = size - 1;
  if (!last_text.empty()) {
    last = Number(last_text);
    if (!last || *last < *first) return whole;  // invalid: ignored
  }
  if (*first >= size) return unsatisfiable;
  return {RangeAnswer::Kind::kPart, {*first, std::min(*last, size - 1)}};
}

}  // namespace sfapid::http
