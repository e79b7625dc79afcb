// The reservation.changed event: what a reservation's callbackUrl is POSTed (and its delivery
// stores) when the reservation moves (approved, denied, scheduled, active, completed, cancelled,
// failed, changed), and the same facts as a mail for callbackEmail. docs/callbacks.md.
#pragma once

#include <string>

#include "domain/reservation.h"
#include "store/reservation_store.h"
#include "util/time_format.h"

namespace sfapid {

inline constexpr const char* kReservationChangedEvent = "reservation.changed";

// {"event":"reservation.changed","delivery_id":...,"sent_at":...,"machine":...,
//  "reservation_id":"12","name":...,"account":...,"action":"approve","state":"approved",
//  "note":...,"by":...,"at":...,"seq":41,"nodes":2,"node_names":[...],"start":...,"end":...}
// `r` is the reservation as it is now; `e` the history line being told (its state may be older
// than r's when notifications lag behind). Times are ISO-8601 UTC.
// `seq` is the history line's place (ReservationNotice::seq): deliveries may arrive in any
// order, and receivers put them back in order by it.
std::string ReservationChangedBody(const Reservation& r, const ReservationEvent& e, int64_t seq,
                                   const std::string& delivery_id, TimePoint sent_at);

// An RFC 5322 message (CRLF line ends) telling `to` the facts of the event body.
std::string ReservationChangedMail(const std::string& body, const std::string& from,
                                   const std::string& to, TimePoint date);

}  // namespace sfapid
