#include "core/reservations/reservation_lifecycle.h"

#include <chrono>
#include <iostream>

#include "util/log_status.h"
#include "util/time_format.h"

namespace sfapid {

void ReservationLifecycle::Start(double interval_seconds) {
  thread_ = std::thread([this, interval_seconds] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      Pass(Now().time_since_epoch().count());
      lock.lock();
      cv_.wait_for(lock, std::chrono::duration<double>(interval_seconds),
                   [this] { return stopping_ || woken_; });
      woken_ = false;
    }
  });
}

void ReservationLifecycle::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReservationLifecycle::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

ReservationSpec ReservationLifecycle::SpecOf(const Reservation& r) const {
  ReservationSpec spec;
  spec.name = r.name;
  for (const auto& user : r.users) spec.unix_users.push_back(users_.AccountName(user));
  spec.account = r.account;
  spec.nodes = r.nodes;
  spec.start = r.start;
  spec.end = r.end;
  spec.partition = r.partition;
  spec.constraint = r.constraint;
  return spec;
}

bool ReservationLifecycle::Move(Reservation next, ReservationState expected,
                                const ReservationLimits& lim, const std::string& action,
                                const std::string& note) {
  next.updated_at = Now().time_since_epoch().count();
  ReservationEvent e{
      next.id, next.updated_at, "scheduler", action, std::string(ReservationStateName(next.state)),
      note};
  auto written = store_.UpdateReservation(next, expected, lim, e);
  if (!written) {
    LogIfFailed(written.status(), "reservation " + std::to_string(next.id) + ": " + action);
    return false;
  }
  return *written;
}

void ReservationLifecycle::Pass(int64_t now) {
  ReservationFilter f;
  f.needs_driving = true;
  auto work = store_.ListReservations(f);
  if (!work) {
    LogIfFailed(work.status(), "reservations: reading the ones to drive");
    return;
  }
  for (auto& r : *work) {
    auto it = schedulers_.find(r.machine);
    if (it == schedulers_.end()) continue;  // a machine no longer configured: left as it is
    Drive(std::move(r), *it->second, now);
  }
  // Also the lines the API and the operator's CLI wrote since the last pass.
  if (notifier_) notifier_->Pass();
}

void ReservationLifecycle::Drive(Reservation r, Scheduler& scheduler, int64_t now) {
  if (IsFinal(r.state)) return Release(std::move(r), scheduler, now);
  if (r.pending_change && r.pending_change->approved &&
      (r.state == ReservationState::kScheduled || r.state == ReservationState::kActive))
    return ApplyChange(std::move(r), scheduler, now);
  if (r.pending_change && r.pending_change->approved && r.state == ReservationState::kApproved) {
    // Not in the scheduler yet: the change becomes the reservation.
    Reservation next = r;
    const auto& c = *r.pending_change;
    next.nodes = c.nodes;
    next.start = c.start;
    next.end = c.end;
    next.users = c.users;
    next.all_members = c.all_members;
    next.pending_change.reset();
    Move(next, r.state, ReservationLimits{service_.ClusterNodes(r.machine)}, "modify",
         "change made");
    return;
  }
  if ((r.state == ReservationState::kScheduled || r.state == ReservationState::kActive) &&
      GoneFromScheduler(r, scheduler, now))
    return;
  switch (r.state) {
    case ReservationState::kApproved:
      return Place(std::move(r), scheduler, now);
    case ReservationState::kScheduled:
      if (now >= r.start) {
        Reservation next = r;
        next.state = ReservationState::kActive;
        next.state_reason.clear();
        std::string note;
        if (!next.charged && !next.policy_override) {
          // The whole block, used or not, as facilities charge it.
          next.charged = true;
          next.charged_node_hours = next.EstimatedCharge();
          note = "charged " + std::to_string(next.charged_node_hours) + " node-hours";
        }
        Move(next, r.state, ReservationLimits{}, "activate", note);
      }
      return;
    case ReservationState::kActive:
      if (now >= r.end) {
        Reservation next = r;
        next.state = ReservationState::kCompleted;
        if (Move(next, r.state, ReservationLimits{}, "complete", ""))
          Release(std::move(next), scheduler, now);
      }
      return;
    default:
      return;
  }
}

bool ReservationLifecycle::GoneFromScheduler(const Reservation& r, Scheduler& scheduler,
                                             int64_t now) {
  // Near its end the scheduler may remove it on its own clock, a moment before ours.
  constexpr int64_t kEndSlack = 60;
  if (now >= r.end - kEndSlack) return false;
  auto held = scheduler.GetReservation(r.name);
  if (!held || *held) return false;  // there, or the scheduler cannot say: look again next pass
  Reservation next = r;
  next.state = ReservationState::kFailed;
  next.state_reason = "removed from the " + scheduler.backend_name() + " scheduler outside sfapid";
  next.released = true;  // nothing is left to remove (and a same-named new one is not ours)
  Move(next, r.state, ReservationLimits{}, "fail", next.state_reason);
  return true;
}

void ReservationLifecycle::Place(Reservation r, Scheduler& scheduler, int64_t now) {
  Reservation next = r;
  auto placed = scheduler.CreateReservation(SpecOf(r));
  if (!placed && placed.status().code() == Code::kAlreadyExists) {
    // Made before a crash took the answer away: the scheduler's copy is this one.
    auto existing = scheduler.GetReservation(r.name);
    if (existing && *existing) placed = **existing;
  }
  if (!placed) {
    const Status& s = placed.status();
    if (s.code() == Code::kUnavailable) return;  // the scheduler is down: try again next pass
    next.state = ReservationState::kFailed;
    next.state_reason = s.message();
    next.released = true;  // the scheduler refused it: it holds nothing
    Move(next, r.state, ReservationLimits{}, "fail", s.message());
    return;
  }
  next.state = ReservationState::kScheduled;
  next.node_names = placed->node_names;
  next.state_reason.clear();
  // false: cancelled meanwhile; the next pass releases what was just made.
  if (!Move(next, r.state, ReservationLimits{}, "schedule", "")) return;
  // A reservation starting now is active at once (and charged) rather than a pass later.
  if (now >= next.start) Drive(std::move(next), scheduler, now);
}

void ReservationLifecycle::ApplyChange(Reservation r, Scheduler& scheduler, int64_t now) {
  (void)now;
  const ReservationChange c = *r.pending_change;
  Reservation next = r;
  next.nodes = c.nodes;
  next.start = c.start;
  next.end = c.end;
  next.users = c.users;
  next.all_members = c.all_members;
  next.pending_change.reset();
  auto placed = scheduler.UpdateReservation(SpecOf(next));
  if (!placed) {
    if (placed.status().code() == Code::kUnavailable) return;
    Reservation kept = r;
    kept.pending_change.reset();
    kept.state_reason = "change refused: " + placed.status().message();
    Move(kept, r.state, ReservationLimits{}, "modify", kept.state_reason);
    return;
  }
  next.node_names = placed->node_names;
  next.state_reason.clear();
  auto lim = ReservationLimits{service_.ClusterNodes(r.machine)};
  if (next.policy_override) lim = ReservationLimits{};
  ReservationEvent e{next.id,
                     Now().time_since_epoch().count(),
                     "scheduler",
                     "modify",
                     std::string(ReservationStateName(next.state)),
                     "change made"};
  next.updated_at = e.at;
  auto written = store_.UpdateReservation(next, r.state, lim, e);
  if (written && *written) return;
  // The store would not take the new shape (another block took the nodes, or it moved): the
  // scheduler goes back to the reservation the store holds.
  auto back = scheduler.UpdateReservation(SpecOf(r));
  LogIfFailed(back, "reservation " + std::to_string(r.id) + ": undoing a refused change");
  if (!written) {
    Reservation kept = r;
    kept.pending_change.reset();
    kept.state_reason = "change refused: " + written.status().message();
    Move(kept, r.state, ReservationLimits{}, "modify", kept.state_reason);
  }
}

void ReservationLifecycle::Release(Reservation r, Scheduler& scheduler, int64_t now) {
  (void)now;
  if (r.released) return;
  Status s = scheduler.DeleteReservation(r.name);
  if (!s.ok()) {
    LogIfFailed(s, "reservation " + std::to_string(r.id) + ": removing it from the scheduler");
    return;
  }
  Reservation next = r;
  next.released = true;
  Move(next, r.state, ReservationLimits{}, "release", "removed from the scheduler");
}

}  // namespace sfapid
