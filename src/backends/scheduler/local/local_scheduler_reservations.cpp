// The local scheduler's reservations (see reservation_book.h): made, changed and removed as
// scontrol would, kept in the spool with the jobs so that a restart keeps them, and checked when
// a job names one with --reservation.
#include <ctime>

#include "backends/scheduler/local/local_scheduler.h"

namespace sfapid {

using local::LocalReservation;

namespace {

int64_t NowSeconds() { return static_cast<int64_t>(::time(nullptr)); }

}  // namespace

Status LocalScheduler::CheckReservation(const local::LocalJob& job) const {
  if (job.reservation.empty()) return Status::Ok();
  const LocalReservation* r = reservations_.Find(job.reservation);
  if (!r || r->end <= NowSeconds()) return Status::InvalidArgument(local::kInvalidReservationError);
  if (!r->Admits(job.account_unix, job.account))
    return Status::InvalidArgument(local::kReservationAccessError);
  return Status::Ok();
}

PlacedReservation LocalScheduler::Placed(const LocalReservation& r, int64_t now) const {
  PlacedReservation p{r.name, {}, r.start, r.end, r.ActiveAt(now)};
  for (int n : r.node_ids)
    if (n >= 0 && static_cast<size_t>(n) < nodes_.size())
      p.node_names.push_back(nodes_.names()[static_cast<size_t>(n)]);
  return p;
}

Result<PlacedReservation> LocalScheduler::Book(const ReservationSpec& spec,
                                               const std::vector<int>& prefer,
                                               const std::string& except) {
  if (!started_ || !table_) return Status::Unavailable("the local scheduler is not running");
  auto nodes = reservations_.Place(spec, jobs_, active_, nodes_.size(), prefer, except);
  if (!nodes) return nodes.status();
  LocalReservation r{spec.name, spec.unix_users, spec.account,    spec.nodes, spec.start,
                     spec.end,  spec.partition,  spec.constraint, *nodes};
  if (Status s = table_->SaveReservation(r.name, local::ToJson(r)); !s.ok()) return s;
  reservations_.Put(r);
  wake_flag_ = true;
  wake_.notify_all();
  return Placed(r, NowSeconds());
}

Result<PlacedReservation> LocalScheduler::CreateReservation(const ReservationSpec& spec) {
  auto lock = Exclusive();
  if (reservations_.Find(spec.name))
    return Status::AlreadyExists("Error creating the reservation: Reservation name in use");
  return Book(spec, {}, "");
}

Result<PlacedReservation> LocalScheduler::UpdateReservation(const ReservationSpec& spec) {
  auto lock = Exclusive();
  const LocalReservation* current = reservations_.Find(spec.name);
  if (!current)
    return Status::InvalidArgument("Error updating the reservation: Reservation request invalid");
  return Book(spec, current->node_ids, spec.name);
}

Status LocalScheduler::DeleteReservation(const std::string& name) {
  auto lock = Exclusive();
  if (!started_ || !table_) return Status::Unavailable("the local scheduler is not running");
  if (!reservations_.Find(name)) return Status::Ok();
  if (Status s = table_->DeleteReservation(name); !s.ok()) return s;
  reservations_.Remove(name);
  wake_flag_ = true;
  wake_.notify_all();
  return Status::Ok();
}

Result<std::optional<PlacedReservation>> LocalScheduler::GetReservation(const std::string& name) {
  std::shared_lock lock(mu_);
  if (!started_) return Status::Unavailable("the local scheduler is not running");
  const LocalReservation* r = reservations_.Find(name);
  if (!r) return std::optional<PlacedReservation>();
  return std::optional<PlacedReservation>(Placed(*r, NowSeconds()));
}

}  // namespace sfapid
