// Text put into HTML pages: every value from a store or a user goes through Escape.
#pragma once

#include <string>
#include <string_view>

namespace sfapid::web {

std::string Escape(std::string_view text);
// The page frame every server-made page shares: the stylesheet, the header and `body`.
std::string Page(const std::string& title, const std::string& body);

}  // namespace sfapid::web
