// Slurm's ways of writing times, shared by every scheduler backend: durations as sbatch takes them
// (--time) and as squeue/sacct print them, --begin specifications, and the local timestamps
// squeue and sacct show ("2026-11-27T21:03:04").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sfapid::slurm {

inline constexpr int64_t kUnlimited = -1;

// sbatch --time: "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S", or "UNLIMITED"/"INFINITE"
// (kUnlimited). Seconds; nullopt when malformed.
std::optional<int64_t> ParseDuration(std::string_view text);

// squeue's time_limit / time / time_left: "5:03", "1:02:03", "2-01:02:03", "UNLIMITED".
std::string FormatDuration(int64_t seconds);
// sacct's elapsed / timelimit: always "HH:MM:SS", with "D-" in front past a day.
std::string FormatElapsed(int64_t seconds);
// A time limit as sfapid writes it for sbatch --time and scontrol's TimeLimit=: always
// "D-HH:MM:SS" ("0-01:30:00"), which both read whatever the size (Slurm rounds it up to minutes).
std::string FormatTimeLimit(int64_t seconds);

// sbatch --begin: "now+N[seconds|minutes|hours|days|weeks]", "HH:MM[:SS]" (today, or tomorrow
// when past), "YYYY-MM-DD[THH:MM[:SS]]", "today", "tomorrow", "midnight", "noon". Local time.
std::optional<int64_t> ParseBegin(std::string_view text, int64_t now);

// "2026-11-27T21:03:04" in local time, or `unset` for 0.
std::string FormatTimestamp(int64_t unix_seconds, std::string_view unset = "N/A");
// The other way (sacct's and squeue's times): Unix seconds; 0 for "Unknown", "None", "N/A", "".
int64_t ParseTimestamp(const std::string& text);

}  // namespace sfapid::slurm
