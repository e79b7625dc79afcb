// The lifecycle driver against a real SQLite store and a scripted scheduler: each pass moves a
// reservation as the clock and the scheduler say, and whatever a crash or an unreachable
// scheduler interrupted is done on a later pass exactly once.
#include "core/reservations/reservation_lifecycle.h"

#include <gtest/gtest.h>

#include "core/accounts/group_directory.h"
#include "core/accounts/group_service.h"
#include "support/test_store.h"
#include "support/test_systems.h"

namespace sfapid {
namespace {

constexpr int64_t kNow = 1'800'000'000, kHour = 3600;

// Holds reservations by name; each call can be made to fail once with a given status.
class ScriptedScheduler : public Scheduler {
 public:
  std::string backend_name() const override { return "scripted"; }
  Status Health() override { return Status::Ok(); }
  void SetJobEndedHandler(JobEndedHandler) override {}
  void Start() override {}
  void Stop() override {}
  Result<std::string> Submit(const JobScript&) override { return Status::Internal("unused"); }
  Result<std::vector<SerializedRow>> Query(const JobQuery&) override {
    return std::vector<SerializedRow>{};
  }
  Status Cancel(const UnixIdentity&, const std::string&) override { return Status::Ok(); }
  Status UpdateJob(const UnixIdentity&, const std::string&, const JobChanges&) override {
    return Status::Ok();
  }
  Result<std::string> DefaultAccount(const UnixIdentity&) override { return std::string("proj"); }

  Result<PlacedReservation> CreateReservation(const ReservationSpec& spec) override {
    ++creates;
    if (auto s = Next(); !s.ok()) return s;
    if (held.count(spec.name))
      return Status::AlreadyExists("Error creating the reservation: Duplicate reservation name");
    return held[spec.name] = Placed(spec);
  }
  Result<PlacedReservation> UpdateReservation(const ReservationSpec& spec) override {
    updates.push_back(spec);
    if (auto s = Next(); !s.ok()) return s;
    return held[spec.name] = Placed(spec);
  }
  Status DeleteReservation(const std::string& name) override {
    ++deletes;
    if (auto s = Next(); !s.ok()) return s;
    held.erase(name);
    return Status::Ok();
  }
  Result<std::optional<PlacedReservation>> GetReservation(const std::string& name) override {
    auto it = held.find(name);
    if (it == held.end()) return std::optional<PlacedReservation>();
    return std::optional<PlacedReservation>(it->second);
  }
  Result<int> ReservableNodes() override { return 4; }

  static PlacedReservation Placed(const ReservationSpec& spec) {
    PlacedReservation p{spec.name, {}, spec.start, spec.end, false, spec.account, spec.unix_users};
    for (int i = 1; i <= spec.nodes; ++i) p.node_names.push_back("nid00" + std::to_string(i));
    return p;
  }

  std::map<std::string, PlacedReservation> held;
  std::vector<Status> fail_next;  // consumed one per call
  std::vector<ReservationSpec> updates;
  int creates = 0, deletes = 0;

 private:
  Status Next() {
    if (fail_next.empty()) return Status::Ok();
    Status s = fail_next.front();
    fail_next.erase(fail_next.begin());
    return s;
  }
};

class ReservationLifecycleTest : public ::testing::Test {
 protected:
  ReservationStore& store() { return store_->reservations(); }

  int64_t Add(ReservationState state, int nodes, int64_t start, int64_t end) {
    Reservation r;
    r.name = "r" + std::to_string(++count_);
    r.machine = "perlmutter";
    r.account = "proj";
    r.users = {"alice"};
    r.nodes = nodes;
    r.start = start;
    r.end = end;
    r.state = state;
    r.charge_factor = 2;
    r.requested_by = "alice";
    auto id = store().AddReservation(r, {}, {0, kNow, "alice", "request", "approved", ""});
    EXPECT_TRUE(id) << id.status().message();
    return id ? *id : 0;
  }
  Reservation Get(int64_t id) { return **store().GetReservation(id); }
  std::vector<std::string> Actions(int64_t id) {
    std::vector<std::string> out;
    auto history = store().ReservationHistory(id);
    EXPECT_TRUE(history);
    if (history)
      for (const auto& e : *history) out.push_back(e.action);
    return out;
  }
  // Moves it as the API or the operator's CLI would.
  void Set(int64_t id, ReservationState to, std::function<void(Reservation&)> also = {}) {
    Reservation r = Get(id);
    const ReservationState from = r.state;
    r.state = to;
    if (also) also(r);
    ASSERT_TRUE(*store().UpdateReservation(r, from, {}, {id, kNow, "alice", "x", "", ""}));
  }

  testing::TestStore store_;
  std::vector<SystemConfig> systems_ = testing::TestSystems();
  Config config_;
  UserDirectory users_{config_.runas};
  UnixGroupDirectory groups_directory_;
  GroupService groups_{config_.accounts, store_->accounts(), users_, groups_directory_, false};
  AccountService accounts_{config_.accounts, store_->accounts(), users_, groups_};
  ScriptedScheduler scheduler_;
  ReservationService service_{
      systems_, store(), store_->accounts(), accounts_, {{"perlmutter", &scheduler_}}};
  ReservationLifecycle lifecycle_{store(), service_, users_, {{"perlmutter", &scheduler_}}};
  int count_ = 0;
};

TEST_F(ReservationLifecycleTest, ANowReservationIsPlacedActivatedAndChargedInOnePass) {
  const int64_t id = Add(ReservationState::kApproved, 2, kNow, kNow + kHour);
  lifecycle_.Pass(kNow);
  const Reservation r = Get(id);
  EXPECT_EQ(r.state, ReservationState::kActive);
  EXPECT_EQ(r.node_names, (std::vector<std::string>{"nid001", "nid002"}));
  EXPECT_TRUE(r.charged);
  EXPECT_DOUBLE_EQ(r.charged_node_hours, 4);  // 2 nodes x 1 h x charge factor 2
  EXPECT_EQ(Actions(id), (std::vector<std::string>{"request", "schedule", "activate"}));
  EXPECT_EQ(scheduler_.held.at(Get(id).name).unix_users, std::vector<std::string>{"alice"});
  lifecycle_.Pass(kNow + 10);  // nothing more to do
  EXPECT_EQ(Actions(id).size(), 3u);
  EXPECT_EQ(scheduler_.creates, 1);
}

TEST_F(ReservationLifecycleTest, AtItsEndItCompletesAndIsRemovedOnce) {
  const int64_t id = Add(ReservationState::kApproved, 1, kNow, kNow + kHour);
  lifecycle_.Pass(kNow);
  lifecycle_.Pass(kNow + kHour);
  EXPECT_EQ(Get(id).state, ReservationState::kCompleted);
  EXPECT_TRUE(Get(id).released);
  EXPECT_TRUE(scheduler_.held.empty());
  lifecycle_.Pass(kNow + kHour + 5);
  EXPECT_EQ(scheduler_.deletes, 1);
  EXPECT_EQ(Actions(id),
            (std::vector<std::string>{"request", "schedule", "activate", "complete", "release"}));
}

TEST_F(ReservationLifecycleTest, TheSchedulersRefusalFailsItInItsWordsAndHoldsNothing) {
  const int64_t id = Add(ReservationState::kApproved, 1, kNow + kHour, kNow + 2 * kHour);
  scheduler_.fail_next = {
      Status::InvalidArgument("Error creating the reservation: Invalid feature specification")};
  lifecycle_.Pass(kNow);
  const Reservation r = Get(id);
  EXPECT_EQ(r.state, ReservationState::kFailed);
  EXPECT_EQ(r.state_reason, "Error creating the reservation: Invalid feature specification");
  EXPECT_TRUE(r.released);
  lifecycle_.Pass(kNow + 5);
  EXPECT_EQ(scheduler_.deletes, 0);  // nothing to remove: never touch a same-named other
}

TEST_F(ReservationLifecycleTest, AnUnreachableSchedulerIsTriedAgainNextPass) {
  const int64_t id = Add(ReservationState::kApproved, 1, kNow + kHour, kNow + 2 * kHour);
  scheduler_.fail_next = {Status::Unavailable("Unable to contact slurm controller")};
  lifecycle_.Pass(kNow);
  EXPECT_EQ(Get(id).state, ReservationState::kApproved);
  EXPECT_EQ(Actions(id), std::vector<std::string>{"request"});
  lifecycle_.Pass(kNow + 1);
  EXPECT_EQ(Get(id).state, ReservationState::kScheduled);
}

TEST_F(ReservationLifecycleTest, ACopyMadeBeforeACrashIsAdoptedNotMadeTwice) {
  const int64_t id = Add(ReservationState::kApproved, 1, kNow + kHour, kNow + 2 * kHour);
  // The scheduler made it, then sfapid died before writing "scheduled".
  scheduler_.held[Get(id).name] = ScriptedScheduler::Placed(lifecycle_.SpecOf(Get(id)));
  lifecycle_.Pass(kNow);
  EXPECT_EQ(Get(id).state, ReservationState::kScheduled);
  EXPECT_EQ(Get(id).node_names, std::vector<std::string>{"nid001"});
  EXPECT_EQ(scheduler_.held.size(), 1u);
}

TEST_F(ReservationLifecycleTest, OneRemovedFromTheSchedulerBySomeoneElseFailsSayingSo) {
  const int64_t id = Add(ReservationState::kApproved, 1, kNow + kHour, kNow + 2 * kHour);
  const int64_t ending = Add(ReservationState::kApproved, 1, kNow, kNow + 30);
  lifecycle_.Pass(kNow);
  scheduler_.held.clear();  // an operator's scontrol delete
  lifecycle_.Pass(kNow + 1);
  const Reservation r = Get(id);
  EXPECT_EQ(r.state, ReservationState::kFailed);
  EXPECT_EQ(r.state_reason, "removed from the scripted scheduler outside sfapid");
  EXPECT_TRUE(r.released);
  EXPECT_FALSE(r.charged);
  // Within a minute of its end the scheduler may end it first: that one completes as usual.
  EXPECT_EQ(Get(ending).state, ReservationState::kActive);
  lifecycle_.Pass(kNow + 30);
  EXPECT_EQ(Get(ending).state, ReservationState::kCompleted);
  EXPECT_EQ(scheduler_.deletes, 1);  // the ended one; never the one already gone
}

TEST_F(ReservationLifecycleTest, ACancelledOneIsRemovedEvenIfTheFirstTryFails) {
  const int64_t id = Add(ReservationState::kApproved, 1, kNow + kHour, kNow + 2 * kHour);
  lifecycle_.Pass(kNow);
  Set(id, ReservationState::kCancelled);
  scheduler_.fail_next = {Status::Unavailable("slurmctld down")};
  lifecycle_.Pass(kNow + 1);
  EXPECT_FALSE(Get(id).released);
  EXPECT_EQ(scheduler_.held.size(), 1u);
  lifecycle_.Pass(kNow + 2);
  EXPECT_TRUE(Get(id).released);
  EXPECT_TRUE(scheduler_.held.empty());
  EXPECT_EQ(scheduler_.deletes, 2);
}

TEST_F(ReservationLifecycleTest, AnApprovedChangeReachesTheSchedulerOrIsRefusedKeepingTheOld) {
  const int64_t id = Add(ReservationState::kApproved, 1, kNow + kHour, kNow + 2 * kHour);
  lifecycle_.Pass(kNow);
  Set(id, ReservationState::kScheduled, [](Reservation& r) {
    r.pending_change =
        ReservationChange{2, r.start, r.end + kHour, {"alice", "bob"}, false, "alice", true};
  });
  lifecycle_.Pass(kNow + 1);
  Reservation r = Get(id);
  EXPECT_FALSE(r.pending_change);
  EXPECT_EQ(r.nodes, 2);
  EXPECT_EQ(r.end, kNow + 3 * kHour);
  EXPECT_EQ(r.node_names.size(), 2u);
  ASSERT_EQ(scheduler_.updates.size(), 1u);
  EXPECT_EQ(scheduler_.updates[0].unix_users, (std::vector<std::string>{"alice", "bob"}));

  Set(id, ReservationState::kScheduled, [](Reservation& r) {
    r.pending_change = ReservationChange{3, r.start, r.end, r.users, false, "alice", true};
  });
  scheduler_.fail_next = {
      Status::InvalidArgument("Error updating the reservation: Requested nodes are busy")};
  lifecycle_.Pass(kNow + 2);
  r = Get(id);
  EXPECT_FALSE(r.pending_change);
  EXPECT_EQ(r.nodes, 2);
  EXPECT_EQ(r.state, ReservationState::kScheduled);
  EXPECT_EQ(r.state_reason,
            "change refused: Error updating the reservation: Requested nodes are busy");
}

}  // namespace
}  // namespace sfapid
