// Reading a reservation request and a change from the form's fields: each accepted form, and
// each bad value refused as Status::InvalidField naming its field with the words the user reads.
#include "core/reservations/reservation_request.h"

#include <gtest/gtest.h>

#include "util/time_format.h"

namespace sfapid {
namespace {

constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z

ReservationRequest Form() {
  ReservationRequest q;
  q.machine = "perlmutter";
  q.account = "proj";
  q.nodes = 2;
  q.start = "now";
  q.duration = "2:00:00";
  return q;
}

Status Read(const ReservationRequest& q, Reservation& r) {
  return ReadReservationRequest(q, "alice", kNow, r);
}

// The field and message of a refusal.
std::pair<std::string, std::string> Refusal(const ReservationRequest& q) {
  Reservation r;
  Status s = Read(q, r);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  return {s.field(), s.message()};
}

TEST(ReservationRequest, ReadsTheFormIntoAReservation) {
  ReservationRequest q = Form();
  q.name = "night.run-1";
  q.users = "bob, alice,bob";
  q.partition = "regular";
  q.constraint = "cpu&[a|b]*2";
  q.reason = "campaign";
  Reservation r;
  ASSERT_TRUE(Read(q, r).ok());
  EXPECT_EQ(r.name, "night.run-1");
  EXPECT_EQ(r.machine, "perlmutter");
  EXPECT_EQ(r.account, "proj");
  EXPECT_EQ(r.nodes, 2);
  EXPECT_EQ(r.start, kNow);
  EXPECT_EQ(r.end, kNow + 7200);
  EXPECT_EQ(r.users, (std::vector<std::string>{"alice", "bob"}));  // sorted, once each
  EXPECT_FALSE(r.all_members);
  EXPECT_EQ(r.constraint, "cpu&[a|b]*2");
}

TEST(ReservationRequest, DefaultsToTheRequesterAndAMadeUpName) {
  Reservation r;
  ASSERT_TRUE(Read(Form(), r).ok());
  EXPECT_EQ(r.users, std::vector<std::string>{"alice"});
  EXPECT_EQ(r.name.rfind("alice_", 0), 0u) << r.name;
  EXPECT_EQ(r.name.size(), 14u);
  EXPECT_TRUE(ValidReservationName(r.name));
  Reservation other;
  ASSERT_TRUE(Read(Form(), other).ok());
  EXPECT_NE(other.name, r.name);
}

TEST(ReservationRequest, StarIsEveryMember) {
  ReservationRequest q = Form();
  q.users = "*";
  Reservation r;
  ASSERT_TRUE(Read(q, r).ok());
  EXPECT_TRUE(r.all_members);
  EXPECT_TRUE(r.users.empty());
}

TEST(ReservationRequest, TimesWithAnOffsetAndAnEnd) {
  ReservationRequest q = Form();
  q.start = "2027-01-15T10:00:00+01:00";  // 09:00Z
  q.duration.clear();
  q.end = "2027-01-15T12:30:00Z";
  Reservation r;
  ASSERT_TRUE(Read(q, r).ok());
  EXPECT_EQ(FormatIso8601(TimePoint(std::chrono::seconds(r.start))), "2027-01-15T09:00:00+00:00");
  EXPECT_EQ(r.end - r.start, 3 * 3600 + 1800);
}

TEST(ReservationRequest, EachBadValueNamesItsField) {
  auto with = [](auto change) {
    ReservationRequest q = Form();
    change(q);
    return Refusal(q);
  };
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(with([](auto& q) { q.account = "no such"; }),
            P("account", "must be a project name (1-64 letters, digits, '_', '-', '.')"));
  EXPECT_EQ(with([](auto& q) { q.nodes = 0; }), P("nodes", "must be at least 1"));
  EXPECT_EQ(with([](auto& q) { q.nodes = 100001; }), P("nodes", "must be at most 100000"));
  EXPECT_EQ(with([](auto& q) { q.start = "2027-01-15T10:00:00"; }).first, "start");  // no offset
  EXPECT_EQ(with([](auto& q) { q.start = "2027-02-30T10:00:00Z"; }).first, "start");
  EXPECT_EQ(with([](auto& q) { q.start = "2027-01-15T07:58:00Z"; }), P("start", "is in the past"));
  EXPECT_EQ(with([](auto& q) { q.end = "2027-01-15T12:00:00Z"; }),
            P("duration", "give end or duration, not both"));
  EXPECT_EQ(with([](auto& q) { q.duration.clear(); }), P("end", "give end or duration"));
  EXPECT_EQ(with([](auto& q) {
              q.duration.clear();
              q.end = "2027-01-15T07:00:00Z";
            }),
            P("end", "must be after start"));
  EXPECT_EQ(with([](auto& q) { q.duration = "UNLIMITED"; }).first, "duration");
  EXPECT_EQ(with([](auto& q) { q.duration = "0"; }), P("duration", "must be positive"));
  EXPECT_EQ(with([](auto& q) { q.duration = "367-00:00:00"; }),
            P("duration", "must be at most 366 days"));
  EXPECT_EQ(with([](auto& q) { q.name = std::string(65, 'x'); }).first, "name");
  EXPECT_EQ(with([](auto& q) { q.name = "a,b"; }).first, "name");
  EXPECT_EQ(with([](auto& q) { q.users = "alice;rm -rf"; }),
            P("users", "'alice;rm -rf' is not a user name"));
  EXPECT_EQ(with([](auto& q) { q.partition = "p Flags=MAINT"; }),
            P("partition", "must be a partition name"));
  EXPECT_EQ(with([](auto& q) { q.constraint = "cpu Flags=MAINT"; }).first, "constraint");
  EXPECT_EQ(with([](auto& q) { q.constraint = "cpu=1"; }).first, "constraint");
  EXPECT_EQ(with([](auto& q) { q.reason = "line\nbreak"; }),
            P("reason", "must not contain control characters"));
  EXPECT_EQ(with([](auto& q) { q.reason = std::string(1025, 'r'); }),
            P("reason", "is longer than 1024 characters"));
}

TEST(ReservationChange, MovingTheStartKeepsTheLength) {
  Reservation r;
  ASSERT_TRUE(Read(Form(), r).ok());
  ReservationChangeRequest c;
  c.start = "2027-01-15T12:00:00Z";
  ASSERT_TRUE(ApplyReservationChange(c, "alice", kNow, r).ok());
  EXPECT_EQ(r.start, kNow + 4 * 3600);
  EXPECT_EQ(r.end, r.start + 7200);
  c = {};
  c.duration = "30";  // minutes, as sbatch reads it
  c.nodes = 3;
  c.users = "*";
  ASSERT_TRUE(ApplyReservationChange(c, "alice", kNow, r).ok());
  EXPECT_EQ(r.end - r.start, 1800);
  EXPECT_EQ(r.nodes, 3);
  EXPECT_TRUE(r.all_members);
}

TEST(ReservationChange, AnEmptyOrBadChangeIsRefusedAndChangesNothing) {
  Reservation r;
  ASSERT_TRUE(Read(Form(), r).ok());
  const Reservation before = r;
  EXPECT_EQ(ApplyReservationChange({}, "alice", kNow, r).message(),
            "give at least one of nodes, start, end, duration, users");
  ReservationChangeRequest c;
  c.nodes = 0;
  EXPECT_EQ(ApplyReservationChange(c, "alice", kNow, r).field(), "nodes");
  EXPECT_EQ(r.nodes, before.nodes);
  EXPECT_EQ(r.end, before.end);
}

}  // namespace
}  // namespace sfapid
