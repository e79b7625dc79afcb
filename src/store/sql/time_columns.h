// Time points are stored as Unix seconds (INTEGER columns).
#pragma once

#include <cstdint>

#include "util/time_format.h"

namespace sfapid::sql {

inline TimePoint FromUnix(int64_t s) { return TimePoint{std::chrono::seconds{s}}; }
inline int64_t ToUnix(TimePoint t) { return t.time_since_epoch().count(); }

}  // namespace sfapid::sql
