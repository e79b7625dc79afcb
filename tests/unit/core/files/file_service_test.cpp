// FileService through a fake RunAs: which system and user reach a worker, what the worker is asked
// (op, path, the system's roots, size limits), and how its answers become typed results (an
// in-band `error` for operational failures, a Status only for a bad system or user).
#include "core/files/file_service.h"

#include <gtest/gtest.h>

#include "backends/runas/listing_codec.h"
#include "support/fake_run_as.h"
#include "support/test_systems.h"

namespace sfapid {
namespace {

namespace json = boost::json;
using testing::ErrorReply;
using testing::FakeRunAs;
using testing::OkReply;

class FileServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { runas_.AddUser("alice", "alice", "/global/homes/a/alice"); }

  std::vector<SystemConfig> systems_ = testing::TestSystems();
  UtilitiesConfig utilities_;
  FakeRunAs runas_;
  FileService files_{systems_, utilities_, runas_};
};

TEST_F(FileServiceTest, ListAsksTheWorkerWithTheSystemsRoots) {
  const std::vector<DirectoryEntry> listing{
      {"drwxr-x---", 3, "alice", "alice", 4096, TimePoint{std::chrono::seconds{1700000000}}, "."},
      {"-rw-r--r--", 1, "alice", "m1234", 12, TimePoint{std::chrono::seconds{1700000001}}, "a"}};
  runas_.OnCall([&](const json::object&, std::string_view) {
    return Result<WorkerReply>(OkReply({{"entries", EncodeListing(listing)}}));
  });
  auto out = files_.List("alice", "perlmutter", "/pscratch/a");
  ASSERT_TRUE(out) << out.status().message();
  EXPECT_FALSE(out->error);
  EXPECT_EQ(out->entries, listing);
  ASSERT_EQ(runas_.calls().size(), 1u);
  const auto call = runas_.calls()[0];
  EXPECT_EQ(call.account, "alice");
  EXPECT_EQ(call.request.at("op"), "ls");
  EXPECT_EQ(call.request.at("path"), "/pscratch/a");
  EXPECT_EQ(call.request.at("roots"), (json::array{"/global/homes", "/pscratch"}));
}

TEST_F(FileServiceTest, AWorkersRefusalIsAnInBandError) {
  runas_.OnCall([](const json::object&, std::string_view) {
    return Result<WorkerReply>(ErrorReply("not_found", "ls: /nope: No such file or directory"));
  });
  auto out = files_.List("alice", "dtns", "/nope");
  ASSERT_TRUE(out) << out.status().message();
  EXPECT_EQ(out->error, "ls: /nope: No such file or directory");
  EXPECT_TRUE(out->entries.empty());
}

TEST_F(FileServiceTest, AMalformedListingIsUnavailableNotAnEmptyFolder) {
  runas_.OnCall([](const json::object&, std::string_view) {
    return Result<WorkerReply>(
        OkReply({{"entries", json::array{json::object{{"name", "."}, {"size", "big"}}}}}));
  });
  auto out = files_.List("alice", "perlmutter", "/pscratch/a");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.status().code(), Code::kUnavailable);
  EXPECT_NE(out.status().message().find("permissions"), std::string::npos)
      << out.status().message();
}

TEST_F(FileServiceTest, UnknownAndFilelessSystemsAreRefusedBeforeAnyWorker) {
  auto unknown = files_.List("alice", "cori", "/");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  EXPECT_NE(unknown.status().message().find("perlmutter, dtns"), std::string::npos)
      << unknown.status().message();
  auto service = files_.List("alice", "spin", "/");
  ASSERT_FALSE(service);
  EXPECT_EQ(service.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(runas_.calls().empty());
}

TEST_F(FileServiceTest, AUserWhoCannotBeActedAsIsRefused) {
  auto out = files_.List("mallory", "perlmutter", "/");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.status().code(), Code::kPermissionDenied);
  EXPECT_TRUE(runas_.calls().empty());
}

TEST_F(FileServiceTest, APathWithANulByteNeverReachesAWorker) {
  auto out = files_.List("alice", "perlmutter", std::string("/pscratch/a\0b", 13));
  ASSERT_TRUE(out) << out.status().message();
  EXPECT_EQ(out->error, "the path contains a NUL byte");
  EXPECT_TRUE(runas_.calls().empty());
}

TEST_F(FileServiceTest, DownloadReadsAtMostTheLimit) {
  utilities_.download_max_bytes = 1000;
  runas_.OnCall([](const json::object&, std::string_view) {
    return Result<WorkerReply>(OkReply({}, "hello\n"));
  });
  auto out = files_.Download("alice", "perlmutter", "/pscratch/a.txt");
  ASSERT_TRUE(out) << out.status().message();
  EXPECT_EQ(out->bytes, "hello\n");
  EXPECT_FALSE(out->error);
  const auto call = runas_.calls().at(0);
  EXPECT_EQ(call.request.at("op"), "read");
  EXPECT_EQ(call.request.at("max_bytes"), 1000);
  EXPECT_EQ(call.body_size_limit, 1000u);
}

TEST_F(FileServiceTest, ADownloadTheWorkerRefusesIsAnInBandError) {
  runas_.OnCall([](const json::object&, std::string_view) {
    return Result<WorkerReply>(ErrorReply("not_found", "download: cannot open '/x'"));
  });
  auto out = files_.Download("alice", "perlmutter", "/x");
  ASSERT_TRUE(out) << out.status().message();
  EXPECT_EQ(out->error, "download: cannot open '/x'");
}

TEST_F(FileServiceTest, UploadHandsTheContentToTheWorker) {
  runas_.OnCall(
      [](const json::object&, std::string_view) { return Result<WorkerReply>(OkReply()); });
  auto out = files_.Upload("alice", "perlmutter", "/pscratch/in.txt", "data");
  ASSERT_TRUE(out) << out.status().message();
  EXPECT_FALSE(out->error);
  EXPECT_EQ(out->bytes_written, 4u);
  EXPECT_EQ(out->path, "/pscratch/in.txt");
  const auto call = runas_.calls().at(0);
  EXPECT_EQ(call.request.at("op"), "write");
  EXPECT_EQ(call.request.at("size"), 4);
  EXPECT_EQ(call.input, "data");
}

TEST_F(FileServiceTest, AnUploadOverTheLimitIsRefusedInBand) {
  utilities_.upload_max_bytes = 3;
  auto out = files_.Upload("alice", "perlmutter", "/pscratch/in.txt", "data");
  ASSERT_TRUE(out) << out.status().message();
  EXPECT_EQ(out->error, "upload: the file is 4 bytes; uploads are limited to 3 bytes");
  EXPECT_TRUE(runas_.calls().empty());
}

}  // namespace
}  // namespace sfapid
