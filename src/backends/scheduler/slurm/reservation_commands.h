// Reservations as Slurm makes them: `scontrol create|update|delete reservation` and
// `scontrol -o show reservation`, run as sfapid (which needs Slurm's operator level), and what
// their output means. Values go to scontrol as one argv element per key=value, and each is
// checked first: only names Slurm itself accepts reach it, so nothing in a value can add a key.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/scheduler/scheduler.h"
#include "backends/scheduler/slurm/reservation_text.h"
#include "backends/scheduler/slurm/slurm_command.h"

namespace sfapid::slurm {

// The key=value arguments of `scontrol create reservation`: times in local time as scontrol
// reads them ("now" for a start already reached, which Slurm would refuse as a past time).
// InvalidArgument when a value is not one Slurm takes.
Result<std::vector<std::string>> CreateReservationArgs(const ReservationSpec& spec, int64_t now);
// The arguments of `scontrol update reservation` from `current` to `spec`: nodes, end and users;
// the start only when it moves (Slurm refuses any start for a reservation that has begun).
Result<std::vector<std::string>> UpdateReservationArgs(const ReservationSpec& spec,
                                                       const PlacedReservation& current,
                                                       int64_t now);

// Is the reservation Slurm holds the one `spec` asked for (same account, users and end)?
bool IsMadeFrom(const PlacedReservation& placed, const ReservationSpec& spec);

// What a failed scontrol said, as the Status the Scheduler interface promises: AlreadyExists for
// a name in use, Unavailable when slurmctld did not answer, InvalidArgument with Slurm's words.
Status ScontrolFailure(const CommandResult& r, std::string_view what);

// A name already in Slurm is taken over when it is this reservation (made before a crash), and
// refused with InvalidArgument when it is another.
Result<PlacedReservation> CreateReservation(SlurmCommands& commands, const ReservationSpec& spec,
                                            int64_t now);
Result<PlacedReservation> UpdateReservation(SlurmCommands& commands, const ReservationSpec& spec,
                                            int64_t now);
Status DeleteReservation(SlurmCommands& commands, const std::string& name, int64_t now);
Result<std::optional<PlacedReservation>> ShowReservation(SlurmCommands& commands,
                                                         const std::string& name, int64_t now);
Result<ReservationMap> ShowAllReservations(SlurmCommands& commands, int64_t now);
// The cluster's node count (`scontrol -o show node`, one line per node).
Result<int> CountNodes(SlurmCommands& commands);

}  // namespace sfapid::slurm
