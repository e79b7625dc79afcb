// What `scontrol -o show reservation` prints, read: the reservations Slurm holds. Apart from the
// commands that run scontrol (reservation_commands.h) so that it can be fuzzed on its own.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "backends/scheduler/scheduler.h"
#include "util/status.h"

namespace sfapid::slurm {

// One line of `scontrol -o show reservation`; nullopt for "Reservation NAME not found".
Result<std::optional<PlacedReservation>> ParseReservationLine(std::string_view line, int64_t now);

// Every reservation Slurm holds, by name: `scontrol -o show reservation` ("No reservations in
// the system" is none).
using ReservationMap = std::map<std::string, PlacedReservation>;
Result<ReservationMap> ParseReservationList(std::string_view text, int64_t now);

}  // namespace sfapid::slurm
