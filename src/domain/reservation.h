// An advance compute reservation: a block of nodes held for a project's users over a time window.
// Its lifecycle (docs/reservations.md):
//   requested -> approved | denied;  approved -> scheduled (made in the scheduler) -> active
//   (start reached) -> completed (end reached);  cancelled from any state before completed;
//   failed when the scheduler refuses it (its words in state_reason).
// The core service drives the transitions, the store keeps them, every API shows them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sfapid {

enum class ReservationState {
  kRequested,
  kApproved,
  kDenied,
  kScheduled,
  kActive,
  kCompleted,
  kCancelled,
  kFailed,
};

std::span<const ReservationState> AllReservationStates();
// "requested", "approved", ...: the wire and the store spell states this way.
std::string_view ReservationStateName(ReservationState state);
std::optional<ReservationState> ParseReservationState(std::string_view name);
// denied, completed, cancelled and failed: nothing happens to it any more.
bool IsFinal(ReservationState state);
// approved, scheduled and active: the block counts against the cluster's nodes and the
// project's limits.
bool HoldsNodes(ReservationState state);

// A change to nodes, times or users asked for by PATCH that needs an operator's approval; the
// reservation keeps its current block until it is approved.
struct ReservationChange {
  int nodes = 0;
  int64_t start = 0, end = 0;  // Unix seconds
  std::vector<std::string> users;
  bool all_members = false;
  std::string requested_by;
  bool approved = false;  // by policy or an operator: the lifecycle applies it to the scheduler
};

struct Reservation {
  int64_t id = 0;
  std::string name;  // unique per machine; the scheduler's ReservationName
  std::string machine;
  std::string account;             // the project charged; its members may be admitted
  std::vector<std::string> users;  // the API users admitted (sorted); empty when all_members
  bool all_members = false;        // users "*": every member of the project
  int nodes = 0;
  std::vector<std::string> node_names;  // once placed by the scheduler
  int64_t start = 0, end = 0;           // Unix seconds
  std::string partition, constraint, reason;
  ReservationState state = ReservationState::kRequested;
  std::string state_reason;
  std::string requested_by;  // the API user (or "operator:<name>" for maintenance)
  std::string decided_by;    // "policy" (auto-approval) or the operator who decided
  std::string client_id;     // the API client that asked: its secret signs the callbacks
  std::string callback_url, callback_email;
  double charge_factor = 1;
  double charged_node_hours = 0;  // what the project was charged (0 until charged)
  bool charged = false;
  bool released = false;         // the scheduler's copy is gone (after cancel, deny or completion)
  bool policy_override = false;  // made by an operator beyond policy (maintenance)
  std::optional<ReservationChange> pending_change;
  int64_t created_at = 0, updated_at = 0;  // Unix seconds

  int64_t Seconds() const { return end > start ? end - start : 0; }
  double NodeHours() const { return static_cast<double>(nodes) * Seconds() / 3600.0; }
  double EstimatedCharge() const { return NodeHours() * charge_factor; }
  // Whether `user` (an API user), charging `account`, may run jobs in it; `member` says whether
  // the user is a member of the reservation's project.
  bool Admits(const std::string& user, const std::string& job_account, bool member) const;
};

}  // namespace sfapid
