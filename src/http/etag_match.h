// If-None-Match (RFC 9110 §13.1.2): "*" or a list of entity tags, compared weakly (a W/ prefix on
// either side does not count), so a cache that holds several versions gets 304 for any of them.
#pragma once

#include <string_view>

namespace sfapid::http {

bool NoneMatchNames(std::string_view header, std::string_view etag);

}  // namespace sfapid::http
