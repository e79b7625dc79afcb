// The reservation store against real SQLite files: every field kept, names unique while held,
// the admission limits checked in the write's own transaction (also between two stores on one
// file, as two sfapid nodes or the server and the operator's CLI), compare-and-set moves, the
// history and the notified mark.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace sfapid {
namespace {

constexpr int64_t kHour = 3600;

class ReservationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = Open(); }
  std::unique_ptr<Store> Open() {
    auto s = testing::OpenTestStore(dir_ / "sfapid.db");
    EXPECT_TRUE(s) << s.status().message();
    return s ? std::move(s).value() : nullptr;
  }
  ReservationStore& reservations() { return store_->reservations(); }

  static Reservation Block(const std::string& name, int nodes, int64_t start, int64_t end,
                           ReservationState state = ReservationState::kApproved,
                           const std::string& account = "proj") {
    Reservation r;
    r.name = name;
    r.machine = "perlmutter";
    r.account = account;
    r.users = {"alice", "bob"};
    r.nodes = nodes;
    r.start = start;
    r.end = end;
    r.state = state;
    r.requested_by = "alice";
    r.created_at = r.updated_at = 100;
    return r;
  }
  static ReservationEvent Event(const std::string& action, const std::string& state = "approved") {
    return ReservationEvent{0, 100, "alice", action, state, ""};
  }
  Result<int64_t> Add(const Reservation& r, ReservationLimits lim = {}) {
    return reservations().AddReservation(r, lim, Event("request"));
  }
  Reservation Get(int64_t id) {
    auto r = reservations().GetReservation(id);
    EXPECT_TRUE(r && *r);
    return r && *r ? **r : Reservation{};
  }

  testing::TempDir dir_{"resv-store"};
  std::unique_ptr<Store> store_;
};

TEST_F(ReservationStoreTest, KeepsEveryFieldAcrossAReopen) {
  Reservation r = Block("night", 3, 10 * kHour, 12 * kHour, ReservationState::kScheduled);
  r.all_members = true;
  r.users.clear();
  r.node_names = {"nid001", "nid002", "nid003"};
  r.partition = "regular";
  r.constraint = "cpu&bigmem";
  r.reason = "campaign, phase 2";
  r.state_reason = "waiting";
  r.decided_by = "operator:root";
  r.client_id = "client1";
  r.callback_url = "https://example.org/hook";
  r.callback_email = "alice@example.org";
  r.charge_factor = 1.5;
  r.charged = true;
  r.charged_node_hours = 9;
  r.policy_override = true;
  r.pending_change = ReservationChange{4, 11 * kHour, 13 * kHour, {"carol"}, false, "alice", true};
  auto id = Add(r);
  ASSERT_TRUE(id) << id.status().message();
  store_ = Open();  // a restart
  Reservation got = Get(*id);
  r.id = *id;
  EXPECT_EQ(got.name, r.name);
  EXPECT_EQ(got.users, r.users);
  EXPECT_TRUE(got.all_members);
  EXPECT_EQ(got.node_names, r.node_names);
  EXPECT_EQ(got.start, r.start);
  EXPECT_EQ(got.end, r.end);
  EXPECT_EQ(got.constraint, "cpu&bigmem");
  EXPECT_EQ(got.reason, "campaign, phase 2");
  EXPECT_EQ(got.state, ReservationState::kScheduled);
  EXPECT_EQ(got.decided_by, "operator:root");
  EXPECT_EQ(got.callback_email, "alice@example.org");
  EXPECT_DOUBLE_EQ(got.charge_factor, 1.5);
  EXPECT_DOUBLE_EQ(got.charged_node_hours, 9);
  EXPECT_TRUE(got.charged && got.policy_override && !got.released);
  ASSERT_TRUE(got.pending_change);
  EXPECT_EQ(got.pending_change->nodes, 4);
  EXPECT_EQ(got.pending_change->users, std::vector<std::string>{"carol"});
  EXPECT_TRUE(got.pending_change->approved);
}

TEST_F(ReservationStoreTest, ANameIsUniqueOnAMachineUntilItsReservationIsReleased) {
  auto first = Add(Block("dup", 1, 0, kHour));
  ASSERT_TRUE(first);
  auto again = Add(Block("dup", 1, 5 * kHour, 6 * kHour));
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "name: a reservation named 'dup' exists on perlmutter");
  Reservation elsewhere = Block("dup", 1, 0, kHour);
  elsewhere.machine = "other";
  EXPECT_TRUE(Add(elsewhere));
  // Cancelled but still held by the scheduler: the name is still taken.
  Reservation r = Get(*first);
  r.state = ReservationState::kCancelled;
  ASSERT_TRUE(
      *reservations().UpdateReservation(r, ReservationState::kApproved, {}, Event("cancel")));
  EXPECT_EQ(Add(Block("dup", 1, 5 * kHour, 6 * kHour)).status().code(), Code::kAlreadyExists);
  r.released = true;
  ASSERT_TRUE(
      *reservations().UpdateReservation(r, ReservationState::kCancelled, {}, Event("release")));
  EXPECT_TRUE(Add(Block("dup", 1, 5 * kHour, 6 * kHour)));
}

TEST_F(ReservationStoreTest, NodesAreCountedAtTheirPeakWithinTheWindow) {
  const ReservationLimits four{4, 0};
  ASSERT_TRUE(Add(Block("a", 2, 0, 2 * kHour), four));
  ASSERT_TRUE(Add(Block("b", 2, kHour, 3 * kHour), four));
  // [1h, 2h) already has 4: one more node there is refused, and nothing is stored.
  auto refused = Add(Block("c", 1, 90 * 60, 100 * 60), four);
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(),
            "nodes: 1 nodes are not free for the whole window: 4 of the 4 nodes of perlmutter "
            "are reserved then");
  EXPECT_EQ(reservations().ListReservations({})->size(), 2u);
  // Back to back with a: the block ending at 2h frees its nodes for one starting at 2h... but b
  // still holds 2 until 3h: 2 more fit.
  EXPECT_TRUE(Add(Block("d", 2, 2 * kHour, 3 * kHour), four));
  // Requested ones hold nothing; requests are admitted past the nodes.
  EXPECT_TRUE(Add(Block("e", 4, 0, 3 * kHour, ReservationState::kRequested), four));
  EXPECT_EQ(PeakReservedNodes(*reservations().ListReservations({}), 0, 3 * kHour), 8);
}

TEST_F(ReservationStoreTest, AProjectHasAtMostItsActiveReservations) {
  const ReservationLimits two{0, 2};
  ASSERT_TRUE(Add(Block("a", 1, 0, kHour, ReservationState::kRequested), two));
  auto b = Add(Block("b", 1, 0, kHour), two);
  ASSERT_TRUE(b);
  auto third = Add(Block("c", 1, 0, kHour), two);
  EXPECT_EQ(third.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(third.status().message().find("max_active_per_project: project proj already has 2"),
            std::string::npos);
  EXPECT_TRUE(Add(Block("x", 1, 0, kHour, ReservationState::kApproved, "other"), two));
  // A finished one no longer counts.
  Reservation done = Get(*b);
  done.state = ReservationState::kCompleted;
  ASSERT_TRUE(
      *reservations().UpdateReservation(done, ReservationState::kApproved, {}, Event("complete")));
  EXPECT_TRUE(Add(Block("c", 1, 0, kHour), two));
}

TEST_F(ReservationStoreTest, AMoveHappensOnlyFromTheExpectedStateAndWritesItsHistoryLine) {
  auto id = Add(Block("m", 1, 0, kHour));
  ASSERT_TRUE(id);
  Reservation r = Get(*id);
  r.state = ReservationState::kScheduled;
  r.node_names = {"nid001"};
  auto moved = reservations().UpdateReservation(r, ReservationState::kApproved, {},
                                                Event("schedule", "scheduled"));
  ASSERT_TRUE(moved);
  EXPECT_TRUE(*moved);
  // A second writer that still thinks it is approved loses and writes nothing.
  Reservation stale = r;
  stale.state = ReservationState::kCancelled;
  auto lost = reservations().UpdateReservation(stale, ReservationState::kApproved, {},
                                               Event("cancel", "cancelled"));
  ASSERT_TRUE(lost);
  EXPECT_FALSE(*lost);
  EXPECT_EQ(Get(*id).state, ReservationState::kScheduled);
  auto history = reservations().ReservationHistory(*id);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].action, "request");
  EXPECT_EQ((*history)[1].action, "schedule");
  EXPECT_EQ((*history)[1].state, "scheduled");
  // A change that would break the node limit is refused whole: neither row nor history moves.
  r.nodes = 5;
  auto over = reservations().UpdateReservation(r, ReservationState::kScheduled, {4, 0},
                                               Event("modify", "scheduled"));
  EXPECT_EQ(over.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(Get(*id).nodes, 1);
  EXPECT_EQ(reservations().ReservationHistory(*id)->size(), 2u);
}

TEST_F(ReservationStoreTest, RacingMovesFromTwoStoresOnOneFileHaveOneWinner) {
  auto id = Add(Block("race", 1, 0, kHour));
  ASSERT_TRUE(id);
  auto other = Open();  // another node on the same database
  std::atomic<int> wins{0}, losses{0};
  auto race = [&](ReservationStore& s, ReservationState to) {
    Reservation r = Get(*id);
    r.state = to;
    auto w = s.UpdateReservation(r, ReservationState::kApproved, {},
                                 Event("x", std::string(ReservationStateName(to))));
    ASSERT_TRUE(w) << w.status().message();
    (*w ? wins : losses)++;
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back(race, std::ref(i % 2 ? other->reservations() : reservations()),
                         i % 2 ? ReservationState::kCancelled : ReservationState::kScheduled);
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(losses.load(), 7);
  EXPECT_EQ(reservations().ReservationHistory(*id)->size(), 2u);  // request + the one winner
}

TEST_F(ReservationStoreTest, RacingRequestsFromTwoStoresNeverOverbookTheNodes) {
  auto other = Open();
  std::atomic<int> added{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      ReservationStore& s = i % 2 ? other->reservations() : reservations();
      auto id =
          s.AddReservation(Block("r" + std::to_string(i), 2, 0, kHour), {4, 0}, Event("request"));
      if (id)
        ++added;
      else if (id.status().code() == Code::kFailedPrecondition)
        ++refused;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(added.load(), 2);
  EXPECT_EQ(refused.load(), 6);
}

TEST_F(ReservationStoreTest, TheDriverSeesOnlyWhatItHasWorkOn) {
  auto requested = Add(Block("q", 1, 0, kHour, ReservationState::kRequested));
  auto approved = Add(Block("a", 1, 0, kHour));
  auto cancelled = Add(Block("c", 1, 0, kHour, ReservationState::kCancelled));
  Reservation released = Block("r", 1, 0, kHour, ReservationState::kCompleted);
  released.released = true;
  ASSERT_TRUE(Add(released) && requested && approved && cancelled);
  ReservationFilter f;
  f.needs_driving = true;
  auto work = reservations().ListReservations(f);
  ASSERT_TRUE(work);
  std::vector<std::string> names;
  for (const auto& r : *work) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "c"}));  // c: the scheduler may still hold it
}

TEST_F(ReservationStoreTest, VisibilityFollowsRequesterUsersAndProjects) {
  Reservation mine = Block("mine", 1, 0, kHour);
  Reservation listed = Block("listed", 1, 0, kHour, ReservationState::kApproved, "x");
  listed.requested_by = "carol";
  listed.users = {"alicex", "bob"};  // "alice" is not "alicex"
  Reservation project = Block("project", 1, 0, kHour, ReservationState::kApproved, "team");
  project.requested_by = "carol";
  project.users = {"carol"};
  ASSERT_TRUE(Add(mine) && Add(listed) && Add(project));
  auto names = [&](ReservationFilter f) {
    std::vector<std::string> out;
    auto rows = reservations().ListReservations(f);
    EXPECT_TRUE(rows);
    if (rows)
      for (const auto& r : *rows) out.push_back(r.name);
    return out;
  };
  ReservationFilter bob;
  bob.visible_to = "bob";
  EXPECT_EQ(names(bob), (std::vector<std::string>{"mine", "listed"}));
  ReservationFilter alice;
  alice.visible_to = "alice";
  EXPECT_EQ(names(alice), std::vector<std::string>{"mine"});
  // A name is matched whole and exactly: not as a pattern, not in another case.
  for (const char* other : {"bo_", "b%", "BOB", "%"}) {
    ReservationFilter f;
    f.visible_to = other;
    EXPECT_EQ(names(f), std::vector<std::string>{}) << other;
  }
  alice.visible_accounts = {"team"};
  EXPECT_EQ(names(alice), (std::vector<std::string>{"mine", "project"}));
}

TEST_F(ReservationStoreTest, NoticesComeOnceEachInOrderForReservationsWithCallbacks) {
  Reservation told = Block("told", 1, 0, kHour);
  told.callback_url = "https://example.org/hook";
  auto id = Add(told);
  ASSERT_TRUE(id && Add(Block("silent", 1, 0, kHour)));
  Reservation r = Get(*id);
  r.state = ReservationState::kScheduled;
  ASSERT_TRUE(*reservations().UpdateReservation(r, ReservationState::kApproved, {},
                                                Event("schedule", "scheduled")));
  auto notices = reservations().UnnotifiedEvents(10);
  ASSERT_TRUE(notices);
  ASSERT_EQ(notices->size(), 2u);  // the silent one's line is never offered
  EXPECT_EQ((*notices)[0].event.action, "request");
  EXPECT_EQ((*notices)[1].event.action, "schedule");
  EXPECT_LT((*notices)[0].seq, (*notices)[1].seq);
  ASSERT_TRUE(reservations().MarkNotified(*id, (*notices)[1].seq).ok());
  ASSERT_TRUE(reservations().MarkNotified(*id, (*notices)[0].seq).ok());  // never back
  store_ = Open();
  EXPECT_TRUE(reservations().UnnotifiedEvents(10)->empty());
}

}  // namespace
}  // namespace sfapid
