// Moves reservations through the states the clock and the scheduler decide: approved ->
// scheduled (made in the scheduler) or failed (its refusal, in its words); scheduled -> active at
// the start (the block is charged then); active -> completed at the end; approved changes made
// in the scheduler; cancelled, denied and completed ones removed from it. One pass reads the
// store, so whatever a crash interrupted is simply done again: making a reservation whose name
// the scheduler already has adopts it, deleting one that is gone succeeds, and each state change
// is a compare-and-set, so no step is taken twice.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "backends/scheduler/scheduler.h"
#include "core/accounts/user_directory.h"
#include "core/reservations/reservation_notifier.h"
#include "core/reservations/reservation_service.h"
#include "store/reservation_store.h"

namespace sfapid {

class ReservationLifecycle {
 public:
  // notifier (may be null): told after each pass, so requesters hear of what it did.
  ReservationLifecycle(ReservationStore& store, ReservationService& service,
                       const UserDirectory& users, std::map<std::string, Scheduler*> schedulers,
                       ReservationNotifier* notifier = nullptr)
      : store_(store),
        service_(service),
        users_(users),
        schedulers_(std::move(schedulers)),
        notifier_(notifier) {}
  ~ReservationLifecycle() { Stop(); }

  // Passes every `interval_seconds` (and when woken) on a thread of its own.
  void Start(double interval_seconds);
  void Stop();
  // A request or a change arrived: pass now rather than at the next interval.
  void Wake();
  // One pass at time `now` (Unix seconds).
  void Pass(int64_t now);

  // What the scheduler is asked to make of `r` (API users as their Unix accounts).
  ReservationSpec SpecOf(const Reservation& r) const;

 private:
  void Drive(Reservation r, Scheduler& scheduler, int64_t now);
  void Place(Reservation r, Scheduler& scheduler, int64_t now);
  void ApplyChange(Reservation r, Scheduler& scheduler, int64_t now);
  void Release(Reservation r, Scheduler& scheduler, int64_t now);
  // A scheduled or active reservation the scheduler no longer has (an operator's `scontrol
  // delete`) is failed, saying so, rather than shown as held: true when it was.
  bool GoneFromScheduler(const Reservation& r, Scheduler& scheduler, int64_t now);
  // Compare-and-set with a history line; false when another writer moved it first or the
  // store failed (logged): the next pass looks again.
  bool Move(Reservation next, ReservationState expected, const ReservationLimits& lim,
            const std::string& action, const std::string& note);

  ReservationStore& store_;
  ReservationService& service_;
  const UserDirectory& users_;
  std::map<std::string, Scheduler*> schedulers_;
  ReservationNotifier* notifier_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace sfapid
