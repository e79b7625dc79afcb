// A job submission's request as its task keeps it (TaskRecord::request) and back: what a
// submission run again after a restart is made from.
#include "core/compute/submit_request.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

TEST(SubmitRequestTest, EveryFieldASubmissionNeedsComesBack) {
  SubmitRequest r{.user = "alice",
                  .client_id = "abcdefghijklm",
                  .system = "perlmutter",
                  .client_ip = "10.0.0.7",
                  .job = "#!/bin/bash\n#SBATCH -N 1\nsrun hostname\n",
                  .is_path = false,
                  .args = {"a b", "", "--x=\"y\""},
                  .idempotency_token = "tok"};
  r.callback.url = "https://example.org/hook";
  r.callback.email = "alice@example.org";
  r.callback.timeout_seconds = 90;
  auto back = SubmitRequestFrom("alice", "perlmutter", StoredSubmitRequest(r));
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_EQ(back->user, "alice");
  EXPECT_EQ(back->system, "perlmutter");
  EXPECT_EQ(back->client_id, r.client_id);
  EXPECT_EQ(back->client_ip, r.client_ip);
  EXPECT_EQ(back->job, r.job);
  EXPECT_FALSE(back->is_path);
  EXPECT_EQ(back->args, r.args);
  EXPECT_EQ(back->callback.url, r.callback.url);
  EXPECT_EQ(back->callback.email, r.callback.email);
  EXPECT_EQ(back->callback.timeout_seconds, 90);
  EXPECT_EQ(back->idempotency_token, "");  // not kept: the task is the token's already
}

TEST(SubmitRequestTest, APathSubmissionWithoutCallbackStaysSo) {
  SubmitRequest r{.user = "bob", .system = "p", .job = "/home/bob/job.sh", .is_path = true};
  auto back = SubmitRequestFrom("bob", "p", StoredSubmitRequest(r));
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->is_path);
  EXPECT_TRUE(back->callback.empty());
  EXPECT_FALSE(back->callback.timeout_seconds);
}

TEST(SubmitRequestTest, AStoredTextThatIsNotASubmissionIsRefused) {
  EXPECT_FALSE(SubmitRequestFrom("a", "p", "not json"));
  EXPECT_FALSE(SubmitRequestFrom("a", "p", "[1]"));
  EXPECT_FALSE(SubmitRequestFrom("a", "p", R"({"job": ""})"));
  auto jobid = CancelJobIdFrom(StoredCancelRequest("123_4"));
  ASSERT_TRUE(jobid);
  EXPECT_EQ(*jobid, "123_4");
  EXPECT_FALSE(CancelJobIdFrom(R"({"jobid": 5})"));
}

}  // namespace
}  // namespace sfapid
