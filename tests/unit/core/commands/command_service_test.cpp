// CommandService through a fake RunAs that runs the command as this test's user, with a real task
// engine over SQLite: the task's result (output, errors, exit code), the time limit and the output
// cap stopping a real process, and the refusals made before any task exists.
#include "core/commands/command_service.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "support/fake_run_as.h"
#include "support/temp_dir.h"
#include "support/test_store.h"
#include "support/test_systems.h"
#include "support/wait_for_task.h"

namespace sfapid {
namespace {

namespace json = boost::json;
using testing::ResultOf;
using testing::WaitForTask;

class CommandServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runas_.AddUser("alice", "alice", "/tmp");
    tasks_.Start();
  }
  void TearDown() override { tasks_.Stop(); }

  std::vector<SystemConfig> systems_ = testing::TestSystems();
  UtilitiesConfig utilities_;
  TasksConfig tasks_config_;
  testing::TestStore store_;
  testing::FakeRunAs runas_;
  TaskEngine tasks_{store_->tasks(), tasks_config_, "test-node"};
  CommandService commands_{systems_, utilities_, runas_, tasks_};
};

TEST_F(CommandServiceTest, ACommandsOutputErrorsAndExitCodeAreItsResult) {
  auto id = commands_.Run("alice", "perlmutter", "echo out; echo err >&2; exit 3");
  ASSERT_TRUE(id) << id.status().message();
  const TaskRecord task = WaitForTask(tasks_, *id, "alice");
  EXPECT_EQ(task.status, "completed");
  EXPECT_EQ(task.kind, "command");
  EXPECT_EQ(ResultOf(task),
            (json::object{
                {"status", "error"}, {"output", "out\n"}, {"error", "err\n"}, {"exit_code", 3}}));
  EXPECT_EQ(runas_.commands(), std::vector<std::string>{"echo out; echo err >&2; exit 3"});
}

TEST_F(CommandServiceTest, ASuccessfulCommandIsOk) {
  auto id = commands_.Run("alice", "dtns", "printf done");
  ASSERT_TRUE(id) << id.status().message();
  const auto result = ResultOf(WaitForTask(tasks_, *id, "alice"));
  EXPECT_EQ(result.at("status"), "ok");
  EXPECT_EQ(result.at("output"), "done");
  EXPECT_EQ(result.at("exit_code"), 0);
}

TEST_F(CommandServiceTest, ACommandPastItsTimeLimitIsStopped) {
  utilities_.command_timeout_seconds = 0.2;
  const auto started = std::chrono::steady_clock::now();
  auto id = commands_.Run("alice", "perlmutter", "echo begun; sleep 30");
  ASSERT_TRUE(id) << id.status().message();
  const TaskRecord task = WaitForTask(tasks_, *id, "alice");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(task.status, "failed");
  const auto result = ResultOf(task);
  EXPECT_EQ(result.at("output"), "begun\n");
  EXPECT_NE(std::string(result.at("error").as_string()).find("ran longer than"), std::string::npos)
      << result;
  EXPECT_EQ(result.at("exit_code"), 128 + SIGTERM);
}

TEST_F(CommandServiceTest, OutputPastTheCapStopsTheCommandAndIsCut) {
  utilities_.command_output_max_bytes = 1000;
  auto id = commands_.Run("alice", "perlmutter", "yes");
  ASSERT_TRUE(id) << id.status().message();
  const TaskRecord task = WaitForTask(tasks_, *id, "alice");
  EXPECT_EQ(task.status, "failed");
  const auto result = ResultOf(task);
  EXPECT_EQ(result.at("output").as_string().size(), 1000u);
  EXPECT_NE(std::string(result.at("error").as_string()).find("more than 1000 bytes"),
            std::string::npos)
      << result;
}

TEST_F(CommandServiceTest, CancellingStopsTheRunningCommand) {
  testing::TempDir dir("command-cancel");
  const std::string pid_file = dir / "pid";
  auto id = commands_.Run("alice", "perlmutter", "echo $$ > " + pid_file + "; exec sleep 30");
  ASSERT_TRUE(id) << id.status().message();
  pid_t pid = 0;
  for (int i = 0; i < 500 && pid <= 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream(pid_file) >> pid;
  }
  ASSERT_GT(pid, 0) << "the command never started";
  ASSERT_TRUE(tasks_.Cancel(*id, "alice").ok());
  EXPECT_EQ(WaitForTask(tasks_, *id, "alice").status, "cancelled");
  // The process is signalled and reaped: its pid is gone well before its sleep would end.
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = ::kill(pid, 0) != 0 && errno == ESRCH;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "the cancelled command still runs";
}

TEST_F(CommandServiceTest, RefusalsComeBeforeAnyTask) {
  auto unknown = commands_.Run("alice", "cori", "true");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  auto service = commands_.Run("alice", "spin", "true");
  ASSERT_FALSE(service);
  EXPECT_EQ(service.status().code(), Code::kInvalidArgument);
  auto empty = commands_.Run("alice", "perlmutter", "");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.status().message(), "executable must not be empty");
  auto nul = commands_.Run("alice", "perlmutter", std::string("a\0b", 3));
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.status().message(), "executable contains a NUL byte");
  auto stranger = commands_.Run("mallory", "perlmutter", "true");
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.status().code(), Code::kPermissionDenied);
  EXPECT_TRUE(runas_.commands().empty());
  auto listed = tasks_.List("alice");
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
}

}  // namespace
}  // namespace sfapid
