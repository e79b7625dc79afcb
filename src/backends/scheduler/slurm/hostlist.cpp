#include "backends/scheduler/slurm/hostlist.h"

#include <charconv>

namespace sfapid::slurm {

namespace {

// Splits at commas that are not inside brackets.
std::optional<std::vector<std::string_view>> TopLevelItems(std::string_view text) {
  std::vector<std::string_view> items;
  int depth = 0;
  size_t from = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ',';
    if (c == '[') ++depth;
    if (c == ']' && --depth < 0) return std::nullopt;
    if (c == ',' && depth == 0) {
      if (i > from) items.push_back(text.substr(from, i - from));
      from = i + 1;
    }
  }
  if (depth != 0) return std::nullopt;
  return items;
}

std::optional<unsigned long> Number(std::string_view digits) {
  unsigned long n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
    return std::nullopt;
  return n;
}

// "001-003" or "7" inside brackets: each number, zero-padded to the width of the first.
bool AppendRange(std::string_view range, const std::string& prefix, const std::string& suffix,
                 size_t limit, std::vector<std::string>& out) {
  const size_t dash = range.find('-');
  const std::string_view first = range.substr(0, dash);
  const auto lo = Number(first);
  const auto hi = dash == std::string_view::npos ? lo : Number(range.substr(dash + 1));
  if (!lo || !hi || *hi < *lo || *hi - *lo >= limit) return false;
  for (unsigned long n = *lo; n <= *hi; ++n) {
    if (out.size() >= limit) return false;
    std::string digits = std::to_string(n);
    if (digits.size() < first.size()) digits.insert(0, first.size() - digits.size(), '0');
    out.push_back(prefix + digits + suffix);
  }
  return true;
}

}  // namespace

std::optional<std::vector<std::string>> ExpandHostlist(std::string_view text, size_t limit) {
  std::vector<std::string> out;
  if (text.empty() || text == "(null)") return out;
  auto items = TopLevelItems(text);
  if (!items) return std::nullopt;
  for (std::string_view item : *items) {
    const size_t open = item.find('[');
    if (open == std::string_view::npos) {
      if (out.size() >= limit) return std::nullopt;
      out.emplace_back(item);
      continue;
    }
    const size_t close = item.find(']', open);
    // One bracket group per name, as Slurm writes a one-dimensional cluster's names.
    if (close == std::string_view::npos || item.find('[', open + 1) < close ||
        item.find_first_of("[]", close + 1) != std::string_view::npos)
      return std::nullopt;
    const std::string prefix(item.substr(0, open)), suffix(item.substr(close + 1));
    auto ranges = TopLevelItems(item.substr(open + 1, close - open - 1));
    if (!ranges || ranges->empty()) return std::nullopt;
    for (std::string_view range : *ranges)
      if (!AppendRange(range, prefix, suffix, limit, out)) return std::nullopt;
  }
  return out;
}

}  // namespace sfapid::slurm
