// The local scheduler's one-owner rule with several nodes on one store (SQLite, or PostgreSQL
// under tests/run-on-postgres): the first node claims the system and keeps it across restarts, the
// others refuse its jobs and reservations naming the owner, and an operator can move it.
#include <gtest/gtest.h>

#include "backends/scheduler/scheduler.h"
#include "config/config.h"
#include "support/fake_run_as.h"
#include "support/test_store.h"

namespace sfapid {
namespace {

class SchedulerOwnerTest : public ::testing::Test {
 protected:
  SchedulerOwnerTest() {
    system_.name = "perlmutter";
    system_.system_type = SystemType::kCompute;
    system_.scheduler.backend = "local";
  }
  std::unique_ptr<Scheduler> Make(const std::string& node) {
    SchedulerPeers peers{&store_->views(), &store_->owners(), node};
    auto made = MakeScheduler(system_, dir_ / node, runas_, peers);
    EXPECT_TRUE(made) << made.status().message();
    return made ? std::move(made).value() : nullptr;
  }
  static bool Runs(Scheduler& s) { return s.Health().ok() && s.ReservableNodes().ok(); }

  SystemConfig system_;
  testing::TestStore store_;
  testing::TempDir dir_{"owner"};
  testing::FakeRunAs runas_;
};

TEST_F(SchedulerOwnerTest, TheFirstNodeRunsItAndTheOthersRefuseNamingIt) {
  auto a = Make("node-a");
  auto b = Make("node-b");
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(Runs(*a));
  auto refused = b->Submit(JobScript{});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), Code::kUnavailable);
  EXPECT_EQ(refused.status().message(),
            "perlmutter's jobs run on the local scheduler of sfapid node node-a, not on this node "
            "(node-b): send this request to node-a (behind a load balancer, route "
            "/compute/jobs/perlmutter and its reservations to it)");
  EXPECT_FALSE(b->Query(JobQuery{}));
  EXPECT_FALSE(b->Cancel(UnixIdentity{}, "1").ok());
  EXPECT_FALSE(b->ReservableNodes());
  EXPECT_FALSE(b->GetReservation("r1"));
  EXPECT_TRUE(b->Health().ok()) << "the system is up; it runs elsewhere";
}

TEST_F(SchedulerOwnerTest, TheOwnerKeepsItAcrossRestartsAndAnOperatorMovesIt) {
  Make("node-a").reset();
  auto again = Make("node-a");
  EXPECT_TRUE(Runs(*again));
  again.reset();
  ASSERT_TRUE(store_->owners().SetOwner("perlmutter", "node-b").ok());
  EXPECT_FALSE(Make("node-a")->ReservableNodes());
  EXPECT_TRUE(Runs(*Make("node-b")));
}

TEST_F(SchedulerOwnerTest, ANodeAloneOnItsStoreRunsItWithoutAClaim) {
  auto alone = MakeScheduler(system_, dir_ / "alone", runas_, SchedulerPeers{});
  ASSERT_TRUE(alone);
  EXPECT_TRUE(Runs(**alone));
  auto owner = store_->owners().ClaimOwner("perlmutter", "node-z");
  ASSERT_TRUE(owner);
  EXPECT_EQ(*owner, "node-z") << "nothing was claimed before";
}

}  // namespace
}  // namespace sfapid
