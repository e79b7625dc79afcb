// The job vocabulary of spec §3, shared by every scheduler backend: the squeue and sacct field
// names every output row carries (in Slurm's order), and the job states with squeue's short codes.
#pragma once

#include <span>
#include <string_view>

namespace sfapid::slurm {

// Lower-cased headers of `squeue --format=%all`, including the empty one.
std::span<const std::string_view> SqueueFields();
// Lower-cased headers of `sacct --format=ALL -P`.
std::span<const std::string_view> SacctFields();
// Every JobState value the SFAPI's schema lists.
std::span<const std::string_view> JobStates();

// "PENDING" -> "PD", "RUNNING" -> "R", ...; "" for an unknown state.
std::string_view ShortState(std::string_view state);
// The state for a full or short name ("pd", "Pending", "PENDING" -> "PENDING"); "" if unknown.
std::string_view NormalizeState(std::string_view name);
// Whether a job in this state has ended.
bool IsTerminalState(std::string_view state);

// The order rows are listed in: by job id as a number, then array task ("9" < "10" < "10_2" <
// "10_10" < "10_[11-12]").
bool JobIdLess(std::string_view a, std::string_view b);

}  // namespace sfapid::slurm
