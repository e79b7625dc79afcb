#include "domain/job_state.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "backends/scheduler/job_fields.h"

namespace sfapid {
namespace {

TEST(JobState, EveryStateRoundTripsThroughSlurmsNameAndCode) {
  std::set<std::string_view> names, codes;
  for (JobState s : AllJobStates()) {
    EXPECT_EQ(ParseJobState(JobStateName(s)), s) << JobStateName(s);
    EXPECT_EQ(ParseJobStateLoosely(JobStateCode(s)), s) << JobStateCode(s);
    names.insert(JobStateName(s));
    codes.insert(JobStateCode(s));
  }
  EXPECT_EQ(names.size(), AllJobStates().size());
  EXPECT_EQ(codes.size(), AllJobStates().size());
}

TEST(JobState, TheNamesUsersSeeAreSlurms) {
  EXPECT_EQ(JobStateName(JobState::kPending), "PENDING");
  EXPECT_EQ(JobStateName(JobState::kOutOfMemory), "OUT_OF_MEMORY");
  EXPECT_EQ(JobStateName(JobState::kNodeFail), "NODE_FAIL");
  EXPECT_EQ(JobStateName(JobState::kBootFail), "BOOT_FAIL");
  EXPECT_EQ(JobStateCode(JobState::kRunning), "R");
  EXPECT_EQ(JobStateCode(JobState::kOutOfMemory), "OOM");
}

TEST(JobState, ExactParsingRefusesOtherText) {
  EXPECT_EQ(ParseJobState("pending"), std::nullopt);
  EXPECT_EQ(ParseJobState("PD"), std::nullopt);
  EXPECT_EQ(ParseJobState("CANCELLED by 1001"), std::nullopt);
  EXPECT_EQ(ParseJobState(""), std::nullopt);
}

TEST(JobState, FiltersNameStatesLooselyAndSacctAddsWhoCancelled) {
  EXPECT_EQ(ParseJobStateLoosely("pd"), JobState::kPending);
  EXPECT_EQ(ParseJobStateLoosely("Running"), JobState::kRunning);
  EXPECT_EQ(ParseJobStateLoosely("oom"), JobState::kOutOfMemory);
  EXPECT_EQ(ParseJobStateLoosely("nope"), std::nullopt);
  EXPECT_EQ(ParseSacctJobState("CANCELLED by 1001"), JobState::kCancelled);
  EXPECT_EQ(ParseSacctJobState("TIMEOUT"), JobState::kTimeout);
}

TEST(JobState, EndedStates) {
  for (JobState s : {JobState::kCompleted, JobState::kFailed, JobState::kCancelled,
                     JobState::kTimeout, JobState::kNodeFail, JobState::kOutOfMemory,
                     JobState::kPreempted, JobState::kBootFail, JobState::kDeadline})
    EXPECT_TRUE(IsTerminal(s)) << JobStateName(s);
  for (JobState s : {JobState::kPending, JobState::kRunning, JobState::kCompleting,
                     JobState::kSuspended, JobState::kRequeued, JobState::kConfiguring})
    EXPECT_FALSE(IsTerminal(s)) << JobStateName(s);
}

// The text functions rows use agree with the enum, and keep their answers for text no state names.
TEST(JobState, RowTextFunctionsAgreeWithTheEnum) {
  EXPECT_EQ(slurm::ShortState("PENDING"), "PD");
  EXPECT_EQ(slurm::ShortState("pending"), "");
  EXPECT_EQ(slurm::NormalizeState("cd"), "COMPLETED");
  EXPECT_EQ(slurm::NormalizeState("x"), "");
  EXPECT_TRUE(slurm::IsTerminalState("CANCELLED by 1001"));
  EXPECT_TRUE(slurm::IsTerminalState("COMPLETED"));
  EXPECT_FALSE(slurm::IsTerminalState("RUNNING"));
  EXPECT_FALSE(slurm::IsTerminalState(""));
  ASSERT_EQ(slurm::JobStates().size(), AllJobStates().size());
  EXPECT_EQ(slurm::JobStates().front(), "BOOT_FAIL");
  EXPECT_EQ(slurm::JobStates().back(), "TIMEOUT");
}

}  // namespace
}  // namespace sfapid
