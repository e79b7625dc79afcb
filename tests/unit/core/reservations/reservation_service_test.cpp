// The reservation service's decisions against a real SQLite store: who may request, see, change,
// cancel, approve and deny; policy and the project's hours; what is stored when refused (nothing).
#include "core/reservations/reservation_service.h"

#include <gtest/gtest.h>

#include "core/accounts/group_directory.h"
#include "core/accounts/group_service.h"
#include "support/fake_users.h"
#include "support/test_store.h"
#include "support/test_systems.h"

namespace sfapid {
namespace {

const ReservationActor kAlice{"alice", false, "client-a"}, kBob{"bob", false, "client-b"},
    kCarol{"carol", false, "client-c"}, kOperator{"root", true, ""};

class ReservationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uid_t uid = 1000;
    for (const char* name : {"alice", "bob", "carol"})
      users_.accounts[name] = UnixAccount{name, ++uid, uid, "/bin/bash"};
    ReservationPolicy& p = systems_[0].reservations;
    p.enabled = true;
    p.min_lead_hours = 0;
    p.max_nodes = 4;
    p.max_duration_hours = 24;
    p.max_active_per_project = 3;
    p.auto_approve_node_hours = 4;
    p.cancellation_notice_hours = 1;
    p.charge_factor = 2;
    systems_[0].scheduler.nodes = 4;
    AddProject("proj", 100, "alice", {"bob"});
    AddProject("other", 100, "carol", {});
    AddProject("tiny", 1, "alice", {});
  }
  void AddProject(const std::string& repo, double hours, const std::string& pi,
                  const std::vector<std::string>& members) {
    ProjectRecord p;
    p.repo_name = repo;
    p.cpu_hours_given = hours;
    auto added = accounts_.AddProject(p, pi);
    ASSERT_TRUE(added) << added.status().message();
    for (const auto& m : members) ASSERT_TRUE(accounts_.SetMember(repo, m, "member").ok());
  }
  static ReservationRequest Ask(const std::string& account, int nodes, const std::string& duration,
                                const std::string& users = "") {
    ReservationRequest q;
    q.machine = "perlmutter";
    q.account = account;
    q.nodes = nodes;
    q.start = "now";
    q.duration = duration;
    q.users = users;
    return q;
  }
  size_t Stored() { return store_->reservations().ListReservations({})->size(); }

  testing::TestStore store_;
  std::vector<SystemConfig> systems_ = testing::TestSystems();
  Config config_;
  testing::FakeUsers users_{config_.runas};
  UnixGroupDirectory groups_directory_;
  GroupService groups_{config_.accounts, store_->accounts(), users_, groups_directory_, false};
  AccountService accounts_{config_.accounts, store_->accounts(), users_, groups_};
  ReservationService service_{systems_, store_->reservations(), store_->accounts(), accounts_};
};

TEST_F(ReservationServiceTest, ASmallRequestIsApprovedByPolicyAtOnce) {
  auto r = service_.Request(kAlice, Ask("proj", 2, "1:00:00", "alice,bob"));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->state, ReservationState::kApproved);
  EXPECT_EQ(r->decided_by, "policy");
  EXPECT_EQ(r->users, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(r->client_id, "client-a");  // its secret signs the callbacks
  EXPECT_DOUBLE_EQ(r->EstimatedCharge(), 4);
  auto history = service_.History(kBob, "perlmutter", r->id);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].note, "approved by policy");
}

TEST_F(ReservationServiceTest, RefusalsNameTheirReasonAndStoreNothing) {
  auto not_member = service_.Request(kCarol, Ask("proj", 1, "1:00:00"));
  EXPECT_EQ(not_member.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(not_member.status().message(), "carol is not a member of project proj");
  auto ghost = service_.Request(kAlice, Ask("ghost", 1, "1:00:00"));
  EXPECT_EQ(ghost.status().field(), "account");
  auto outsider = service_.Request(kAlice, Ask("proj", 1, "1:00:00", "alice,carol"));
  EXPECT_EQ(outsider.status().field(), "users");
  EXPECT_EQ(outsider.status().message(), "carol is not a member of project proj");
  auto too_many = service_.Request(kAlice, Ask("proj", 5, "1:00:00"));
  EXPECT_EQ(too_many.status().message(),
            "policy max_nodes: 5 nodes asked; at most 4 on perlmutter");
  // 1 node x 1 h x charge factor 2 = 2 node-hours; "tiny" has 1.
  auto poor = service_.Request(kAlice, Ask("tiny", 1, "1:00:00"));
  EXPECT_EQ(poor.status().message(),
            "policy allocation: the reservation would charge 2 node-hours; project tiny has 1 "
            "left");
  auto unknown = service_.Request(kAlice, [] {
    auto q = Ask("proj", 1, "1:00:00");
    q.machine = "dtns";  // a filesystem system
    return q;
  }());
  EXPECT_FALSE(unknown.ok());
  EXPECT_EQ(Stored(), 0u);
}

TEST_F(ReservationServiceTest, LargeOnesWaitForAnOperatorWhoDecidesOnce) {
  auto big = service_.Request(kAlice, Ask("proj", 3, "2:00:00"));  // 6 node-hours > 4
  ASSERT_TRUE(big);
  EXPECT_EQ(big->state, ReservationState::kRequested);
  EXPECT_EQ(service_.Approve(kAlice, big->id).status().code(), Code::kPermissionDenied);
  auto approved = service_.Approve(kOperator, big->id);
  ASSERT_TRUE(approved) << approved.status().message();
  EXPECT_EQ(approved->state, ReservationState::kApproved);
  EXPECT_EQ(approved->decided_by, "operator:root");
  EXPECT_EQ(service_.Deny(kOperator, big->id, "too late").status().code(),
            Code::kFailedPrecondition);
  auto other = service_.Request(kCarol, Ask("other", 3, "2:00:00"));
  ASSERT_TRUE(other);
  auto denied = service_.Deny(kOperator, other->id, "not now");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->state, ReservationState::kDenied);
  EXPECT_EQ(denied->state_reason, "not now");
}

TEST_F(ReservationServiceTest, OthersSeeNothingAndOnlyTheRequesterAPiOrAnOperatorManage) {
  auto r = service_.Request(kBob, Ask("proj", 1, "1:00:00"));
  ASSERT_TRUE(r);
  EXPECT_EQ(service_.Get(kCarol, "perlmutter", r->id).status().code(), Code::kNotFound);
  EXPECT_EQ(service_.Cancel(kCarol, "perlmutter", r->id).status().code(), Code::kNotFound);
  EXPECT_TRUE(service_.List(kCarol, {})->empty());
  EXPECT_EQ(service_.List(kAlice, {})->size(), 1u);  // the PI sees the project's
  ReservationChangeRequest more;
  more.nodes = 2;
  auto changed = service_.Modify(kAlice, "perlmutter", r->id, more);  // the PI may
  ASSERT_TRUE(changed) << changed.status().message();
  auto cancelled = service_.Cancel(kBob, "perlmutter", r->id);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->state, ReservationState::kCancelled);
  EXPECT_EQ(service_.Cancel(kBob, "perlmutter", r->id).status().code(), Code::kFailedPrecondition);
}

TEST_F(ReservationServiceTest, AChangeBeyondPolicyIsRefusedAndChangesNothing) {
  auto r = service_.Request(kAlice, Ask("proj", 1, "1:00:00"));
  ASSERT_TRUE(r);
  ReservationChangeRequest longer;
  longer.duration = "30:00:00";
  auto refused = service_.Modify(kAlice, "perlmutter", r->id, longer);
  EXPECT_EQ(refused.status().code(), Code::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("policy max_duration_hours"), std::string::npos);
  auto kept = service_.Get(kAlice, "perlmutter", r->id);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->end - kept->start, 3600);
  EXPECT_FALSE(kept->pending_change);
}

TEST_F(ReservationServiceTest, AnOperatorMayReserveBeyondPolicyForMaintenance) {
  auto r = service_.Request(kOperator, Ask("proj", 4, "30:00:00", "alice"));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_TRUE(r->policy_override);
  EXPECT_EQ(r->state, ReservationState::kApproved);
  EXPECT_EQ(r->requested_by, "operator:root");
}

}  // namespace
}  // namespace sfapid
