// A compute system's reservation policy ([systems.reservations]) applied to one reservation: the
// rules a request must meet, whether it waits for an operator, and when a cancellation is
// charged. Pure functions of the policy, the reservation and the time, so each rule is tested
// alone (tests/unit/core/reservations/reservation_policy_test.cpp).
#pragma once

#include <cstdint>

#include "config/config.h"
#include "domain/reservation.h"
#include "util/status.h"

namespace sfapid {

// PermissionDenied "policy <rule>: <what was asked>, <the limit>" for the first rule `r` breaks:
// enabled, min_lead_hours, max_nodes (or the cluster's size), max_duration_hours. Ok otherwise.
Status CheckReservationPolicy(const ReservationPolicy& policy, const Reservation& r, int64_t now,
                              int cluster_nodes);

// Whether an operator must approve it (larger than auto_approve_node_hours).
bool NeedsOperatorApproval(const ReservationPolicy& policy, const Reservation& r);

// Whether cancelling at `now` charges the whole block: within the cancellation notice before the
// start, or after it.
bool CancellationCharges(const ReservationPolicy& policy, const Reservation& r, int64_t now);

}  // namespace sfapid
