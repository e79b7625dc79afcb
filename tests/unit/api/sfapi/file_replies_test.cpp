// FileService's typed results in SFAPI v1.2's wire shapes (spec §2.5): the exact fields and their
// order (clients and tests/integration read them), in-band errors, and base64 for what is not text.
#include "api/sfapi/file_replies.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sfapid::sfapi {
namespace {

namespace json = boost::json;

TEST(FileReplies, ADirectoryEntryInTheWireNames) {
  const DirectoryEntry e{
      "-rw-r--r--", 1, "alice", "m1234", 12, TimePoint{std::chrono::seconds{1700000000}}, "a.txt"};
  EXPECT_EQ(json::serialize(DirectoryEntryJson(e)),
            R"({"perms":"-rw-r--r--","hardlinks":1,"user":"alice","group":"m1234","size":12,)"
            R"("date":"2023-11-14T22:13:20+00:00","name":"a.txt"})");
}

TEST(FileReplies, AListingIsOkWithItsEntriesOrAnInBandError) {
  const DirectoryListing ok{{{"drwx------", 2, "a", "a", 0, TimePoint{}, "."}}, std::nullopt};
  const json::object out = DirectoryOutputJson(ok);
  EXPECT_EQ(out.at("status"), "OK");
  EXPECT_EQ(out.at("entries").as_array().size(), 1u);
  EXPECT_TRUE(out.at("error").is_null());
  EXPECT_EQ(json::serialize(DirectoryOutputJson({{}, "ls: cannot access '/x'"})),
            R"({"status":"ERROR","entries":[],"error":"ls: cannot access '/x'"})");
}

TEST(FileReplies, ADownloadIsTextWhenItCanBe) {
  EXPECT_EQ(json::serialize(FileDownloadJson({"hello\n", std::nullopt}, false)),
            R"({"status":"OK","file":"hello\n","is_binary":false,"error":null})");
  // Asked for binary, or not UTF-8: base64, and is_binary says so.
  EXPECT_EQ(FileDownloadJson({"hello\n", std::nullopt}, true).at("file"), "aGVsbG8K");
  const json::object bytes = FileDownloadJson({"\xff\xfe", std::nullopt}, false);
  EXPECT_EQ(bytes.at("is_binary"), true);
  EXPECT_EQ(bytes.at("file"), "//4=");
  EXPECT_EQ(json::serialize(FileDownloadJson({"", "download: no"}, true)),
            R"({"status":"ERROR","file":null,"is_binary":true,"error":"download: no"})");
}

TEST(FileReplies, AnUploadSaysWhatItWrote) {
  EXPECT_EQ(json::serialize(UploadResultJson({"/p/in.txt", 4, std::nullopt})),
            R"({"status":"OK","output":"wrote 4 bytes to /p/in.txt","error":null})");
  EXPECT_EQ(json::serialize(UploadResultJson({"/p/in.txt", 0, "upload: too big"})),
            R"({"status":"ERROR","output":"","error":"upload: too big"})");
}

}  // namespace
}  // namespace sfapid::sfapi
