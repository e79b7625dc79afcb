// Persistence of advance reservations: each one's whole record and its lifecycle state, changed
// only by compare-and-set so that two nodes (or two threads) never both move one reservation, and
// the admission rules that must hold across every request (the cluster's nodes, a project's
// active reservations) checked in the same transaction as the write that could break them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/reservation.h"
#include "util/status.h"

namespace sfapid {

// What must still hold after a write; checked atomically with it. 0 = not checked.
struct ReservationLimits {
  // The cluster's nodes: at no moment may the reservations holding nodes on the machine
  // (approved, scheduled, active) need more. Checked when the written reservation holds nodes.
  int cluster_nodes = 0;
  // Unfinished (requested, approved, scheduled, active) reservations of the project on the
  // machine. Checked when a reservation is added.
  int max_active_per_project = 0;
};

struct ReservationFilter {
  std::string machine;  // "" = every machine
  std::optional<int64_t> id;
  std::optional<ReservationState> state;
  std::string account;  // "" = any
  // Only those `visible_to` requested, is listed in, or whose project is one of
  // `visible_accounts`; "" = everyone's (operators).
  std::string visible_to;
  std::vector<std::string> visible_accounts;
  // Only those the lifecycle driver has work on: approved, scheduled, active, or final while the
  // scheduler may still hold them (not released).
  bool needs_driving = false;
};

// One line of a reservation's history, written in the same transaction as the change it records:
// the audit trail of every decision (who approved, denied, cancelled, changed what).
struct ReservationEvent {
  int64_t reservation_id = 0;
  int64_t at = 0;      // Unix seconds
  std::string actor;   // the API user, "operator:<name>", "policy" or "scheduler"
  std::string action;  // "request", "approve", "deny", "schedule", "activate", "complete",
                       // "cancel", "fail", "modify", "release", "charge"
  std::string state;   // the state after it
  std::string note;    // the reason, the rule, the scheduler's words
};

// A history line not yet handed to the callback service, of a reservation whose requester asked
// for callbacks (callbackUrl or callbackEmail).
struct ReservationNotice {
  int64_t seq = 0;  // the line's place in the whole history: increasing, never reused
  ReservationEvent event;
};

class ReservationStore {
 public:
  virtual ~ReservationStore() = default;

  // Stores a new reservation; its id. AlreadyExists when an unfinished or unreleased
  // reservation on the machine has the name; FailedPrecondition naming the limit when `limits`
  // would be broken (nothing stored then).
  virtual Result<int64_t> AddReservation(const Reservation& r, const ReservationLimits& limits,
                                         const ReservationEvent& event) = 0;
  virtual Result<std::optional<Reservation>> GetReservation(int64_t id) = 0;
  // Sorted by id.
  virtual Result<std::vector<Reservation>> ListReservations(const ReservationFilter& f) = 0;
  // Writes every field of `r` (by r.id) when the stored state is still `expected`: true when
  // written, false when another writer moved it first. FailedPrecondition naming the limit when
  // `limits` would be broken (nothing written).
  virtual Result<bool> UpdateReservation(const Reservation& r, ReservationState expected,
                                         const ReservationLimits& limits,
                                         const ReservationEvent& event) = 0;
  // The reservation's history, oldest first.
  virtual Result<std::vector<ReservationEvent>> ReservationHistory(int64_t id) = 0;
  // Up to `limit` history lines past each reservation's notified mark, oldest first; only of
  // reservations with a callback URL or mail.
  virtual Result<std::vector<ReservationNotice>> UnnotifiedEvents(int limit) = 0;
  // Moves the reservation's notified mark up to `seq` (never back).
  virtual Status MarkNotified(int64_t reservation_id, int64_t seq) = 0;
};

// The most nodes the reservations in `holding` need at one moment within [start, end).
int PeakReservedNodes(const std::vector<Reservation>& holding, int64_t start, int64_t end);

}  // namespace sfapid
