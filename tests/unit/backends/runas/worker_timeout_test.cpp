// A worker runs as the user, who can stop it: the server gives up on one that does not answer
// within [runas] worker_timeout_seconds, kills it, and answers 503, for every kind of call.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "backends/runas/worker_run_as.h"

namespace sfapid {
namespace {

class WorkerTimeoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/worker-timeout-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    // Stands in for `sfapid worker`: it says where it is, then hangs as a stopped worker would.
    script_ = dir_ + "/hung-worker";
    std::ofstream(script_) << "#!/bin/sh\necho $$ > " << dir_ << "/pid\nexec sleep 600\n";
    std::filesystem::permissions(script_, std::filesystem::perms::owner_all);
    config_.worker_timeout_seconds = 0.3;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // The hung worker is gone (killed and reaped), not left behind.
  void ExpectWorkerGone() {
    pid_t pid = 0;
    std::ifstream(dir_ + "/pid") >> pid;
    ASSERT_GT(pid, 0);
    EXPECT_NE(::kill(pid, 0), 0);
  }
  std::string dir_, script_;
  RunAsConfig config_;
  UnixIdentity who_{"alice", "alice", ::getuid(), ::getgid(), "/"};
};

TEST_F(WorkerTimeoutTest, ACallThatGetsNoAnswerEndsWithTheWorkerKilled) {
  WorkerRunAs runas(script_, config_);
  auto reply = runas.Call(who_, {{"op", "ls"}}, "", 1024);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.status().code(), Code::kUnavailable);
  EXPECT_NE(reply.status().message().find("did not answer within 0.3 s"), std::string::npos)
      << reply.status().message();
  ExpectWorkerGone();
}

TEST_F(WorkerTimeoutTest, AnInputTheWorkerNeverReadsDoesNotHoldTheServer) {
  WorkerRunAs runas(script_, config_);
  const std::string upload(8 << 20, 'x');  // far more than a pipe holds
  auto reply = runas.Call(who_, {{"op", "upload"}}, upload, 1024);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.status().code(), Code::kUnavailable);
  ExpectWorkerGone();
}

TEST_F(WorkerTimeoutTest, OpeningAFileThatGetsNoAnswerEndsWithTheWorkerKilled) {
  WorkerRunAs runas(script_, config_);
  auto file =
      runas.OpenFile(who_, "/tmp/x", boost::json::array{"/tmp"}, fileops::OpenIntent::kRead);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.status().code(), Code::kUnavailable);
  ExpectWorkerGone();
}

}  // namespace
}  // namespace sfapid
