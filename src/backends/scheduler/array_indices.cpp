#include "backends/scheduler/array_indices.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>

namespace sfapid {

namespace {

std::optional<int64_t> Number(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Result<ArrayIndices> ParseArrayIndices(std::string_view v, int64_t max_index, size_t max_count) {
  ArrayIndices spec;
  const Status bad = Status::InvalidArgument("invalid job array index expression");
  if (const size_t pct = v.find('%'); pct != std::string_view::npos) {
    auto m = Number(v.substr(pct + 1));
    if (!m || *m < 1) return bad;
    spec.max_running = static_cast<int>(std::min<int64_t>(*m, max_index + 1));
    v = v.substr(0, pct);
  }
  std::set<int64_t> seen;
  while (!v.empty()) {
    const size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    int64_t step = 1;
    if (const size_t colon = item.find(':'); colon != std::string_view::npos) {
      auto s = Number(item.substr(colon + 1));
      if (!s || *s < 1) return bad;
      step = std::min<int64_t>(*s, max_index + 1);
      item = item.substr(0, colon);
    }
    int64_t first, last;
    if (const size_t dash = item.find('-'); dash != std::string_view::npos) {
      auto a = Number(item.substr(0, dash)), b = Number(item.substr(dash + 1));
      if (!a || !b || *a < 0 || *b < *a) return bad;
      first = *a;
      last = *b;
    } else {
      auto a = Number(item);
      if (!a || *a < 0) return bad;
      first = last = *a;
    }
    if (last > max_index) return Status::NotFound("job array index above the maximum");
    if (static_cast<size_t>((last - first) / step + 1) > max_count - seen.size())
      return Status::Unavailable("more job array indices than are listed one by one");
    for (int64_t i = first; i <= last; i += step) seen.insert(i);
  }
  if (seen.empty()) return bad;
  spec.indices.assign(seen.begin(), seen.end());
  return spec;
}

}  // namespace sfapid
