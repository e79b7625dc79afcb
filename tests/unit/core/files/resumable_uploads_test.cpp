// Resumable uploads with two nodes sharing one store (two ResumableUploads over it), the worker's
// own file code behind a fake RunAs: a node trusts its running checksum only when every chunk went
// through it, and no chunk is taken while another request completes the upload.
#include "core/files/resumable_uploads.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "backends/runas/open_inside.h"
#include "support/fake_run_as.h"
#include "support/test_store.h"
#include "util/file_digest.h"
#include "util/time_format.h"

namespace sfapid {
namespace {

namespace json = boost::json;
using testing::ErrorReply;
using testing::OkReply;

std::string Sha256Of(std::string_view data) {
  Sha256Stream h;
  h.Update(data);
  return h.Hex();
}

class ResumableUploadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    systems_[0].name = "dtns";
    systems_[0].system_type = SystemType::kFilesystem;
    systems_[0].roots = {dir_.path()};
    runas_.AddUser("alice", "alice", dir_.path());
    // The worker's part-file operations, done by its own code in this process.
    runas_.OnCall([this](const json::object& req, std::string_view) -> Result<WorkerReply> {
      const std::vector<std::string> roots{dir_.path()};
      const std::string path(req.at("path").as_string());
      const Status s =
          req.at("op") == "commit_part"
              ? fileops::CommitPart(path, std::string(req.at("target").as_string()), roots)
              : fileops::RemovePart(path, roots);
      if (!s.ok())
        return ErrorReply(s.code() == Code::kNotFound ? "not_found" : "unavailable", s.message());
      return OkReply();
    });
  }
  std::string Contents(const std::string& path) {
    std::ostringstream out;
    out << std::ifstream(path).rdbuf();
    return out.str();
  }

  testing::TempDir dir_{"uploads"};
  std::vector<SystemConfig> systems_{1};
  UtilitiesConfig utilities_;
  testing::FakeRunAs runas_;
  testing::TestStore store_;
  ResumableUploads node_a_{systems_, utilities_, runas_, store_->uploads()};
  ResumableUploads node_b_{systems_, utilities_, runas_, store_->uploads()};
};

TEST_F(ResumableUploadsTest, ARunningChecksumIsNotTrustedWhenAnotherNodeWroteToo) {
  const std::string target = dir_ / "f.bin";
  auto started = node_a_.Start("alice", "dtns", target, 8);
  ASSERT_TRUE(started) << started.status().message();
  const std::string id = started->record.id;
  ASSERT_TRUE(node_a_.WriteChunk("alice", id, 0, "AAAAAAAA"));
  // The same range again through another node, with other bytes: the file now holds these.
  ASSERT_TRUE(node_b_.WriteChunk("alice", id, 0, "BBBBBBBB"));
  auto wrong = node_a_.Complete("alice", id, Sha256Of("AAAAAAAA"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(target));
  auto done = node_a_.Complete("alice", id, Sha256Of("BBBBBBBB"));
  ASSERT_TRUE(done) << done.status().message();
  EXPECT_EQ(done->record.state, "complete");
  EXPECT_EQ(Contents(target), "BBBBBBBB");
}

TEST_F(ResumableUploadsTest, AChunkIsRefusedWhileAnotherRequestCompletesTheUpload) {
  auto started = node_a_.Start("alice", "dtns", dir_ / "g.bin", 4);
  ASSERT_TRUE(started);
  const std::string id = started->record.id;
  ASSERT_TRUE(node_a_.WriteChunk("alice", id, 0, "abcd"));
  // Another node holds it for completing (as BeginCompleting leaves it mid-checksum).
  ASSERT_TRUE(*store_->uploads().BeginCompleting(id, NowUnixMs(), NowUnixMs() + 600'000));
  auto chunk = node_b_.WriteChunk("alice", id, 0, "wxyz");
  ASSERT_FALSE(chunk);
  EXPECT_EQ(chunk.status().code(), Code::kFailedPrecondition);
  auto second = node_b_.Complete("alice", id, Sha256Of("abcd"));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("being completed"), std::string::npos);
  // Given back (that request failed): completing goes ahead.
  ASSERT_TRUE(store_->uploads().ReleaseCompleting(id).ok());
  auto done = node_a_.Complete("alice", id, Sha256Of("wxyz"));  // the refused chunk's bytes landed
  ASSERT_TRUE(done) << done.status().message();
  EXPECT_EQ(Contents(dir_ / "g.bin"), "wxyz");
}

TEST_F(ResumableUploadsTest, AFailedCompleteGivesTheUploadBack) {
  auto started = node_a_.Start("alice", "dtns", dir_ / "h.bin", 2);
  ASSERT_TRUE(started);
  const std::string id = started->record.id;
  ASSERT_TRUE(node_a_.WriteChunk("alice", id, 0, "hi"));
  EXPECT_FALSE(node_a_.Complete("alice", id, std::string(64, '0')));
  EXPECT_TRUE(node_b_.WriteChunk("alice", id, 0, "ho"));
  EXPECT_TRUE(node_b_.Complete("alice", id, Sha256Of("ho")));
}

}  // namespace
}  // namespace sfapid
