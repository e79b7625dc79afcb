#include "backends/scheduler/local/reservation_book.h"

#include <algorithm>
#include <boost/json.hpp>

#include "backends/scheduler/local/record_fields.h"
#include "backends/scheduler/slurm_time.h"

namespace sfapid::local {

namespace json = boost::json;

using record::Array;
using record::Int;
using record::Str;

bool LocalReservation::Admits(const std::string& unix_user, const std::string& job_account) const {
  if (job_account != account) return false;
  return unix_users.empty() ||
         std::find(unix_users.begin(), unix_users.end(), unix_user) != unix_users.end();
}

json::object ToJson(const LocalReservation& r) {
  json::array users, nodes;
  for (const auto& u : r.unix_users) users.emplace_back(u);
  for (int n : r.node_ids) nodes.emplace_back(n);
  return json::object{{"name", r.name},
                      {"unix_users", std::move(users)},
                      {"account", r.account},
                      {"nodes", r.nodes},
                      {"start", r.start},
                      {"end", r.end},
                      {"partition", r.partition},
                      {"constraint", r.constraint},
                      {"node_ids", std::move(nodes)}};
}

LocalReservation ReservationFromJson(const json::object& o) {
  LocalReservation r;
  r.name = Str(o, "name");
  for (const auto& u : Array(o, "unix_users"))
    if (u.is_string()) r.unix_users.emplace_back(u.as_string());
  r.account = Str(o, "account");
  r.nodes = static_cast<int>(Int(o, "nodes"));
  r.start = Int(o, "start");
  r.end = Int(o, "end");
  r.partition = Str(o, "partition");
  r.constraint = Str(o, "constraint");
  for (const auto& n : Array(o, "node_ids"))
    if (n.is_int64()) r.node_ids.push_back(static_cast<int>(n.as_int64()));
  return r;
}

const LocalReservation* ReservationBook::Find(const std::string& name) const {
  auto it = book_.find(name);
  return it == book_.end() ? nullptr : &it->second;
}

Result<std::vector<int>> ReservationBook::Place(const ReservationSpec& spec, const JobMap& jobs,
                                                const std::set<int64_t>& active, size_t node_count,
                                                const std::vector<int>& prefer,
                                                const std::string& except) const {
  std::vector<bool> free(node_count, true);
  for (const auto& [name, r] : book_) {
    if (name == except || r.start >= spec.end || r.end <= spec.start) continue;
    for (int n : r.node_ids)
      if (n >= 0 && static_cast<size_t>(n) < node_count) free[static_cast<size_t>(n)] = false;
  }
  for (int64_t id : active) {
    const LocalJob& job = jobs.at(id);
    if (job.state != JobState::kRunning && job.supervisor == 0) continue;
    // A job already inside this reservation (a change of it) does not block it.
    if (!except.empty() && job.reservation == except) continue;
    const bool ends_before =
        job.time_limit != slurm::kUnlimited && job.start_time + job.time_limit <= spec.start;
    if (ends_before) continue;
    for (int n : job.node_ids)
      if (n >= 0 && static_cast<size_t>(n) < node_count) free[static_cast<size_t>(n)] = false;
  }
  std::vector<int> chosen;
  const auto want = static_cast<size_t>(spec.nodes);
  for (int n : prefer)
    if (chosen.size() < want && n >= 0 && static_cast<size_t>(n) < node_count &&
        free[static_cast<size_t>(n)]) {
      chosen.push_back(n);
      free[static_cast<size_t>(n)] = false;
    }
  for (size_t n = 0; n < node_count && chosen.size() < want; ++n)
    if (free[n]) chosen.push_back(static_cast<int>(n));
  if (spec.nodes <= 0 || chosen.size() < want) return Status::InvalidArgument(kNodesBusyError);
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

std::vector<bool> ReservationBook::UsableNodes(const LocalJob& job, int64_t now,
                                               size_t node_count) const {
  if (!job.reservation.empty()) {
    std::vector<bool> usable(node_count, false);
    const LocalReservation* r = Find(job.reservation);
    if (r && r->ActiveAt(now))
      for (int n : r->node_ids)
        if (n >= 0 && static_cast<size_t>(n) < node_count) usable[static_cast<size_t>(n)] = true;
    return usable;
  }
  std::vector<bool> usable(node_count, true);
  const bool unlimited = job.time_limit == slurm::kUnlimited;
  const int64_t job_end = unlimited ? INT64_MAX : now + job.time_limit;
  for (const auto& [name, r] : book_) {
    if (r.end <= now || r.start >= job_end) continue;
    for (int n : r.node_ids)
      if (n >= 0 && static_cast<size_t>(n) < node_count) usable[static_cast<size_t>(n)] = false;
  }
  return usable;
}

std::string ReservationBook::PendingReason(const LocalJob& job, int64_t now) const {
  if (job.reservation.empty()) return "";
  const LocalReservation* r = Find(job.reservation);
  if (!r || r->end <= now) return "ReservationDeleted";
  if (r->start > now) return "Reservation";
  return "";
}

int64_t ReservationBook::TimeLimitAt(const LocalJob& job, int64_t now) const {
  const LocalReservation* r = job.reservation.empty() ? nullptr : Find(job.reservation);
  if (!r) return job.time_limit;
  const int64_t left = std::max<int64_t>(1, r->end - now);
  return job.time_limit == slurm::kUnlimited ? left : std::min(job.time_limit, left);
}

}  // namespace sfapid::local
