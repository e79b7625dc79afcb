// What of a request target the access log may show: the path, and only query parameters known to
// carry no credentials. The token endpoint takes an assertion in the query string and clients put
// access_token there, whatever the method; the rest shows as "(redacted)".
#pragma once

#include <string>
#include <string_view>

namespace sfapid::http {

std::string TargetForLog(std::string_view target);

}  // namespace sfapid::http
