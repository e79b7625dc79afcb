// Idempotency-Key on a real store (SQLite, or PostgreSQL under tests/run-on-postgres): the store's
// claim rules, and the route wrapper that runs a creating request once and replays its reply.
#include "api/idempotency.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/test_store.h"
#include "util/secret_tokens.h"
#include "util/time_format.h"

namespace sfapid::api {
namespace {

using State = IdempotencyClaim::State;
constexpr int64_t kNow = 1'800'000'000'000;

class IdempotencyStoreTest : public ::testing::Test {
 protected:
  IdempotencyStore& keys() { return store_->idempotency(); }
  State Claim(const std::string& fingerprint, int64_t now = kNow) {
    auto claim = keys().Claim("scope", "alice", fingerprint, now, now + 60'000, "t-" + fingerprint);
    EXPECT_TRUE(claim) << claim.status().message();
    if (claim) last_ = *claim;
    return claim ? claim->state : State::kStarted;
  }
  IdempotencyClaim last_;
  testing::TestStore store_;
};

TEST_F(IdempotencyStoreTest, AKeyRunsOnceThenReplaysItsReplyForTheSameRequestOnly) {
  EXPECT_EQ(Claim("fp1"), State::kStarted);
  EXPECT_EQ(Claim("fp1"), State::kInFlight);  // the first still runs
  EXPECT_EQ(Claim("fp2"), State::kInFlight);  // whatever the body
  ASSERT_TRUE(
      keys()
          .Complete("scope", {200, "application/json", R"({"task_id":"7"})"}, kNow + 3'600'000)
          .ok());
  auto again = keys().Claim("scope", "alice", "fp1", kNow + 1000, kNow + 61'000, "t");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->state, State::kDone);
  EXPECT_EQ(again->reply->status, 200);
  EXPECT_EQ(again->reply->content_type, "application/json");
  EXPECT_EQ(again->reply->body, R"({"task_id":"7"})");
  EXPECT_EQ(Claim("fp2", kNow + 1000), State::kMismatch);
  // After the reply expired, the key is new again.
  EXPECT_EQ(Claim("fp2", kNow + 3'600'001), State::kStarted);
}

TEST_F(IdempotencyStoreTest, AReleasedOrRunOutLockLetsTheNextRequestRun) {
  EXPECT_EQ(Claim("fp1"), State::kStarted);
  ASSERT_TRUE(keys().Release("scope").ok());  // the request failed: nothing kept
  EXPECT_EQ(Claim("fp1"), State::kStarted);
  // Its node died holding the lock: once the lock runs out, a retry runs.
  EXPECT_EQ(Claim("fp1", kNow + 59'000), State::kInFlight);
  EXPECT_EQ(Claim("fp1", kNow + 60'001), State::kStarted);
}

TEST_F(IdempotencyStoreTest, TheRetryOfARequestWhoseHolderDiedKeepsItsToken) {
  ASSERT_EQ(Claim("fp1"), State::kStarted);
  EXPECT_EQ(last_.token, "t-fp1");
  EXPECT_FALSE(last_.interrupted);
  // Its holder died: the same request after the lock ran out goes on under the same token.
  auto retry = keys().Claim("scope", "alice", "fp1", kNow + 60'001, kNow + 120'001, "t-new");
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->state, State::kStarted);
  EXPECT_EQ(retry->token, "t-fp1");
  EXPECT_TRUE(retry->interrupted);
  // Another request with the key after a run-out lock is a new request, with a token of its own.
  auto other = keys().Claim("scope", "alice", "fp2", kNow + 180'002, kNow + 240'002, "t-other");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->token, "t-other");
  EXPECT_FALSE(other->interrupted);
  // A failed request lets its key go: the next one is new too.
  ASSERT_TRUE(keys().Release("scope").ok());
  EXPECT_EQ(Claim("fp2", kNow + 240'003), State::kStarted);
  EXPECT_EQ(last_.token, "t-fp2");
  EXPECT_FALSE(last_.interrupted);
}

TEST_F(IdempotencyStoreTest, PurgeForgetsWhatExpired) {
  ASSERT_EQ(Claim("fp1"), State::kStarted);
  ASSERT_TRUE(keys().Complete("scope", {200, "text/plain", "x"}, kNow + 10).ok());
  auto kept = keys().PurgeIdempotency(kNow + 5, kNow + 5);
  ASSERT_TRUE(kept);
  EXPECT_EQ(*kept, 0);
  auto purged = keys().PurgeIdempotency(kNow + 10, kNow + 10);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 1);
  // A lock that ran out is kept until the time given for locks: its retry needs its token.
  auto lock = keys().Claim("held", "alice", "fp", kNow, kNow + 60'000, "t");
  ASSERT_TRUE(lock);
  auto still = keys().PurgeIdempotency(kNow + 120'000, kNow + 59'000);
  ASSERT_TRUE(still);
  EXPECT_EQ(*still, 0);
  auto gone = keys().PurgeIdempotency(kNow + 120'000, kNow + 60'000);
  ASSERT_TRUE(gone);
  EXPECT_EQ(*gone, 1);
}

TEST_F(IdempotencyStoreTest, OfManyRacingForOneKeyExactlyOneStarts) {
  auto other = testing::OpenTestStore(store_.dir / "sfapid.db");  // another node's connection
  ASSERT_TRUE(other);
  std::atomic<int> started{0}, failed{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 8; ++i)
    racers.emplace_back([&, i] {
      IdempotencyStore& store = i % 2 ? (*other)->idempotency() : keys();
      auto claim = store.Claim("race", "alice", "fp", kNow, kNow + 60'000, "t");
      if (!claim)
        ++failed;
      else if (claim->state == State::kStarted)
        ++started;
    });
  for (auto& t : racers) t.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(started, 1);
}

// The wrapper around a route, with a handler that counts its runs.
class IdempotentRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    route_.method = "POST";
    route_.pattern = "/api/v1.2/compute/jobs/{machine}";
    route_.handler = [this](http::Request& req) {
      ++runs_;
      tokens_.push_back(req.idempotency_token);
      if (req.body == "fail") return http::Response::Text(500, "boom", "text/plain");
      return http::Response::Text(200, R"({"task_id":")" + std::to_string(runs_) + R"("})",
                                  "application/json");
    };
    refusing_ = route_;
    routes_.Wrap(route_, Errors());
    refusing_.pattern = "/api/v1.2/compute/reservations/{machine}";
    routes_.Wrap(refusing_, Errors(), {}, AfterInterruption::kRefuse);
  }
  static IdempotencyErrors Errors() {
    return {.in_flight = Refusal(409),
            .mismatch = Refusal(422),
            .bad_key = Refusal(400),
            .store = Refusal(503),
            .interrupted = Refusal(410)};
  }
  // What a request that held the key and died left: a lock that ran out, with its token.
  void LeaveInterruptedLock(const std::string& operation, const std::string& key) {
    const std::string scope = Sha256Hex("alice\n" + operation + "\n" + key);
    const int64_t then = NowUnixMs() - 120'000;
    auto claim = store_->idempotency().Claim(scope, "alice",
                                             IdempotentRoutes::Fingerprint(Request("job=x", key)),
                                             then, then + 60'000, "first-try");
    ASSERT_TRUE(claim);
    ASSERT_EQ(claim->state, State::kStarted);
  }
  static IdempotencyErrors::Render Refusal(int status) {
    return [status](const http::Request&, const std::string& why) {
      return http::Response::Text(status, why, "x");
    };
  }
  static http::Request Request(const std::string& body, const std::string& key = "k1",
                               const std::string& user = "alice",
                               const std::string& type = "application/x-www-form-urlencoded") {
    http::Request req;
    req.method = "POST";
    req.target = "/api/v1.2/compute/jobs/perlmutter";
    req.body = body;
    req.headers = {{"content-type", type}};
    if (!key.empty()) req.headers.emplace_back("idempotency-key", key);
    req.principal = Principal{user, "abcdefghijklm", Level::kRed};
    return req;
  }
  http::Response Post(const std::string& body, const std::string& key = "k1",
                      const std::string& user = "alice",
                      const std::string& type = "application/x-www-form-urlencoded") {
    http::Request req = Request(body, key, user, type);
    return route_.handler(req);
  }
  static std::string ReplyHeader(const http::Response& r) {
    const std::string* v = http::FindParam(r.headers, "Idempotency-Key-Reply");
    return v ? *v : "";
  }

  testing::TestStore store_;
  IdempotentRoutes routes_{store_->idempotency(), 24};
  http::Route route_;
  http::Route refusing_;
  int runs_ = 0;
  std::vector<std::string> tokens_;  // each run's req.idempotency_token
};

TEST_F(IdempotentRoutesTest, TheSameRequestRunsOnceAndGetsTheSameReply) {
  const http::Response first = Post("job=x");
  EXPECT_EQ(first.body, R"({"task_id":"1"})");
  EXPECT_EQ(ReplyHeader(first), "miss");
  const http::Response again = Post("job=x");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, R"({"task_id":"1"})");
  EXPECT_EQ(again.content_type, "application/json");
  EXPECT_EQ(ReplyHeader(again), "hit");
  EXPECT_EQ(runs_, 1);
  EXPECT_EQ(Post("job=other").status, 422);                          // the key, for another request
  EXPECT_EQ(Post("job=x", "k1", "bob").body, R"({"task_id":"2"})");  // keys are per user
  EXPECT_EQ(Post("job=x", "").body, R"({"task_id":"3"})");           // no key: runs as ever
  EXPECT_EQ(runs_, 3);
}

TEST_F(IdempotentRoutesTest, EachNewRequestRunsUnderATokenOfItsOwnAndNoKeyUnderNone) {
  Post("job=x", "k1");
  Post("job=x", "k2");
  Post("job=x", "");
  ASSERT_EQ(tokens_.size(), 3u);
  EXPECT_FALSE(tokens_[0].empty());
  EXPECT_FALSE(tokens_[1].empty());
  EXPECT_NE(tokens_[0], tokens_[1]);
  EXPECT_EQ(tokens_[2], "");
}

TEST_F(IdempotentRoutesTest, ARetryAfterItsHolderDiedRunsUnderTheFirstTrysToken) {
  LeaveInterruptedLock("POST /api/v1.2/compute/jobs/{machine}", "k1");
  const http::Response retry = Post("job=x", "k1");
  EXPECT_EQ(retry.status, 200);
  ASSERT_EQ(tokens_.size(), 1u);
  EXPECT_EQ(tokens_[0], "first-try");  // so the route finds the task that try made
  EXPECT_EQ(ReplyHeader(Post("job=x", "k1")), "hit");
  EXPECT_EQ(runs_, 1);
}

TEST_F(IdempotentRoutesTest, ARouteThatWouldActTwiceRefusesTheRetryOfAnInterruptedRequest) {
  LeaveInterruptedLock("POST /api/v1.2/compute/reservations/{machine}", "k1");
  http::Request req = Request("job=x", "k1");
  const http::Response refused = refusing_.handler(req);
  EXPECT_EQ(refused.status, 410);  // the route's `interrupted` answer
  EXPECT_NE(refused.body.find("interrupted"), std::string::npos);
  EXPECT_EQ(runs_, 0);
  // Kept: the next retry hears the same, and the route still never ran.
  http::Request again = Request("job=x", "k1");
  const http::Response kept = refusing_.handler(again);
  EXPECT_EQ(kept.status, 410);
  EXPECT_EQ(ReplyHeader(kept), "hit");
  EXPECT_EQ(runs_, 0);
  // A new key is a new request.
  http::Request fresh = Request("job=x", "k2");
  EXPECT_EQ(refusing_.handler(fresh).status, 200);
  EXPECT_EQ(runs_, 1);
}

TEST_F(IdempotentRoutesTest, AFailureIsNotKeptSoARetryRuns) {
  EXPECT_EQ(Post("fail").status, 500);
  EXPECT_EQ(Post("fail").status, 500);
  EXPECT_EQ(runs_, 2);
}

TEST_F(IdempotentRoutesTest, ARebuiltMultipartBodyWithANewBoundaryIsTheSameRequest) {
  auto upload = [&](const std::string& b) {
    return Post("--" + b + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\ndata\r\n--" +
                    b + "--\r\n",
                "up", "alice", "multipart/form-data; boundary=" + b);
  };
  EXPECT_EQ(ReplyHeader(upload("aaaa1111")), "miss");
  EXPECT_EQ(ReplyHeader(upload("bbbb2222")), "hit");
  EXPECT_EQ(runs_, 1);
}

TEST_F(IdempotentRoutesTest, AKeyTooLongOrWithControlCharactersIsRefused) {
  EXPECT_EQ(Post("job=x", std::string(256, 'k')).status, 400);
  EXPECT_EQ(Post("job=x", "a\x01z").status, 400);
  EXPECT_EQ(Post("job=x", std::string(255, 'k')).status, 200);
  EXPECT_EQ(runs_, 1);
}

}  // namespace
}  // namespace sfapid::api
