// Resumable uploads in the store (SQLite, or PostgreSQL under tests/run-on-postgres): spans
// recorded and merged, a retried chunk, completion, expiry.
#include <gtest/gtest.h>

#include "support/test_store.h"

namespace sfapid {
namespace {

class UploadStoreTest : public ::testing::Test {
 protected:
  UploadStore& uploads() { return store_->uploads(); }
  UploadRecord Make(const std::string& id, int64_t expires_ms = 10'000) {
    UploadRecord u{id,   "alice", "dtns",     "/home/alice/f", "/home/alice/.f.part",
                   1000, 1,       expires_ms, "open",          ""};
    EXPECT_TRUE(uploads().CreateUpload(u).ok());
    return u;
  }
  testing::TestStore store_;
};

TEST_F(UploadStoreTest, AnUploadReadsBackAsCreated) {
  Make("u1");
  auto got = uploads().GetUpload("u1");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(((*got)->user), "alice");
  EXPECT_EQ(((*got)->part_path), "/home/alice/.f.part");
  EXPECT_EQ(((*got)->size), 1000);
  EXPECT_EQ(((*got)->state), "open");
  auto none = uploads().GetUpload("nope");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_F(UploadStoreTest, SpansMergeAndARetriedChunkKeepsTheLongerAndRenewsTheExpiry) {
  Make("u1");
  ASSERT_TRUE(uploads().AddUploadSpan("u1", {500, 100}, 20'000, 1).ok());
  ASSERT_TRUE(uploads().AddUploadSpan("u1", {0, 100}, 20'000, 1).ok());
  ASSERT_TRUE(uploads().AddUploadSpan("u1", {100, 50}, 20'000, 1).ok());
  ASSERT_TRUE(uploads().AddUploadSpan("u1", {100, 200}, 30'000, 1).ok());
  ASSERT_TRUE(uploads().AddUploadSpan("u1", {100, 20}, 30'000, 1).ok());  // a shorter retry
  auto spans = uploads().UploadSpans("u1");
  ASSERT_TRUE(spans);
  EXPECT_EQ(*spans, (std::vector<ByteSpan>{{0, 300}, {500, 100}}));
  EXPECT_EQ((*uploads().GetUpload("u1"))->expires_ms, 30'000);
}

TEST_F(UploadStoreTest, CompletingKeepsTheChecksumAndDropsTheSpans) {
  Make("u1");
  ASSERT_TRUE(uploads().AddUploadSpan("u1", {0, 1000}, 20'000, 1).ok());
  ASSERT_TRUE(uploads().CompleteUpload("u1", "ab", 50'000).ok());
  auto got = *uploads().GetUpload("u1");
  EXPECT_EQ((got->state), "complete");
  EXPECT_EQ((got->sha256), "ab");
  EXPECT_EQ((got->expires_ms), 50'000);
  EXPECT_TRUE(uploads().UploadSpans("u1")->empty());
}

TEST_F(UploadStoreTest, EachRecordedChunkCountsAsAWrite) {
  Make("u1");
  EXPECT_EQ(*uploads().AddUploadSpan("u1", {0, 10}, 20'000, 1), 1);
  EXPECT_EQ(*uploads().AddUploadSpan("u1", {0, 10}, 20'000, 1), 2);  // a retry is a write too
  EXPECT_EQ((*uploads().GetUpload("u1"))->writes, 2);
}

TEST_F(UploadStoreTest, NoChunkIsRecordedWhileTheUploadIsBeingCompletedOrForOneThatIsGone) {
  Make("u1");
  ASSERT_TRUE(*uploads().BeginCompleting("u1", 1'000, 5'000));
  EXPECT_FALSE(*uploads().BeginCompleting("u1", 2'000, 9'000));  // held by the first
  auto refused = uploads().AddUploadSpan("u1", {0, 10}, 20'000, 2'000);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_TRUE(uploads().UploadSpans("u1")->empty());
  EXPECT_EQ((*uploads().GetUpload("u1"))->writes, 0);
  // A lease that ran out (the node died) is taken again; a released one at once.
  EXPECT_TRUE(*uploads().BeginCompleting("u1", 6'000, 9'000));
  ASSERT_TRUE(uploads().ReleaseCompleting("u1").ok());
  EXPECT_TRUE(uploads().AddUploadSpan("u1", {0, 10}, 20'000, 7'000).ok());
  EXPECT_EQ(uploads().AddUploadSpan("gone", {0, 10}, 20'000, 7'000).status().code(),
            Code::kFailedPrecondition);
  EXPECT_TRUE(uploads().UploadSpans("gone")->empty());
}

TEST_F(UploadStoreTest, ACompleteUploadIsNotTakenForCompletingAgain) {
  Make("u1");
  ASSERT_TRUE(*uploads().BeginCompleting("u1", 1'000, 5'000));
  ASSERT_TRUE(uploads().CompleteUpload("u1", "ab", 50'000).ok());
  EXPECT_EQ((*uploads().GetUpload("u1"))->completing_until_ms, 0);
  EXPECT_FALSE(*uploads().BeginCompleting("u1", 9'000, 19'000));
}

TEST_F(UploadStoreTest, ExpiredUploadsAreThoseWhoseTimeRanOut) {
  Make("old", 100);
  Make("new", 10'000);
  auto expired = uploads().ExpiredUploads(5'000);
  ASSERT_TRUE(expired);
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ(expired->front().id, "old");
  ASSERT_TRUE(uploads().DeleteUpload("old").ok());
  EXPECT_FALSE(*uploads().GetUpload("old"));
}

TEST(MergeSpans, TouchingAndOverlappingSpansBecomeOne) {
  EXPECT_EQ(MergeSpans({{10, 5}, {0, 10}, {20, 1}, {12, 2}, {30, 0}}),
            (std::vector<ByteSpan>{{0, 15}, {20, 1}}));
  EXPECT_TRUE(MergeSpans({}).empty());
}

}  // namespace
}  // namespace sfapid
