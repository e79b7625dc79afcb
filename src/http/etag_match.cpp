#include "http/etag_match.h"

#include "http/header_value.h"

namespace sfapid::http {

namespace {

std::string_view Opaque(std::string_view tag) {
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  return tag;
}

}  // namespace

bool NoneMatchNames(std::string_view header, std::string_view etag) {
  header = TrimOws(header);
  if (header == "*") return true;
  const std::string_view want = Opaque(etag);
  // Entity tags are quoted and cannot hold a '"' themselves, so a comma between them separates.
  while (!header.empty()) {
    const size_t comma = header.find(',');
    if (Opaque(TrimOws(header.substr(0, comma))) == want) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace sfapid::http
