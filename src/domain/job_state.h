// A batch job's state, as Slurm names them (squeue's and sacct's STATE, the SFAPI's JobState).
// Schedulers keep and compare states as this enum; Slurm's text is made and read here only, so
// what users see (strings in every API answer) is unchanged.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace sfapid {

enum class JobState {
  kBootFail,
  kCancelled,
  kCompleted,
  kConfiguring,
  kCompleting,
  kDeadline,
  kFailed,
  kNodeFail,
  kOutOfMemory,
  kPending,
  kPreempted,
  kRunning,
  kResvDelHold,
  kRequeueFed,
  kRequeueHold,
  kRequeued,
  kResizing,
  kRevoked,
  kSignaling,
  kSpecialExit,
  kStageOut,
  kStopped,
  kSuspended,
  kTimeout,
};

// Every state, in the order of Slurm's names (the order the SFAPI's schema lists them).
std::span<const JobState> AllJobStates();

// Slurm's name: JobState::kOutOfMemory -> "OUT_OF_MEMORY".
std::string_view JobStateName(JobState state);
// squeue's short code: JobState::kPending -> "PD".
std::string_view JobStateCode(JobState state);
// The state Slurm's exact name stands for ("PENDING"); nullopt for any other text.
std::optional<JobState> ParseJobState(std::string_view name);
// The state a user's filter names: the full or short name in any case ("pd", "Pending").
std::optional<JobState> ParseJobStateLoosely(std::string_view name);
// The state at the head of sacct's STATE text ("CANCELLED by 1001" -> kCancelled).
std::optional<JobState> ParseSacctJobState(std::string_view text);

// Whether a job in this state has ended for good (it will not run again by itself).
bool IsTerminal(JobState state);

}  // namespace sfapid
