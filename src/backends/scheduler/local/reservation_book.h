// The local scheduler's reservations, as slurmctld keeps them: each holds named nodes over a time
// window for its users and account. The book places a new one (first fit over nodes that no
// overlapping reservation holds and no running job will still occupy at its start), says which
// nodes a job may use now, and why a job bound to a reservation waits. Messages are Slurm
// 22.05's (scontrol's and sbatch's), so users see the same words on a laptop as on a cluster.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "backends/scheduler/local/local_job.h"
#include "backends/scheduler/scheduler.h"

namespace sfapid::local {

inline constexpr const char* kNodesBusyError =
    "Error creating the reservation: Requested nodes are busy";
inline constexpr const char* kInvalidReservationError =
    "sbatch: error: Batch job submission failed: Requested reservation is invalid";
inline constexpr const char* kReservationAccessError =
    "sbatch: error: Batch job submission failed: Access denied to requested reservation";

struct LocalReservation {
  std::string name;
  std::vector<std::string> unix_users;  // empty: every user of the account
  std::string account;
  int nodes = 0;
  int64_t start = 0, end = 0;
  std::string partition, constraint;
  std::vector<int> node_ids;

  // As Slurm: the job's user must be listed (when users are) and its account must be the one.
  bool Admits(const std::string& unix_user, const std::string& job_account) const;
  bool ActiveAt(int64_t t) const { return start <= t && t < end; }
};

boost::json::object ToJson(const LocalReservation& r);
LocalReservation ReservationFromJson(const boost::json::object& o);

class ReservationBook {
 public:
  const LocalReservation* Find(const std::string& name) const;
  const std::map<std::string, LocalReservation>& all() const { return book_; }
  void Put(LocalReservation r) { book_[r.name] = std::move(r); }
  void Remove(const std::string& name) { book_.erase(name); }

  // Nodes for `spec` on a cluster of `node_count`: the ones in `prefer` first (a changed
  // reservation keeps its nodes where it can), then the lowest free. A node is free when no other
  // reservation (than `except`) overlapping the window holds it and no running job in `active`
  // would still run at the start. InvalidArgument kNodesBusyError when too few are.
  Result<std::vector<int>> Place(const ReservationSpec& spec, const JobMap& jobs,
                                 const std::set<int64_t>& active, size_t node_count,
                                 const std::vector<int>& prefer, const std::string& except) const;

  // Which of the `node_count` nodes `job` may start on at `now`: a job bound to a reservation only
  // on its nodes while it is active; any other job only where no reservation begins before the
  // job's time limit would end it (as Slurm's backfill keeps reserved nodes free).
  std::vector<bool> UsableNodes(const LocalJob& job, int64_t now, size_t node_count) const;

  // Why a pending job bound to a reservation may not start: "ReservationDeleted" when it is gone,
  // "Reservation" before its start; "" otherwise (also for jobs bound to none).
  std::string PendingReason(const LocalJob& job, int64_t now) const;

  // A job's time limit inside its reservation: never past the reservation's end (Slurm's
  // ResvOverRun = 0), in seconds; the job's own limit for jobs outside reservations.
  int64_t TimeLimitAt(const LocalJob& job, int64_t now) const;

 private:
  std::map<std::string, LocalReservation> book_;
};

}  // namespace sfapid::local
