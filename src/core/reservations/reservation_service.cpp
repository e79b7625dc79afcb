#include "core/reservations/reservation_service.h"

#include <algorithm>
#include <sstream>

#include "core/accounts/account_views.h"
#include "core/reservations/reservation_policy.h"
#include "util/time_format.h"

namespace sfapid {

namespace {

int64_t NowSeconds() { return Now().time_since_epoch().count(); }

std::string Hours(double h) {
  std::ostringstream out;
  out.precision(6);
  out << h;
  return out.str();
}

Status NoSuch(const std::string& machine, int64_t id) {
  return Status::NotFound("no reservation " + std::to_string(id) + " on " + machine);
}

}  // namespace

Result<const SystemConfig*> ReservationService::ComputeSystem(const std::string& machine) const {
  for (const auto& s : systems_) {
    if (s.name != machine) continue;
    if (s.system_type != SystemType::kCompute)
      return Status::InvalidArgument(machine + " is not a compute system");
    return &s;
  }
  return Status::NotFound("no such machine: " + machine);
}

const ReservationPolicy* ReservationService::PolicyOf(const std::string& machine) const {
  auto s = ComputeSystem(machine);
  return s ? &(*s)->reservations : nullptr;
}

int ReservationService::ClusterNodes(const std::string& machine) {
  auto it = schedulers_.find(machine);
  if (it != schedulers_.end()) {
    if (auto n = it->second->ReservableNodes(); n && *n > 0) {
      std::lock_guard lock(mu_);
      cluster_nodes_[machine] = *n;
      return *n;
    }
  }
  {
    std::lock_guard lock(mu_);
    if (auto known = cluster_nodes_.find(machine); known != cluster_nodes_.end())
      return known->second;
  }
  // The operator's CLI has no scheduler: the local scheduler's size is in the config; Slurm's
  // is not, and Slurm itself then refuses a reservation its nodes cannot hold.
  auto s = ComputeSystem(machine);
  return s && (*s)->scheduler.backend == "local" ? (*s)->scheduler.nodes : 0;
}

ReservationLimits ReservationService::LimitsFor(const Reservation& r) {
  ReservationLimits lim;
  if (r.policy_override) return lim;  // maintenance: the operator takes what they name
  lim.cluster_nodes = ClusterNodes(r.machine);
  if (const auto* p = PolicyOf(r.machine)) lim.max_active_per_project = p->max_active_per_project;
  return lim;
}

Status ReservationService::CheckProject(const ReservationActor& who, const Reservation& r) {
  auto project = accounts_.GetProject(r.account);
  if (!project) return project.status();
  if (!*project) return FieldError("account", "no project named '" + r.account + "'");
  auto members = accounts_.MembersOf((*project)->id);
  if (!members) return members.status();
  auto is_member = [&](const std::string& user) {
    return std::any_of(members->begin(), members->end(),
                       [&](const Membership& m) { return m.user == user; });
  };
  if (!who.operator_ && !is_member(who.name))
    return Status::PermissionDenied(who.name + " is not a member of project " + r.account);
  for (const auto& user : r.users)
    if (!is_member(user))
      return FieldError("users", user + " is not a member of project " + r.account);
  if (r.policy_override) return Status::Ok();
  // The block is charged whole: the project must have its hours now, after what it used and
  // what its other unfinished, uncharged reservations will take.
  auto usage = account_service_.Usage(r.account);
  if (!usage) return usage.status();
  ReservationFilter f;
  f.account = r.account;
  auto others = store_.ListReservations(f);
  if (!others) return others.status();
  double promised = 0;
  for (const auto& o : *others)
    if (o.id != r.id && !IsFinal(o.state) && !o.charged) promised += o.EstimatedCharge();
  const double given = (*project)->cpu_hours_given + (*project)->gpu_hours_given;
  const double left = given - usage->hours - promised;
  if (r.EstimatedCharge() > left + 1e-9)
    return Status::PermissionDenied("policy allocation: the reservation would charge " +
                                    Hours(r.EstimatedCharge()) + " node-hours; project " +
                                    r.account + " has " + Hours(std::max(0.0, left)) + " left");
  return Status::Ok();
}

Result<Reservation> ReservationService::Write(Reservation r, ReservationState expected,
                                              const ReservationLimits& lim,
                                              const ReservationActor& who,
                                              const std::string& action, const std::string& note) {
  r.updated_at = NowSeconds();
  ReservationEvent e{
      r.id, r.updated_at, who.Label(), action, std::string(ReservationStateName(r.state)), note};
  auto written = store_.UpdateReservation(r, expected, lim, e);
  if (!written) return written.status();
  if (!*written)
    return Status::FailedPrecondition("reservation " + std::to_string(r.id) +
                                      " changed meanwhile; read it again");
  return r;
}

Result<Reservation> ReservationService::Request(const ReservationActor& who,
                                                const ReservationRequest& req) {
  auto system = ComputeSystem(req.machine);
  if (!system) return system.status();
  const ReservationPolicy& policy = (*system)->reservations;
  const int64_t now = NowSeconds();
  Reservation r;
  if (Status s = ReadReservationRequest(req, who.name, now, r); !s.ok()) return s;
  r.requested_by = who.Label();
  r.client_id = who.client_id;
  r.callback_url = req.callback_url;
  r.callback_email = req.callback_email;
  r.policy_override = who.operator_;
  r.charge_factor = policy.charge_factor;
  r.created_at = r.updated_at = now;
  if (Status s = CheckProject(who, r); !s.ok()) return s;
  if (!who.operator_) {
    if (Status s = CheckReservationPolicy(policy, r, now, ClusterNodes(r.machine)); !s.ok())
      return s;
  }
  std::string note;
  if (who.operator_) {
    r.state = ReservationState::kApproved;
    r.decided_by = who.Label();
    note = "made by an operator";
  } else if (NeedsOperatorApproval(policy, r)) {
    r.state = ReservationState::kRequested;
    r.state_reason = "waiting for an operator: larger than " +
                     Hours(policy.auto_approve_node_hours) + " node-hours";
    note = r.state_reason;
  } else {
    r.state = ReservationState::kApproved;
    r.decided_by = "policy";
    note = "approved by policy";
  }
  // A request that waits for an operator holds no nodes yet: the check runs when it is approved.
  ReservationEvent e{0,   now, who.Label(), "request", std::string(ReservationStateName(r.state)),
                     note};
  auto id = store_.AddReservation(r, LimitsFor(r), e);
  if (!id) return id.status();
  r.id = *id;
  return r;
}

Result<std::vector<Reservation>> ReservationService::List(const ReservationActor& who,
                                                          const ReservationListQuery& q) {
  if (!q.machine.empty())
    if (auto s = ComputeSystem(q.machine); !s) return s.status();
  ReservationFilter f;
  f.machine = q.machine;
  f.state = q.state;
  f.account = q.account;
  if (!who.operator_) {
    f.visible_to = who.name;
    auto projects = accounts_.ProjectsOf(who.name);
    if (!projects) return projects.status();
    for (const auto& m : *projects) f.visible_accounts.push_back(m.repo_name);
  }
  return store_.ListReservations(f);
}

Result<Reservation> ReservationService::Visible(const ReservationActor& who,
                                                const std::string& machine, int64_t id) {
  if (auto s = ComputeSystem(machine); !s) return s.status();
  ReservationFilter f;
  f.machine = machine;
  f.id = id;
  if (!who.operator_) {
    f.visible_to = who.name;
    auto projects = accounts_.ProjectsOf(who.name);
    if (!projects) return projects.status();
    for (const auto& m : *projects) f.visible_accounts.push_back(m.repo_name);
  }
  auto rows = store_.ListReservations(f);
  if (!rows) return rows.status();
  if (rows->empty()) return NoSuch(machine, id);
  return std::move(rows->front());
}

Result<Reservation> ReservationService::Get(const ReservationActor& who, const std::string& machine,
                                            int64_t id) {
  return Visible(who, machine, id);
}

Result<std::vector<ReservationEvent>> ReservationService::History(const ReservationActor& who,
                                                                  const std::string& machine,
                                                                  int64_t id) {
  auto r = Visible(who, machine, id);
  if (!r) return r.status();
  return store_.ReservationHistory(id);
}

// The requester, a PI (or PI proxy) of the project, or an operator.
Result<bool> ReservationService::MayManage(const ReservationActor& who, const Reservation& r) {
  if (who.operator_ || r.requested_by == who.name) return true;
  auto projects = accounts_.ProjectsOf(who.name);
  if (!projects) return projects.status();
  return std::any_of(projects->begin(), projects->end(), [&](const Membership& m) {
    return m.repo_name == r.account && ManagesGroups(m.role);
  });
}

Result<Reservation> ReservationService::Modify(const ReservationActor& who,
                                               const std::string& machine, int64_t id,
                                               const ReservationChangeRequest& change) {
  auto current = Visible(who, machine, id);
  if (!current) return current.status();
  auto may = MayManage(who, *current);
  if (!may) return may.status();
  if (!*may)
    return Status::PermissionDenied("only the requester, a PI of " + current->account +
                                    " or an operator may change reservation " + std::to_string(id));
  if (IsFinal(current->state))
    return Status::FailedPrecondition("reservation " + std::to_string(id) + " is " +
                                      std::string(ReservationStateName(current->state)));
  if (current->state == ReservationState::kActive && change.start)
    return FieldError("start", "the reservation has started; its start cannot move");
  const int64_t now = NowSeconds();
  Reservation next = *current;
  if (Status s = ApplyReservationChange(change, who.name, now, next); !s.ok()) return s;
  next.policy_override = current->policy_override && who.operator_;
  if (Status s = CheckProject(who, next); !s.ok()) return s;
  const ReservationPolicy& policy = *PolicyOf(machine);
  if (!who.operator_) {
    // An active reservation has started: the lead time is not asked again (its start stays).
    const int64_t policy_now = current->state == ReservationState::kActive ? next.start : now;
    if (Status s = CheckReservationPolicy(policy, next, policy_now, ClusterNodes(machine)); !s.ok())
      return s;
  }
  const bool needs_operator = !who.operator_ && NeedsOperatorApproval(policy, next);
  if (current->state == ReservationState::kRequested ||
      (current->state == ReservationState::kApproved && !needs_operator)) {
    // Nothing is in the scheduler yet: the reservation itself changes (the limits checked in the
    // same transaction), and policy decides again.
    if (!needs_operator && current->state == ReservationState::kRequested) {
      next.state = ReservationState::kApproved;
      next.decided_by = who.operator_ ? who.Label() : "policy";
      next.state_reason.clear();
    }
    return Write(next, current->state, LimitsFor(next), who, "modify",
                 needs_operator ? "still waiting for an operator" : "changed");
  }
  // In the scheduler (or waiting to be): the old block stays until the change is approved and
  // the lifecycle has made it there; the limits are checked when it is written.
  ReservationChange c;
  c.nodes = next.nodes;
  c.start = next.start;
  c.end = next.end;
  c.users = next.users;
  c.all_members = next.all_members;
  c.requested_by = who.Label();
  c.approved = !needs_operator;
  Reservation pending = *current;
  pending.pending_change = c;
  return Write(pending, current->state, ReservationLimits{}, who, "modify",
               c.approved ? "change approved by policy" : "change waits for an operator");
}

Result<Reservation> ReservationService::Cancel(const ReservationActor& who,
                                               const std::string& machine, int64_t id,
                                               const std::string& reason) {
  auto current = Visible(who, machine, id);
  if (!current) return current.status();
  auto may = MayManage(who, *current);
  if (!may) return may.status();
  if (!*may)
    return Status::PermissionDenied("only the requester, a PI of " + current->account +
                                    " or an operator may cancel reservation " + std::to_string(id));
  if (IsFinal(current->state))
    return Status::FailedPrecondition("reservation " + std::to_string(id) + " is already " +
                                      std::string(ReservationStateName(current->state)));
  Reservation next = *current;
  const int64_t now = NowSeconds();
  next.state = ReservationState::kCancelled;
  next.state_reason = reason.empty() ? "cancelled by " + who.Label() : reason;
  next.pending_change.reset();
  // Nothing was made in the scheduler before it was approved.
  if (current->state == ReservationState::kRequested) next.released = true;
  std::string note = next.state_reason;
  const ReservationPolicy* policy = PolicyOf(machine);
  // The late-cancellation charge is the requester's: an operator cancelling (the facility's
  // outage, a policy decision) charges nothing more.
  if (!next.charged && !who.operator_ && HoldsNodes(current->state) && policy &&
      !next.policy_override && CancellationCharges(*policy, next, now)) {
    next.charged = true;
    next.charged_node_hours = next.EstimatedCharge();
    note += "; charged in full (" + Hours(next.charged_node_hours) +
            " node-hours): cancelled within the notice of " +
            Hours(policy->cancellation_notice_hours) + " hours";
  }
  return Write(next, current->state, ReservationLimits{}, who, "cancel", note);
}

Result<Reservation> ReservationService::Approve(const ReservationActor& op, int64_t id) {
  // Only the operator's CLI calls this today; the service does not trust its caller to check.
  if (!op.operator_) return Status::PermissionDenied("only an operator may decide on reservations");
  auto current = store_.GetReservation(id);
  if (!current) return current.status();
  if (!*current) return Status::NotFound("no reservation " + std::to_string(id));
  Reservation next = **current;
  if (next.pending_change && !next.pending_change->approved) {
    next.pending_change->approved = true;
    return Write(next, next.state, ReservationLimits{}, op, "approve", "change approved");
  }
  if (next.state != ReservationState::kRequested)
    return Status::FailedPrecondition("reservation " + std::to_string(id) + " is " +
                                      std::string(ReservationStateName(next.state)) +
                                      ", not waiting for approval");
  next.state = ReservationState::kApproved;
  next.decided_by = op.Label();
  next.state_reason.clear();
  return Write(next, ReservationState::kRequested, LimitsFor(next), op, "approve", "");
}

Result<Reservation> ReservationService::Deny(const ReservationActor& op, int64_t id,
                                             const std::string& reason) {
  // Only the operator's CLI calls this today; the service does not trust its caller to check.
  if (!op.operator_) return Status::PermissionDenied("only an operator may decide on reservations");
  auto current = store_.GetReservation(id);
  if (!current) return current.status();
  if (!*current) return Status::NotFound("no reservation " + std::to_string(id));
  Reservation next = **current;
  if (next.pending_change && !next.pending_change->approved) {
    next.pending_change.reset();
    next.state_reason = "change denied" + (reason.empty() ? "" : ": " + reason);
    return Write(next, next.state, ReservationLimits{}, op, "deny", next.state_reason);
  }
  if (next.state != ReservationState::kRequested)
    return Status::FailedPrecondition("reservation " + std::to_string(id) + " is " +
                                      std::string(ReservationStateName(next.state)) +
                                      ", not waiting for approval");
  next.state = ReservationState::kDenied;
  next.decided_by = op.Label();
  next.state_reason = reason.empty() ? "denied by an operator" : reason;
  next.released = true;
  return Write(next, ReservationState::kRequested, ReservationLimits{}, op, "deny",
               next.state_reason);
}

}  // namespace sfapid
