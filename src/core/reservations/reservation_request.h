// What a user asks for when requesting or changing a reservation, as the form gave it, and its
// reading into a reservation's shape. Every value is checked here, once; a bad one is
// Status::InvalidField naming the field, so that each API can point at it (the SFAPI extension
// answers 422 with loc ["body", field]).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/reservation.h"
#include "util/status.h"

namespace sfapid {

struct ReservationRequest {
  std::string machine;
  std::string account;
  int64_t nodes = 0;
  std::string start;     // ISO 8601 with an offset ("2026-12-03T14:00:00+01:00", "...Z") or "now"
  std::string end;       // ISO 8601 with an offset; or
  std::string duration;  // Slurm's time syntax ("2:00:00", "1-00:00:00", minutes "90")
  std::string name;      // "" = made up from the requester
  std::string users;     // comma list of API users; "*" = every member; "" = the requester
  std::string partition, constraint, reason;
  std::string callback_url, callback_email;
};

// PATCH: only the fields given change.
struct ReservationChangeRequest {
  std::optional<int64_t> nodes;
  std::optional<std::string> start, end, duration, users;
  bool empty() const { return !nodes && !start && !end && !duration && !users; }
};

// Status::InvalidField(field, message).
inline Status FieldError(const std::string& field, const std::string& message) {
  return Status::InvalidField(field, message);
}

// Reads the request's fields into r (name, machine, account, nodes, start, end, users, partition,
// constraint, reason): syntax and sizes only; membership and policy are the service's.
Status ReadReservationRequest(const ReservationRequest& req, const std::string& requester,
                              int64_t now, Reservation& r);
// Applies the given fields of a change to r (start moved alone keeps the duration).
Status ApplyReservationChange(const ReservationChangeRequest& change, const std::string& requester,
                              int64_t now, Reservation& r);

// Reservation and account names: 1-64 letters, digits, '_', '-' or '.' (what Slurm and the
// store's comma lists take without quoting).
bool ValidReservationName(const std::string& name);

}  // namespace sfapid
