// ReservationStore on SQLite. Writes that could break a limit run in one BEGIN IMMEDIATE
// transaction with the check, so neither another thread nor the operator's CLI (another process)
// can slip a conflicting reservation in between.
#pragma once

#include "sql/connection_pool.h"
#include "store/reservation_store.h"

namespace sfapid::sql {

class SqlReservationStore : public ReservationStore {
 public:
  explicit SqlReservationStore(ConnectionPool& pool) : db_(pool), pool_(pool) {}

  Result<int64_t> AddReservation(const Reservation& r, const ReservationLimits& limits,
                                 const ReservationEvent& event) override;
  Result<std::optional<Reservation>> GetReservation(int64_t id) override;
  Result<std::vector<Reservation>> ListReservations(const ReservationFilter& f) override;
  Result<bool> UpdateReservation(const Reservation& r, ReservationState expected,
                                 const ReservationLimits& limits,
                                 const ReservationEvent& event) override;
  Result<std::vector<ReservationEvent>> ReservationHistory(int64_t id) override;
  Result<std::vector<ReservationNotice>> UnnotifiedEvents(int limit) override;
  Status MarkNotified(int64_t reservation_id, int64_t seq) override;

 private:
  // Under pool_, inside a transaction: FailedPrecondition when writing `r` would break `limits`.
  Status CheckLimits(const Reservation& r, const ReservationLimits& limits, bool adding);
  Result<std::vector<Reservation>> Select(const ReservationFilter& f);  // under pool_
  // The history line and its stream events (kind "reservation"), in the caller's transaction.
  Status AppendEvent(const Reservation& r, int64_t id, const ReservationEvent& e);  // under pool_

  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
