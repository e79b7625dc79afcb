// A filesystem operation's program run as the user (through a fake RunAs that runs it for real):
// its stdout collected, its failure told by the first line of its stderr (without the worker's
// "sfapid: "), and the output cap and the time limit stopping it.
#include "core/files/user_program.h"

#include <gtest/gtest.h>

#include "support/fake_run_as.h"
#include "support/test_store.h"

namespace sfapid {
namespace {

namespace json = boost::json;

class UserProgramTest : public ::testing::Test {
 protected:
  void SetUp() override { runas_.AddUser("alice", "alice", "/tmp"); }

  ProgramOutput Sh(const std::string& script, ProgramLimits limits = {}) {
    return RunUserProgram(runas_, *runas_.Resolve("alice"), task_, {"/bin/sh", "-c", script},
                          json::array{}, limits);
  }

  testing::TestStore store_;
  TaskContext task_{"task-1", "node-a", store_->tasks()};
  testing::FakeRunAs runas_;
};

TEST_F(UserProgramTest, StdoutIsTheAnswer) {
  auto run = Sh("printf 'one\\ntwo'; echo warning >&2");
  EXPECT_FALSE(run.error);
  EXPECT_EQ(run.out, "one\ntwo");
}

TEST_F(UserProgramTest, AFailureIsTheFirstLineOfStderr) {
  auto run = Sh("echo partial; echo 'stat: cannot statx: No such file' >&2; echo more >&2; exit 1");
  EXPECT_EQ(run.error, "stat: cannot statx: No such file");
  EXPECT_EQ(run.out, "");
}

TEST_F(UserProgramTest, TheWorkersOwnRefusalLosesItsPrefix) {
  auto run = Sh("echo 'sfapid: /etc is outside the folders this system exposes' >&2; exit 126");
  EXPECT_EQ(run.error, "/etc is outside the folders this system exposes");
}

TEST_F(UserProgramTest, ASilentFailureSaysItsStatus) {
  EXPECT_EQ(Sh("exit 3").error, "sh exited with status 3");
}

TEST_F(UserProgramTest, TooMuchOutputIsAnError) {
  ProgramLimits limits;
  limits.max_stdout = 1000;
  EXPECT_FALSE(Sh("head -c 1000 /dev/zero", limits).error);
  EXPECT_EQ(Sh("head -c 1001 /dev/zero", limits).error, "sh: the output is larger than 1000 bytes");
  limits.too_large = "head: the output is larger than 5 MiB";
  // An endless writer is stopped, not read to the end.
  EXPECT_EQ(Sh("cat /dev/zero", limits).error, "head: the output is larger than 5 MiB");
}

TEST_F(UserProgramTest, TheTimeLimitStopsIt) {
  ProgramLimits limits;
  limits.timeout = std::chrono::milliseconds(200);
  const auto begin = std::chrono::steady_clock::now();
  auto run = Sh("sleep 30", limits);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(10));
  ASSERT_TRUE(run.error);
  EXPECT_EQ(run.error->rfind("sh: stopped after", 0), 0u) << *run.error;
}

TEST(ProgramErrorTest, EachOutcomeHasItsWords) {
  ProgramLimits limits;
  limits.timeout = std::chrono::seconds(600);
  EXPECT_FALSE(ProgramError("/usr/bin/rm", {0, WatchOutcome::kExited}, "warning", 0, limits));
  EXPECT_EQ(ProgramError("/usr/bin/rm", {143, WatchOutcome::kCancelled}, "", 0, limits),
            "rm: cancelled");
  EXPECT_EQ(ProgramError("/usr/bin/tar", {143, WatchOutcome::kTimedOut}, "", 0, limits),
            "tar: stopped after 600 seconds, the limit ([utilities] command_timeout_seconds)");
  EXPECT_EQ(ProgramError("/usr/bin/rm", {1, WatchOutcome::kExited}, "rm: no\nsecond", 0, limits),
            "rm: no");
  EXPECT_EQ(ProgramError("/usr/bin/stat", {1, WatchOutcome::kExited},
                         "/usr/bin/stat: cannot statx '/x': No such file or directory", 0, limits),
            "stat: cannot statx '/x': No such file or directory");
  EXPECT_EQ(ProgramError("/usr/bin/rm", {1, WatchOutcome::kExited}, "\nsecond", 0, limits),
            "rm exited with status 1");
}

}  // namespace
}  // namespace sfapid
