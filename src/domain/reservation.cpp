#include "domain/reservation.h"

#include <algorithm>
#include <array>

namespace sfapid {

namespace {

constexpr std::array kStates = {
    ReservationState::kRequested, ReservationState::kApproved, ReservationState::kDenied,
    ReservationState::kScheduled, ReservationState::kActive,   ReservationState::kCompleted,
    ReservationState::kCancelled, ReservationState::kFailed,
};

}  // namespace

std::span<const ReservationState> AllReservationStates() { return kStates; }

std::string_view ReservationStateName(ReservationState state) {
  switch (state) {
    case ReservationState::kRequested:
      return "requested";
    case ReservationState::kApproved:
      return "approved";
    case ReservationState::kDenied:
      return "denied";
    case ReservationState::kScheduled:
      return "scheduled";
    case ReservationState::kActive:
      return "active";
    case ReservationState::kCompleted:
      return "completed";
    case ReservationState::kCancelled:
      return "cancelled";
    case ReservationState::kFailed:
      return "failed";
  }
  return "failed";
}

std::optional<ReservationState> ParseReservationState(std::string_view name) {
  for (ReservationState s : kStates)
    if (ReservationStateName(s) == name) return s;
  return std::nullopt;
}

bool IsFinal(ReservationState state) {
  return state == ReservationState::kDenied || state == ReservationState::kCompleted ||
         state == ReservationState::kCancelled || state == ReservationState::kFailed;
}

bool HoldsNodes(ReservationState state) {
  return state == ReservationState::kApproved || state == ReservationState::kScheduled ||
         state == ReservationState::kActive;
}

// As Slurm: with both users and accounts named, a job must match both; "*" names the account only.
bool Reservation::Admits(const std::string& user, const std::string& job_account,
                         bool member) const {
  if (job_account != account) return false;
  if (all_members) return member;
  return std::binary_search(users.begin(), users.end(), user);
}

}  // namespace sfapid
