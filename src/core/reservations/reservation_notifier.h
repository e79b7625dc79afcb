// Tells requesters what happened to their reservations: every history line after the request
// (approved, denied, scheduled, active, completed, cancelled, failed, changed, charged) becomes a
// callback delivery for the reservation's callbackUrl / callbackEmail. It works from the stored
// history, not from the code that moved the reservation, so a crash between a move and its
// notice loses nothing: the next pass finds the line past the notified mark. A line handed over
// twice (a crash before the mark moved, two nodes) is delivered once: deliveries are keyed by it.
#pragma once

#include "core/callbacks/callback_service.h"
#include "store/reservation_store.h"

namespace sfapid {

class ReservationNotifier {
 public:
  ReservationNotifier(ReservationStore& store, CallbackService& callbacks)
      : store_(store), callbacks_(callbacks) {}

  // Hands every waiting line over (in batches); failures are logged and retried next pass.
  void Pass();

 private:
  ReservationStore& store_;
  CallbackService& callbacks_;
};

// Whether the requester is told about a history line: not about their own request (they have the
// answer to it) nor the scheduler's clean-up after the end ("release").
bool IsNotified(const ReservationEvent& e);

}  // namespace sfapid
