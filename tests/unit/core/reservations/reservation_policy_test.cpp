// Each rule of [systems.reservations] alone: what it refuses, in the words the user reads, and
// the edges it must let through.
#include "core/reservations/reservation_policy.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

constexpr int64_t kNow = 1'800'000'000, kHour = 3600;

ReservationPolicy Policy() {
  ReservationPolicy p;
  p.enabled = true;
  p.min_lead_hours = 2;
  p.max_nodes = 4;
  p.max_duration_hours = 12;
  p.auto_approve_node_hours = 8;
  p.cancellation_notice_hours = 24;
  return p;
}

Reservation Asked(int nodes, int64_t start, int64_t hours) {
  Reservation r;
  r.machine = "perlmutter";
  r.nodes = nodes;
  r.start = start;
  r.end = start + hours * kHour;
  return r;
}

TEST(ReservationPolicy, AcceptsWhatMeetsEveryRule) {
  EXPECT_TRUE(CheckReservationPolicy(Policy(), Asked(4, kNow + 2 * kHour, 12), kNow, 10).ok());
}

TEST(ReservationPolicy, ASystemWithoutItTakesNoRequests) {
  ReservationPolicy p = Policy();
  p.enabled = false;
  Status s = CheckReservationPolicy(p, Asked(1, kNow + 3 * kHour, 1), kNow, 10);
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "policy enabled: perlmutter takes no reservation requests; ask the facility");
}

TEST(ReservationPolicy, TheStartMustBeFarEnoughAheadWithAMinuteOfSlack) {
  Status s = CheckReservationPolicy(Policy(), Asked(1, kNow + kHour, 1), kNow, 10);
  EXPECT_EQ(s.message(),
            "policy min_lead_hours: the start is 1 hours ahead; it must be at least 2 hours ahead");
  // Typed a moment ago: 30 s short of the lead is let through, 2 minutes is not.
  EXPECT_TRUE(CheckReservationPolicy(Policy(), Asked(1, kNow + 2 * kHour - 30, 1), kNow, 10).ok());
  EXPECT_FALSE(
      CheckReservationPolicy(Policy(), Asked(1, kNow + 2 * kHour - 120, 1), kNow, 10).ok());
}

TEST(ReservationPolicy, NodesAreCappedByThePolicyOrElseTheCluster) {
  Status s = CheckReservationPolicy(Policy(), Asked(5, kNow + 3 * kHour, 1), kNow, 10);
  EXPECT_EQ(s.message(), "policy max_nodes: 5 nodes asked; at most 4 on perlmutter");
  ReservationPolicy whole = Policy();
  whole.max_nodes = 0;  // the whole cluster
  EXPECT_TRUE(CheckReservationPolicy(whole, Asked(10, kNow + 3 * kHour, 1), kNow, 10).ok());
  EXPECT_EQ(CheckReservationPolicy(whole, Asked(11, kNow + 3 * kHour, 1), kNow, 10).message(),
            "policy max_nodes: 11 nodes asked; at most 10 on perlmutter");
}

TEST(ReservationPolicy, DurationIsCappedToTheSecond) {
  Reservation r = Asked(1, kNow + 3 * kHour, 12);
  EXPECT_TRUE(CheckReservationPolicy(Policy(), r, kNow, 10).ok());
  r.end += 36;  // 12.01 hours
  EXPECT_EQ(CheckReservationPolicy(Policy(), r, kNow, 10).message(),
            "policy max_duration_hours: 12.01 hours asked; at most 12");
}

TEST(ReservationPolicy, LargeBlocksWaitForAnOperator) {
  EXPECT_FALSE(NeedsOperatorApproval(Policy(), Asked(4, kNow, 2)));  // 8 node-hours: at the line
  EXPECT_TRUE(NeedsOperatorApproval(Policy(), Asked(3, kNow, 3)));   // 9
  ReservationPolicy every = Policy();
  every.auto_approve_node_hours = 0;
  EXPECT_TRUE(NeedsOperatorApproval(every, Asked(1, kNow, 1)));
}

TEST(ReservationPolicy, CancellingInsideTheNoticeOrAfterTheStartCharges) {
  const Reservation r = Asked(1, kNow + 48 * kHour, 1);
  EXPECT_FALSE(CancellationCharges(Policy(), r, kNow));               // 48 h ahead
  EXPECT_FALSE(CancellationCharges(Policy(), r, kNow + 24 * kHour));  // exactly the notice
  EXPECT_TRUE(CancellationCharges(Policy(), r, kNow + 24 * kHour + 1));
  EXPECT_TRUE(CancellationCharges(Policy(), r, kNow + 49 * kHour));  // after the start
  ReservationPolicy none = Policy();
  none.cancellation_notice_hours = 0;
  EXPECT_FALSE(CancellationCharges(none, r, r.start - 1));
  EXPECT_TRUE(CancellationCharges(none, r, r.start + 1));
}

}  // namespace
}  // namespace sfapid
