#include "util/split.h"

namespace sfapid {

std::vector<std::string> SplitList(std::string_view text, char separator) {
  std::vector<std::string> out;
  for (;;) {
    const size_t at = text.find(separator);
    if (std::string_view item = text.substr(0, at); !item.empty()) out.emplace_back(item);
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

}  // namespace sfapid
