// Time points on the wire: ISO-8601 with a numeric UTC offset, as the SFAPI's datetimes are, and
// the parsing of the same forms from operators' command lines.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sfapid {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::seconds>;

TimePoint Now();
// Unix time in milliseconds (what the store keeps for sub-second schedules and claims).
int64_t NowUnixMs();

// "2026-11-27T17:23:33+00:00"
std::string FormatIso8601(TimePoint t);

// Accepts "YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM|±HHMM]", "YYYY-MM-DD HH:MM[:SS]..." and "YYYY-MM-DD".
// A time without an offset is UTC. Returns nullopt for anything else, including impossible dates.
std::optional<TimePoint> ParseIso8601(std::string_view text);

}  // namespace sfapid
