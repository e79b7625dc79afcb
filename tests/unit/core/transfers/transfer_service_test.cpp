// TransferService through a fake RunAs over real folders, a real task engine and a real SQLite
// transfer store: which copier a transfer gets (in-kernel copy for one file, rsync for a folder)
// and what it is told (paths, the endpoints' roots), how the copier's progress and end become the
// transfer's record, and the refusals made before anything is copied.
#include "core/transfers/transfer_service.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "backends/runas/listing_codec.h"
#include "support/fake_run_as.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace sfapid {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using testing::ErrorReply;
using testing::OkReply;

void WriteFile(const std::string& path, const std::string& text, bool executable = false) {
  std::ofstream(path) << text;
  if (executable) ::chmod(path.c_str(), 0755);
}

class TransferServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "src/tree");
    fs::create_directories(dir_ / "dst");
    WriteFile(dir_ / "src/one.txt", "twelve bytes");
    systems_[0].name = "perlmutter";
    systems_[0].system_type = SystemType::kCompute;
    systems_[0].roots = {dir_.path()};
    runas_.AddUser("alice", "alice", dir_.path());
    // The worker's ls, of the real folders: a folder lists itself first as ".".
    runas_.OnCall([](const json::object& request, std::string_view) -> Result<WorkerReply> {
      const std::string path(request.at("path").as_string());
      if (!fs::exists(path)) return ErrorReply("not_found", "ls: " + path + ": No such file");
      const std::string name = fs::is_directory(path) ? "." : fs::path(path).filename().string();
      DirectoryEntry entry;
      entry.name = name;
      return OkReply({{"entries", EncodeListing({entry})}});
    });
    tasks_.Start();
  }
  void TearDown() override { tasks_.Stop(); }

  // The record once the transfer is no longer ACTIVE.
  TransferRecord WaitForEnd(const std::string& id) {
    for (int i = 0; i < 1000; ++i) {
      auto t = transfers_.Get(id, "alice");
      if (!t) ADD_FAILURE() << t.status().message();
      if (!t || t->status != "ACTIVE") return t ? *t : TransferRecord{};
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "transfer " << id << " did not end";
    return {};
  }

  testing::TempDir dir_{"transfer"};
  std::vector<SystemConfig> systems_{1};
  UtilitiesConfig utilities_;
  TransfersConfig config_;
  TasksConfig tasks_config_;
  testing::TestStore store_;
  testing::FakeRunAs runas_;
  TaskEngine tasks_{store_->tasks(), tasks_config_, "test-node"};
  FileService files_{systems_, utilities_, runas_};
  TransferService transfers_{systems_, config_, runas_, tasks_, store_->transfers(), files_};
};

TEST_F(TransferServiceTest, OneFileIsCopiedInTheKernelWithBothRoots) {
  auto id = transfers_.Start(
      "alice", {"perlmutter", "perlmutter", dir_ / "src/one.txt", dir_ / "dst/one.txt", "label"});
  ASSERT_TRUE(id) << id.status().message();
  const TransferRecord t = WaitForEnd(*id);
  EXPECT_EQ(t.status, "SUCCEEDED") << t.reason;
  EXPECT_EQ(t.bytes_transferred, 12);
  EXPECT_EQ(t.label, "label");
  EXPECT_FALSE(t.task_id.empty());
  std::ifstream copied(dir_ / "dst/one.txt");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(copied), {}), "twelve bytes");
  ASSERT_EQ(runas_.copies().size(), 1u);
  EXPECT_EQ(runas_.copies()[0].source_roots, json::array{json::string(dir_.path())});
  EXPECT_EQ(runas_.copies()[0].target_roots, json::array{json::string(dir_.path())});
  EXPECT_TRUE(runas_.programs().empty());
}

TEST_F(TransferServiceTest, AFolderGoesToRsyncAsItsContentsWithProgressCounted) {
  config_.rsync = dir_ / "rsync";
  WriteFile(
      config_.rsync,
      "#!/bin/sh\nprintf '      1,234  100%%    1.00MB/s    0:00:01 (xfr#1, to-chk=0/1)\\n'\n",
      true);
  auto id =
      transfers_.Start("alice", {"perlmutter", "perlmutter", dir_ / "src/tree", dir_ / "dst", ""});
  ASSERT_TRUE(id) << id.status().message();
  const TransferRecord t = WaitForEnd(*id);
  EXPECT_EQ(t.status, "SUCCEEDED") << t.reason;
  EXPECT_EQ(t.bytes_transferred, 1234);
  ASSERT_EQ(runas_.programs().size(), 1u);
  const auto argv = runas_.programs()[0].argv;
  ASSERT_GE(argv.size(), 4u);
  EXPECT_EQ(argv.front(), config_.rsync);
  EXPECT_EQ(std::vector<std::string>(argv.end() - 3, argv.end()),
            (std::vector<std::string>{"--", dir_ / "src/tree/", dir_ / "dst/"}));
  EXPECT_NE(std::find(argv.begin(), argv.end(), "--checksum"), argv.end());
  // Both paths are checked against their roots by the worker before rsync runs.
  const json::array roots{json::string(dir_.path())};
  EXPECT_EQ(runas_.programs()[0].paths,
            (json::array{json::object{{"path", dir_ / "src/tree"}, {"roots", roots}},
                         json::object{{"path", dir_ / "dst"}, {"roots", roots}}}));
}

TEST_F(TransferServiceTest, RsyncsErrorsAreTheReasonItFailed) {
  config_.rsync = dir_ / "rsync";
  WriteFile(config_.rsync, "#!/bin/sh\necho 'rsync: change_dir failed' >&2\nexit 23\n", true);
  auto id =
      transfers_.Start("alice", {"perlmutter", "perlmutter", dir_ / "src/tree", dir_ / "dst", ""});
  ASSERT_TRUE(id) << id.status().message();
  const TransferRecord t = WaitForEnd(*id);
  EXPECT_EQ(t.status, "FAILED");
  EXPECT_EQ(t.reason, "rsync: change_dir failed");
}

TEST_F(TransferServiceTest, OperatorRsyncOptionsSendEvenOneFileToRsync) {
  config_.rsync = dir_ / "rsync";
  config_.rsync_options = {"--bwlimit=500M"};
  WriteFile(config_.rsync, "#!/bin/sh\nexit 0\n", true);
  auto id = transfers_.Start(
      "alice", {"perlmutter", "perlmutter", dir_ / "src/one.txt", dir_ / "dst/one.txt", ""});
  ASSERT_TRUE(id) << id.status().message();
  EXPECT_EQ(WaitForEnd(*id).status, "SUCCEEDED");
  ASSERT_EQ(runas_.programs().size(), 1u);
  const auto argv = runas_.programs()[0].argv;
  EXPECT_NE(std::find(argv.begin(), argv.end(), "--bwlimit=500M"), argv.end());
  // A file keeps its own name: no trailing slashes.
  EXPECT_EQ(argv.back(), dir_ / "dst/one.txt");
  EXPECT_TRUE(runas_.copies().empty());
}

TEST_F(TransferServiceTest, BadRequestsAreRefusedBeforeAnythingRuns) {
  auto unknown = transfers_.Start("alice", {"nowhere", "perlmutter", "/a", "/b", ""});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.status().message(), "unknown source endpoint 'nowhere'");
  auto relative = transfers_.Start("alice", {"perlmutter", "perlmutter", "a", "/b", ""});
  ASSERT_FALSE(relative);
  EXPECT_EQ(relative.status().message(), "source_dir and target_dir must be absolute paths");
  auto stranger = transfers_.Start("mallory", {"perlmutter", "perlmutter", "/a", "/b", ""});
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.status().code(), Code::kPermissionDenied);
  auto missing = transfers_.Start(
      "alice", {"perlmutter", "perlmutter", dir_ / "src/none", dir_ / "dst/none", ""});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(missing.status().message().rfind("source: ls: ", 0), 0u) << missing.status().message();
  EXPECT_TRUE(runas_.copies().empty());
  EXPECT_TRUE(runas_.programs().empty());
}

TEST_F(TransferServiceTest, AUserPastTheirActiveLimitIsRefused) {
  config_.max_active_per_user = 1;
  TransferRecord running;
  running.id = "t-running";
  running.owner = "alice";
  running.created_at = Now();
  ASSERT_TRUE(store_->transfers().CreateTransfer(running).ok());
  auto id = transfers_.Start(
      "alice", {"perlmutter", "perlmutter", dir_ / "src/one.txt", dir_ / "dst/one.txt", ""});
  ASSERT_FALSE(id);
  EXPECT_EQ(id.status().message(),
            "you have 1 transfers running; the limit is 1: wait for one to end");
}

TEST_F(TransferServiceTest, AnotherUsersTransferIsNotFoundAndRecoverEndsActiveOnes) {
  TransferRecord left;
  left.id = "t-left";
  left.owner = "alice";
  left.created_at = Now() - std::chrono::minutes(2);  // its task was never made
  ASSERT_TRUE(store_->transfers().CreateTransfer(left).ok());
  EXPECT_EQ(transfers_.Get("t-left", "bob").status().code(), Code::kNotFound);
  transfers_.Recover();
  auto t = transfers_.Get("t-left", "alice");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, "FAILED");
  EXPECT_NE(t->reason.find("sfapid restarted"), std::string::npos);
}

TEST_F(TransferServiceTest, RecoverLeavesATransferWhoseTaskStillRuns) {
  // Another live node's transfer: its task is unfinished under a lease.
  auto task = store_->tasks().CreateTask("alice", "transfer", "dtn", "node-b",
                                         Now() + std::chrono::hours(1));
  ASSERT_TRUE(task);
  TransferRecord running;
  running.id = "t-running";
  running.owner = "alice";
  running.created_at = Now() - std::chrono::minutes(2);
  ASSERT_TRUE(store_->transfers().CreateTransfer(running).ok());
  ASSERT_TRUE(store_->transfers().SetTransferTask("t-running", *task).ok());
  TransferRecord starting;  // made a moment ago; its task is being made
  starting.id = "t-starting";
  starting.owner = "alice";
  starting.created_at = Now();
  ASSERT_TRUE(store_->transfers().CreateTransfer(starting).ok());
  transfers_.Recover();
  EXPECT_EQ(transfers_.Get("t-running", "alice")->status, "ACTIVE");
  EXPECT_EQ(transfers_.Get("t-starting", "alice")->status, "ACTIVE");
  // Its node dies: once the task is ended, the transfer follows it.
  ASSERT_TRUE(*store_->tasks().UpdateTask(*task, "failed", "{}"));
  transfers_.Recover();
  EXPECT_EQ(transfers_.Get("t-running", "alice")->status, "FAILED");
}

}  // namespace
}  // namespace sfapid
