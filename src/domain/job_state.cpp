#include "domain/job_state.h"

#include <array>
#include <cctype>
#include <string>

namespace sfapid {

namespace {

struct StateText {
  JobState state;
  std::string_view name, code;
};

// The one table of Slurm's words for each state, in the enum's order.
constexpr std::array<StateText, 24> kStates = {{
    {JobState::kBootFail, "BOOT_FAIL", "BF"},
    {JobState::kCancelled, "CANCELLED", "CA"},
    {JobState::kCompleted, "COMPLETED", "CD"},
    {JobState::kConfiguring, "CONFIGURING", "CF"},
    {JobState::kCompleting, "COMPLETING", "CG"},
    {JobState::kDeadline, "DEADLINE", "DL"},
    {JobState::kFailed, "FAILED", "F"},
    {JobState::kNodeFail, "NODE_FAIL", "NF"},
    {JobState::kOutOfMemory, "OUT_OF_MEMORY", "OOM"},
    {JobState::kPending, "PENDING", "PD"},
    {JobState::kPreempted, "PREEMPTED", "PR"},
    {JobState::kRunning, "RUNNING", "R"},
    {JobState::kResvDelHold, "RESV_DEL_HOLD", "RD"},
    {JobState::kRequeueFed, "REQUEUE_FED", "RF"},
    {JobState::kRequeueHold, "REQUEUE_HOLD", "RH"},
    {JobState::kRequeued, "REQUEUED", "RQ"},
    {JobState::kResizing, "RESIZING", "RS"},
    {JobState::kRevoked, "REVOKED", "RV"},
    {JobState::kSignaling, "SIGNALING", "SI"},
    {JobState::kSpecialExit, "SPECIAL_EXIT", "SE"},
    {JobState::kStageOut, "STAGE_OUT", "SO"},
    {JobState::kStopped, "STOPPED", "ST"},
    {JobState::kSuspended, "SUSPENDED", "S"},
    {JobState::kTimeout, "TIMEOUT", "TO"},
}};

constexpr bool TableInEnumOrder() {
  for (size_t i = 0; i < kStates.size(); ++i)
    if (static_cast<size_t>(kStates[i].state) != i) return false;
  return true;
}
static_assert(TableInEnumOrder(), "kStates is indexed by JobState");

constexpr auto MakeAll() {
  std::array<JobState, kStates.size()> all{};
  for (size_t i = 0; i < all.size(); ++i) all[i] = kStates[i].state;
  return all;
}
constexpr auto kAll = MakeAll();

const StateText& Text(JobState state) { return kStates[static_cast<size_t>(state)]; }

}  // namespace

std::span<const JobState> AllJobStates() { return kAll; }

std::string_view JobStateName(JobState state) { return Text(state).name; }

std::string_view JobStateCode(JobState state) { return Text(state).code; }

std::optional<JobState> ParseJobState(std::string_view name) {
  for (const auto& s : kStates)
    if (s.name == name) return s.state;
  return std::nullopt;
}

std::optional<JobState> ParseJobStateLoosely(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& s : kStates)
    if (s.name == upper || s.code == upper) return s.state;
  return std::nullopt;
}

std::optional<JobState> ParseSacctJobState(std::string_view text) {
  return ParseJobState(text.substr(0, text.find(' ')));
}

bool IsTerminal(JobState state) {
  switch (state) {
    case JobState::kPending:
    case JobState::kRunning:
    case JobState::kConfiguring:
    case JobState::kCompleting:
    case JobState::kSuspended:
    case JobState::kRequeued:
    case JobState::kResizing:
    case JobState::kSignaling:
    case JobState::kStageOut:
    case JobState::kStopped:
    case JobState::kRequeueHold:
    case JobState::kRequeueFed:
    case JobState::kResvDelHold:
      return false;
    case JobState::kBootFail:
    case JobState::kCancelled:
    case JobState::kCompleted:
    case JobState::kDeadline:
    case JobState::kFailed:
    case JobState::kNodeFail:
    case JobState::kOutOfMemory:
    case JobState::kPreempted:
    case JobState::kRevoked:
    case JobState::kSpecialExit:
    case JobState::kTimeout:
      return true;
  }
  return true;
}

}  // namespace sfapid
