// The local scheduler's reservation book: where a reservation is placed, which nodes a job may
// start on, why a bound job waits and how long it may run, with Slurm's words.
#include "backends/scheduler/local/reservation_book.h"

#include <gtest/gtest.h>

#include "backends/scheduler/slurm_time.h"

namespace sfapid::local {
namespace {

constexpr int64_t kNow = 1'800'000'000, kHour = 3600;

LocalReservation Held(const std::string& name, std::vector<int> nodes, int64_t start, int64_t end) {
  LocalReservation r;
  r.name = name;
  r.unix_users = {"alice"};
  r.account = "proj";
  r.nodes = static_cast<int>(nodes.size());
  r.start = start;
  r.end = end;
  r.node_ids = std::move(nodes);
  return r;
}

ReservationSpec Spec(int nodes, int64_t start, int64_t end) {
  ReservationSpec s;
  s.name = "new";
  s.account = "proj";
  s.nodes = nodes;
  s.start = start;
  s.end = end;
  return s;
}

LocalJob Running(int64_t id, std::vector<int> nodes, int64_t time_limit,
                 const std::string& reservation = "") {
  LocalJob j;
  j.id = id;
  j.state = JobState::kRunning;
  j.start_time = kNow - 60;
  j.time_limit = time_limit;
  j.node_ids = std::move(nodes);
  j.reservation = reservation;
  return j;
}

TEST(ReservationBook, PlacesOnTheLowestNodesNoOverlappingBlockHolds) {
  ReservationBook book;
  book.Put(Held("a", {0, 1}, kNow, kNow + 2 * kHour));
  book.Put(Held("later", {2}, kNow + 5 * kHour, kNow + 6 * kHour));
  auto nodes = book.Place(Spec(2, kNow + kHour, kNow + 3 * kHour), {}, {}, 4, {}, "");
  ASSERT_TRUE(nodes.ok());
  EXPECT_EQ(*nodes, (std::vector<int>{2, 3}));  // "later" does not overlap
  // After a's end its nodes are free again (a block ending at t frees them for one starting at t).
  EXPECT_EQ(*book.Place(Spec(2, kNow + 2 * kHour, kNow + 3 * kHour), {}, {}, 4, {}, ""),
            (std::vector<int>{0, 1}));
  auto busy = book.Place(Spec(3, kNow + kHour, kNow + 3 * kHour), {}, {}, 4, {}, "");
  EXPECT_EQ(busy.status().message(), kNodesBusyError);
}

TEST(ReservationBook, AJobStillRunningAtTheStartKeepsItsNodes) {
  ReservationBook book;
  JobMap jobs;
  jobs[1] = Running(1, {0}, 2 * kHour);  // ends at kNow + 2h - 60
  jobs[2] = Running(2, {1}, slurm::kUnlimited);
  const std::set<int64_t> active{1, 2};
  // Starting after job 1 ends: node 0 is free; node 1 never is.
  EXPECT_EQ(*book.Place(Spec(1, kNow + 2 * kHour, kNow + 3 * kHour), jobs, active, 2, {}, ""),
            std::vector<int>{0});
  EXPECT_FALSE(book.Place(Spec(1, kNow + kHour, kNow + 3 * kHour), jobs, active, 2, {}, "").ok());
}

TEST(ReservationBook, AChangedReservationKeepsItsNodesAndIsNotBlockedByItsOwnJobs) {
  ReservationBook book;
  book.Put(Held("mine", {1}, kNow, kNow + kHour));
  JobMap jobs;
  jobs[7] = Running(7, {1}, kHour, "mine");
  ReservationSpec bigger = Spec(2, kNow, kNow + 2 * kHour);
  bigger.name = "mine";
  auto nodes = book.Place(bigger, jobs, {7}, 3, {1}, "mine");
  ASSERT_TRUE(nodes.ok()) << nodes.status().message();
  EXPECT_EQ(*nodes, (std::vector<int>{0, 1}));
}

TEST(ReservationBook, BoundJobsUseOnlyTheirNodesWhileItIsActive) {
  ReservationBook book;
  book.Put(Held("r", {1}, kNow + kHour, kNow + 2 * kHour));
  LocalJob bound;
  bound.reservation = "r";
  bound.time_limit = 600;
  EXPECT_EQ(book.UsableNodes(bound, kNow, 3), (std::vector<bool>{false, false, false}));
  EXPECT_EQ(book.PendingReason(bound, kNow), "Reservation");
  EXPECT_EQ(book.UsableNodes(bound, kNow + kHour, 3), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(book.PendingReason(bound, kNow + kHour), "");
  EXPECT_EQ(book.PendingReason(bound, kNow + 2 * kHour), "ReservationDeleted");
  bound.reservation = "gone";
  EXPECT_EQ(book.PendingReason(bound, kNow), "ReservationDeleted");
}

TEST(ReservationBook, OtherJobsKeepOffNodesReservedBeforeTheyWouldEnd) {
  ReservationBook book;
  book.Put(Held("r", {1}, kNow + kHour, kNow + 2 * kHour));
  LocalJob job;
  job.time_limit = 30 * 60;  // ends before the reservation starts: any node
  EXPECT_EQ(book.UsableNodes(job, kNow, 2), (std::vector<bool>{true, true}));
  job.time_limit = 2 * kHour;  // would overlap it
  EXPECT_EQ(book.UsableNodes(job, kNow, 2), (std::vector<bool>{true, false}));
  job.time_limit = slurm::kUnlimited;
  EXPECT_EQ(book.UsableNodes(job, kNow, 2), (std::vector<bool>{true, false}));
}

TEST(ReservationBook, AJobInsideIsCutAtTheReservationsEnd) {
  ReservationBook book;
  book.Put(Held("r", {0}, kNow, kNow + kHour));
  LocalJob job;
  job.reservation = "r";
  job.time_limit = 2 * kHour;
  EXPECT_EQ(book.TimeLimitAt(job, kNow + 600), kHour - 600);
  job.time_limit = 60;
  EXPECT_EQ(book.TimeLimitAt(job, kNow + 600), 60);
  job.time_limit = slurm::kUnlimited;
  EXPECT_EQ(book.TimeLimitAt(job, kNow + 600), kHour - 600);
  job.reservation.clear();
  EXPECT_EQ(book.TimeLimitAt(job, kNow), slurm::kUnlimited);
}

TEST(LocalReservation, AdmitsListedUsersChargingItsAccountAndSurvivesItsRecord) {
  LocalReservation r = Held("r", {0, 2}, kNow, kNow + kHour);
  EXPECT_TRUE(r.Admits("alice", "proj"));
  EXPECT_FALSE(r.Admits("alice", "other"));
  EXPECT_FALSE(r.Admits("bob", "proj"));
  r.unix_users.clear();  // every user of the account
  EXPECT_TRUE(r.Admits("bob", "proj"));
  r.partition = "regular";
  r.constraint = "cpu";
  LocalReservation back = ReservationFromJson(ToJson(r));
  EXPECT_EQ(back.name, r.name);
  EXPECT_EQ(back.node_ids, r.node_ids);
  EXPECT_EQ(back.start, r.start);
  EXPECT_EQ(back.end, r.end);
  EXPECT_EQ(back.constraint, "cpu");
  EXPECT_TRUE(back.unix_users.empty());
  // A damaged record reads as empty fields, never throws.
  EXPECT_EQ(ReservationFromJson(boost::json::object{{"name", 3}, {"nodes", "x"}}).name, "");
}

}  // namespace
}  // namespace sfapid::local
