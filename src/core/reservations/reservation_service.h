// Advance reservations (docs/reservations.md): users request, list, change and cancel them under
// each compute system's policy; operators approve, deny, cancel and make them (beyond policy, for
// maintenance). Every change is a compare-and-set in the store with its history line, and the
// rules that span requests (the cluster's nodes, a project's unfinished reservations) are checked
// in the same transaction, so two racing requests cannot both get the same nodes, also from two
// processes. What happens in the scheduler is the lifecycle's (reservation_lifecycle.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "backends/scheduler/scheduler.h"
#include "config/config.h"
#include "core/accounts/account_service.h"
#include "core/reservations/reservation_request.h"
#include "store/account_store.h"
#include "store/reservation_store.h"

namespace sfapid {

// Who acts: an API user, or an operator (on the command line; may act beyond policy).
struct ReservationActor {
  std::string name;
  bool operator_ = false;
  std::string client_id;  // the API client (callbacks are signed with its secret)
  std::string Label() const { return operator_ ? "operator:" + name : name; }
};

struct ReservationListQuery {
  std::string machine;  // "" = every machine (operators)
  std::optional<ReservationState> state;
  std::string account;
};

class ReservationService {
 public:
  // systems: each compute system's policy; schedulers: for the cluster's size (may be empty in
  // the operator's CLI: limits then use the size the lifecycle last saw).
  ReservationService(const std::vector<SystemConfig>& systems, ReservationStore& store,
                     AccountStore& accounts, AccountService& account_service,
                     std::map<std::string, Scheduler*> schedulers = {})
      : systems_(systems),
        store_(store),
        accounts_(accounts),
        account_service_(account_service),
        schedulers_(std::move(schedulers)) {}

  // NotFound: unknown machine; InvalidArgument: not a compute system or a bad field
  // (FieldError); PermissionDenied: not a member, or a policy rule (named); FailedPrecondition:
  // the nodes are taken or the project is at its limit; AlreadyExists: the name is taken.
  Result<Reservation> Request(const ReservationActor& who, const ReservationRequest& req);
  // The caller's and their projects' (an operator: all), sorted by id.
  Result<std::vector<Reservation>> List(const ReservationActor& who, const ReservationListQuery& q);
  // NotFound also when the caller may not see it.
  Result<Reservation> Get(const ReservationActor& who, const std::string& machine, int64_t id);
  Result<std::vector<ReservationEvent>> History(const ReservationActor& who,
                                                const std::string& machine, int64_t id);
  // Re-checked by policy; applied at once when it may be (the lifecycle changes the scheduler's
  // copy), else kept as the pending change for an operator while the old block stays.
  Result<Reservation> Modify(const ReservationActor& who, const std::string& machine, int64_t id,
                             const ReservationChangeRequest& change);
  // By the requester, a PI of the project or an operator; FailedPrecondition once final.
  Result<Reservation> Cancel(const ReservationActor& who, const std::string& machine, int64_t id,
                             const std::string& reason = "");

  // --- operators ---
  // Approves a requested reservation, or a pending change.
  Result<Reservation> Approve(const ReservationActor& op, int64_t id);
  // Denies a requested reservation, or drops a pending change.
  Result<Reservation> Deny(const ReservationActor& op, int64_t id, const std::string& reason);

  // The cluster's nodes on `machine` for the limits (0 when unknown).
  int ClusterNodes(const std::string& machine);
  const ReservationPolicy* PolicyOf(const std::string& machine) const;

 private:
  Result<const SystemConfig*> ComputeSystem(const std::string& machine) const;
  // Membership and hours: PermissionDenied / InvalidArgument naming the field.
  Status CheckProject(const ReservationActor& who, const Reservation& r);
  Result<Reservation> Visible(const ReservationActor& who, const std::string& machine, int64_t id);
  Result<bool> MayManage(const ReservationActor& who, const Reservation& r);
  // Compare-and-set with its history line; FailedPrecondition when someone moved it first.
  Result<Reservation> Write(Reservation r, ReservationState expected, const ReservationLimits& lim,
                            const ReservationActor& who, const std::string& action,
                            const std::string& note);
  ReservationLimits LimitsFor(const Reservation& r);

  const std::vector<SystemConfig>& systems_;
  ReservationStore& store_;
  AccountStore& accounts_;
  AccountService& account_service_;
  std::map<std::string, Scheduler*> schedulers_;
  std::mutex mu_;
  std::map<std::string, int> cluster_nodes_;  // last known, per machine
};

}  // namespace sfapid
