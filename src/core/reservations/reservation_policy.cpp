#include "core/reservations/reservation_policy.h"

#include <cmath>
#include <sstream>

namespace sfapid {

namespace {

std::string Hours(double h) {
  std::ostringstream out;
  out << (std::round(h * 100) / 100);
  return out.str();
}

Status Refuse(const std::string& rule, const std::string& what) {
  return Status::PermissionDenied("policy " + rule + ": " + what);
}

}  // namespace

Status CheckReservationPolicy(const ReservationPolicy& policy, const Reservation& r, int64_t now,
                              int cluster_nodes) {
  if (!policy.enabled)
    return Refuse("enabled", r.machine + " takes no reservation requests; ask the facility");
  const double lead_hours = static_cast<double>(r.start - now) / 3600.0;
  // A minute of slack: "now" and a start typed a moment ago are not refused for the seconds
  // the request took.
  if (policy.min_lead_hours > 0 && r.start + 60 < now + std::llround(policy.min_lead_hours * 3600))
    return Refuse("min_lead_hours", "the start is " + Hours(std::max(0.0, lead_hours)) +
                                        " hours ahead; it must be at least " +
                                        Hours(policy.min_lead_hours) + " hours ahead");
  const int max_nodes = policy.max_nodes > 0 ? policy.max_nodes : cluster_nodes;
  if (max_nodes > 0 && r.nodes > max_nodes)
    return Refuse("max_nodes", std::to_string(r.nodes) + " nodes asked; at most " +
                                   std::to_string(max_nodes) + " on " + r.machine);
  const double hours = static_cast<double>(r.Seconds()) / 3600.0;
  if (hours > policy.max_duration_hours + 1e-9)
    return Refuse("max_duration_hours",
                  Hours(hours) + " hours asked; at most " + Hours(policy.max_duration_hours));
  return Status::Ok();
}

bool NeedsOperatorApproval(const ReservationPolicy& policy, const Reservation& r) {
  return r.NodeHours() > policy.auto_approve_node_hours + 1e-9;
}

bool CancellationCharges(const ReservationPolicy& policy, const Reservation& r, int64_t now) {
  return now + std::llround(policy.cancellation_notice_hours * 3600) > r.start;
}

}  // namespace sfapid
