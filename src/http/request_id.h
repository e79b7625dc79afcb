// Request ids: each request has one, echoed in X-Request-ID, written in its access-log line and
// quoted in every 500, so that a user's report can be matched to the log.
#pragma once

#include <string>
#include <string_view>

namespace sfapid::http {

// 16 random hex digits.
std::string NewRequestId();

// A client's X-Request-ID is echoed when it is short and plain (1-128 letters, digits and -_.:);
// otherwise a new one is made, so that logs never carry a client's control characters.
bool UsableRequestId(std::string_view id);

}  // namespace sfapid::http
