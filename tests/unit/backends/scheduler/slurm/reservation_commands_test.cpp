// The Slurm reservation commands: the argv sfapid gives scontrol, and what scontrol's answers mean,
// against text Slurm 22.05 printed on the test cluster (docs/slurm-samples/reservations.show.txt
// and the error lines quoted below).
#include "backends/scheduler/slurm/reservation_commands.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "backends/scheduler/slurm/hostlist.h"
#include "backends/scheduler/slurm_time.h"
#include "util/split.h"

namespace sfapid::slurm {
namespace {

using Args = std::vector<std::string>;

std::vector<std::string> SampleLines() {
  std::ifstream in(std::string(SFAPID_SLURM_SAMPLES) + "/reservations.show.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  return SplitList(ss.str(), '\n');
}

ReservationSpec Spec() {
  ReservationSpec s;
  s.name = "alice_0a1b2c3d";
  s.unix_users = {"alice", "bob"};
  s.account = "accta";
  s.nodes = 2;
  s.start = *ParseBegin("2026-12-04T07:26:22", 0);
  s.end = s.start + 3600;
  s.partition = "regular";
  s.constraint = "cpu&bigmem";
  return s;
}

TEST(Hostlist, WritesOutRangesWithTheirZeroPadding) {
  EXPECT_EQ(*ExpandHostlist("localhost"), Args{"localhost"});
  EXPECT_EQ(*ExpandHostlist("nid[008-010,017],login01"),
            (Args{"nid008", "nid009", "nid010", "nid017", "login01"}));
  EXPECT_EQ(*ExpandHostlist("n[1-2]-ib"), (Args{"n1-ib", "n2-ib"}));
  EXPECT_TRUE(ExpandHostlist("(null)")->empty());
  EXPECT_TRUE(ExpandHostlist("")->empty());
}

TEST(Hostlist, RefusesWhatIsNotAHostList) {
  EXPECT_FALSE(ExpandHostlist("nid[3-1]"));
  EXPECT_FALSE(ExpandHostlist("nid[1-"));
  EXPECT_FALSE(ExpandHostlist("nid]1["));
  EXPECT_FALSE(ExpandHostlist("nid[a-b]"));
  EXPECT_FALSE(ExpandHostlist("nid[]"));
  EXPECT_FALSE(ExpandHostlist("nid[1-1000000]"));  // past the limit: not millions of strings
  EXPECT_FALSE(ExpandHostlist("nid[1-3]", 2));
}

TEST(ReservationLine, ReadsAScheduledAndAnActiveReservation) {
  const auto lines = SampleLines();
  ASSERT_EQ(lines.size(), 2u);
  auto scheduled = ParseReservationLine(lines[0], 0);
  ASSERT_TRUE(scheduled.ok()) << scheduled.status().message();
  ASSERT_TRUE(scheduled->has_value());
  EXPECT_EQ((*scheduled)->name, "alice_0a1b2c3d");
  EXPECT_EQ(FormatTimestamp((*scheduled)->start), "2026-12-04T07:26:22");
  EXPECT_EQ((*scheduled)->end - (*scheduled)->start, 3600);
  EXPECT_EQ((*scheduled)->node_names, Args{"localhost"});
  EXPECT_FALSE((*scheduled)->active);  // State=INACTIVE

  EXPECT_EQ((*scheduled)->account, "accta");
  EXPECT_EQ((*scheduled)->unix_users, Args{"alice"});

  auto active = ParseReservationLine(lines[1], 0);
  ASSERT_TRUE(active.ok() && active->has_value());
  EXPECT_EQ((*active)->name, "proj.night");
  EXPECT_TRUE((*active)->active);
  EXPECT_TRUE((*active)->unix_users.empty());  // Users=(null): the whole account
}

TEST(ReservationLine, OnlySfapidsOwnCopyIsTakenOverAfterACrash) {
  ReservationSpec s = Spec();
  PlacedReservation same{s.name, {"localhost"}, s.start, s.end, false, "accta", {"bob", "alice"}};
  EXPECT_TRUE(IsMadeFrom(same, s));
  PlacedReservation other = same;
  other.account = "staff";
  EXPECT_FALSE(IsMadeFrom(other, s));  // an operator's window of the same name
  other = same;
  other.unix_users = {"alice"};
  EXPECT_FALSE(IsMadeFrom(other, s));
  other = same;
  other.end += 60;
  EXPECT_FALSE(IsMadeFrom(other, s));
}

TEST(ReservationLine, TheWholeListIsReadByName) {
  std::ifstream in(std::string(SFAPID_SLURM_SAMPLES) + "/reservations.show.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  auto all = ParseReservationList(ss.str(), 0);
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_TRUE(all->at("proj.night").active);
  EXPECT_FALSE(all->at("alice_0a1b2c3d").active);
  EXPECT_TRUE(ParseReservationList("No reservations in the system\n", 0)->empty());
  EXPECT_FALSE(ParseReservationList("slurm_load_reservations error: Unexpected message\n", 0).ok());
}

TEST(ReservationLine, NotFoundIsNoReservationAndGarbageIsAnError) {
  auto missing = ParseReservationLine("Reservation nosuch not found\n", 0);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(ParseReservationLine("No reservations in the system", 0).status().code(),
            Code::kInternal);
  EXPECT_EQ(
      ParseReservationLine("ReservationName=x StartTime=soon EndTime=later", 0).status().code(),
      Code::kInternal);
}

TEST(CreateArgs, NameEveryKeyOnceInItsOwnArgument) {
  const ReservationSpec s = Spec();
  auto args = CreateReservationArgs(s, s.start - 60);
  ASSERT_TRUE(args.ok()) << args.status().message();
  EXPECT_EQ(*args, (Args{"create", "reservation", "ReservationName=alice_0a1b2c3d",
                         "StartTime=2026-12-04T07:26:22", "EndTime=2026-12-04T08:26:22",
                         "NodeCnt=2", "Accounts=accta", "Users=alice,bob", "PartitionName=regular",
                         "Features=cpu&bigmem"}));
}

TEST(CreateArgs, AStartAlreadyReachedIsNowAndNoUsersMeansTheWholeAccount) {
  ReservationSpec s = Spec();
  s.unix_users.clear();
  s.partition.clear();
  s.constraint.clear();
  auto args = CreateReservationArgs(s, s.start + 5);
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(*args, (Args{"create", "reservation", "ReservationName=alice_0a1b2c3d", "StartTime=now",
                         "EndTime=2026-12-04T08:26:22", "NodeCnt=2", "Accounts=accta"}));
}

TEST(CreateArgs, RefuseValuesThatCouldCarryAnotherKey) {
  auto refused = [](auto change) {
    ReservationSpec s = Spec();
    change(s);
    auto args = CreateReservationArgs(s, 0);
    return !args.ok() && args.status().code() == Code::kInvalidArgument;
  };
  EXPECT_TRUE(refused([](auto& s) { s.unix_users = {"bob Flags=IGNORE_JOBS"}; }));
  EXPECT_TRUE(refused([](auto& s) { s.unix_users = {"root,alice"}; }));
  EXPECT_TRUE(refused([](auto& s) { s.name = "a b"; }));
  EXPECT_TRUE(refused([](auto& s) { s.name = ""; }));
  EXPECT_TRUE(refused([](auto& s) { s.account = "accta Users=root"; }));
  EXPECT_TRUE(refused([](auto& s) { s.partition = "p=1"; }));
  EXPECT_TRUE(refused([](auto& s) { s.constraint = "cpu Flags=MAINT"; }));
  EXPECT_TRUE(refused([](auto& s) { s.nodes = 0; }));
  EXPECT_TRUE(refused([](auto& s) { s.end = s.start; }));
}

TEST(UpdateArgs, LeaveAStartedReservationsStartAlone) {
  ReservationSpec s = Spec();
  PlacedReservation current{s.name, {"localhost"}, s.start, s.end - 600, true};
  auto args = UpdateReservationArgs(s, current, s.start + 10);
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(*args, (Args{"update", "reservation", "ReservationName=alice_0a1b2c3d",
                         "EndTime=2026-12-04T08:26:22", "NodeCnt=2", "Users=alice,bob"}));
}

TEST(UpdateArgs, MoveTheStartAndClearTheUsers) {
  ReservationSpec s = Spec();
  s.unix_users.clear();
  PlacedReservation current{s.name, {}, s.start - 3600, s.end, false};
  auto args = UpdateReservationArgs(s, current, 0);
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(*args, (Args{"update", "reservation", "ReservationName=alice_0a1b2c3d",
                         "StartTime=2026-12-04T07:26:22", "EndTime=2026-12-04T08:26:22",
                         "NodeCnt=2", "Users="}));
}

CommandResult Failed(std::string err, std::string out = "") {
  CommandResult r;
  r.exit_code = 1;
  r.err = std::move(err);
  r.out = std::move(out);
  return r;
}

TEST(ScontrolFailure, NamesWhatSlurmSaid) {
  // What scontrol printed for a name in use, busy nodes and a change it refused.
  Status dup = ScontrolFailure(
      Failed("Error creating the reservation: Duplicate reservation name\n"), "create");
  EXPECT_EQ(dup.code(), Code::kAlreadyExists);
  Status busy = ScontrolFailure(
      Failed("Error creating the reservation: Requested nodes are busy\n",
             "Note, unless nodes are directly requested a reservation must exist in a single "
             "partition.\nIf no partition is requested the default partition is assumed.\n"),
      "create");
  EXPECT_EQ(busy.code(), Code::kInvalidArgument);
  EXPECT_EQ(busy.message(), "Error creating the reservation: Requested nodes are busy");
  Status started =
      ScontrolFailure(Failed("Error updating the reservation: Reservation already started\n"
                             "slurm_update error: Reservation already started\n"),
                      "update");
  EXPECT_EQ(started.message(), "Error updating the reservation: Reservation already started");
}

TEST(ScontrolFailure, ANoAnswerIsUnavailableToTryAgain) {
  EXPECT_EQ(ScontrolFailure(Failed("Error creating the reservation: Unable to contact slurm "
                                   "controller (connect failure)\n"),
                            "create")
                .code(),
            Code::kUnavailable);
  CommandResult slow = Failed("");
  slow.exit_code = 137;
  slow.timed_out = true;
  EXPECT_EQ(ScontrolFailure(slow, "create").code(), Code::kUnavailable);
  CommandResult never;  // exit -1: it could not be started
  EXPECT_EQ(ScontrolFailure(never, "create").code(), Code::kUnavailable);
  EXPECT_EQ(ScontrolFailure(Failed(""), "scontrol delete reservation").message(),
            "scontrol delete reservation failed (scontrol exit 1)");
}

}  // namespace
}  // namespace sfapid::slurm
