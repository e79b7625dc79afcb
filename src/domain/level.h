// Security levels of API clients ("colours"): green reads, yellow also changes things (jobs,
// uploads, groups, transfers), red also runs commands. A client may call a route when its level is
// at least the route's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sfapid {

enum class Level { kGreen = 0, kYellow = 1, kRed = 2 };

const char* ToString(Level level);
std::optional<Level> ParseLevel(std::string_view text);
inline bool Allows(Level have, Level need) {
  return static_cast<int>(have) >= static_cast<int>(need);
}

}  // namespace sfapid
