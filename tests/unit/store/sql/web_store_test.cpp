// The web store (sessions, TOTP steps, sign-in failures, links, enablement, access requests)
// against a real SQLite file.
#include <gtest/gtest.h>

#include "support/test_store.h"

namespace sfapid {
namespace {

using std::chrono::seconds;

class WebStoreTest : public ::testing::Test {
 protected:
  WebStore& web() { return store_->web(); }

  WebSession Session(const std::string& id, const std::string& user, TimePoint last_seen,
                     TimePoint expires) {
    WebSession s;
    s.id_hash = id;
    s.user = user;
    s.stage = SessionStage::kSecondFactor;
    s.csrf_token = "csrf-" + id;
    s.source_ip = "10.1.2.3";
    s.method = "password";
    s.created_at = last_seen;
    s.last_seen_at = last_seen;
    s.expires_at = expires;
    return s;
  }

  void Client(const std::string& id, const std::string& owner) {
    ClientRecord c;
    c.client_id = id;
    c.owner = owner;
    c.created_at = Now();
    c.expires_at = Now() + seconds(3600);
    c.public_key_pem = "pem";
    ASSERT_TRUE(store_->auth().CreateClient(c).ok());
  }

  testing::TestStore store_;
};

TEST_F(WebStoreTest, ASessionRoundTripsAndChanges) {
  const TimePoint now = Now();
  ASSERT_TRUE(web().CreateSession(Session("h1", "alice", now, now + seconds(300))).ok());
  auto got = web().GetSession("h1");
  ASSERT_TRUE(got) << got.status().message();
  EXPECT_EQ(got->user, "alice");
  EXPECT_EQ(got->stage, SessionStage::kSecondFactor);
  EXPECT_EQ(got->csrf_token, "csrf-h1");
  EXPECT_EQ(got->expires_at, now + seconds(300));
  got->stage = SessionStage::kSignedIn;
  got->pending_totp_secret = "SECRET";
  ASSERT_TRUE(web().UpdateSession(*got).ok());
  EXPECT_EQ(web().GetSession("h1")->stage, SessionStage::kSignedIn);
  EXPECT_EQ(web().GetSession("h1")->pending_totp_secret, "SECRET");
  ASSERT_TRUE(web().DeleteSession("h1").ok());
  EXPECT_EQ(web().GetSession("h1").status().code(), Code::kNotFound);
  EXPECT_EQ(web().UpdateSession(*got).code(), Code::kNotFound);
}

TEST_F(WebStoreTest, PruningForgetsEndedAndIdleSessionsOnly) {
  const TimePoint now = Now();
  ASSERT_TRUE(web().CreateSession(Session("live", "a", now, now + seconds(600))).ok());
  ASSERT_TRUE(web().CreateSession(Session("ended", "a", now, now - seconds(1))).ok());
  ASSERT_TRUE(
      web().CreateSession(Session("idle", "a", now - seconds(3600), now + seconds(600))).ok());
  auto pruned = web().PruneSessions(now, now - seconds(1800));
  ASSERT_TRUE(pruned);
  EXPECT_EQ(*pruned, 2);
  EXPECT_TRUE(web().GetSession("live"));
  EXPECT_FALSE(web().GetSession("ended"));
  EXPECT_FALSE(web().GetSession("idle"));
}

TEST_F(WebStoreTest, EndingAUsersSessionsLeavesOthers) {
  const TimePoint now = Now();
  ASSERT_TRUE(web().CreateSession(Session("a1", "alice", now, now + seconds(60))).ok());
  ASSERT_TRUE(web().CreateSession(Session("a2", "alice", now, now + seconds(60))).ok());
  ASSERT_TRUE(web().CreateSession(Session("b1", "bob", now, now + seconds(60))).ok());
  EXPECT_EQ(*web().DeleteUserSessions("alice"), 2);
  EXPECT_TRUE(web().GetSession("b1"));
}

TEST_F(WebStoreTest, ATotpStepIsAcceptedOnceAndNeverAnOlderOne) {
  ASSERT_TRUE(web().AddTotp({"alice", "SECRET", 100, Now()}).ok());
  // A second enrolment (one begun before the first completed) changes nothing.
  EXPECT_EQ(web().AddTotp({"alice", "OTHER", 200, Now()}).code(), Code::kAlreadyExists);
  EXPECT_EQ((*web().GetTotp("alice"))->secret_base32, "SECRET");
  EXPECT_TRUE(*web().UseTotpStep("alice", 101));
  EXPECT_FALSE(*web().UseTotpStep("alice", 101));  // the same code again: a replay
  EXPECT_FALSE(*web().UseTotpStep("alice", 100));  // an older one
  EXPECT_TRUE(*web().UseTotpStep("alice", 102));
  EXPECT_FALSE(*web().UseTotpStep("bob", 1));  // no enrolment
  ASSERT_TRUE(web().DeleteTotp("alice").ok());
  EXPECT_FALSE(web().GetTotp("alice")->has_value());
  EXPECT_EQ(web().DeleteTotp("alice").code(), Code::kNotFound);
}

TEST_F(WebStoreTest, FailuresAreCountedPerKeyWithinTheWindow) {
  const TimePoint now = Now();
  ASSERT_TRUE(web().RecordSignInFailure("user:a", now - seconds(1000)).ok());
  ASSERT_TRUE(web().RecordSignInFailure("user:a", now - seconds(100)).ok());
  ASSERT_TRUE(web().RecordSignInFailure("user:a", now).ok());
  ASSERT_TRUE(web().RecordSignInFailure("ip:1.2.3.4", now).ok());
  auto count = web().CountSignInFailures("user:a", now - seconds(500));
  ASSERT_TRUE(count);
  EXPECT_EQ(count->count, 2);
  EXPECT_EQ(count->oldest, now - seconds(100));
  ASSERT_TRUE(web().ClearSignInFailures("user:a").ok());
  EXPECT_EQ(web().CountSignInFailures("user:a", now - seconds(500))->count, 0);
  EXPECT_EQ(web().CountSignInFailures("ip:1.2.3.4", now - seconds(500))->count, 1);
}

TEST_F(WebStoreTest, ALinkSignsInOnceAndNotAfterItExpires) {
  const TimePoint now = Now();
  ASSERT_TRUE(web().CreateSignInLink("good", "alice", now + seconds(60)).ok());
  ASSERT_TRUE(web().CreateSignInLink("old", "alice", now - seconds(1)).ok());
  EXPECT_EQ(*web().ConsumeSignInLink("good", now), "alice");
  EXPECT_EQ(web().ConsumeSignInLink("good", now).status().code(), Code::kNotFound);
  EXPECT_EQ(web().ConsumeSignInLink("old", now).status().code(), Code::kNotFound);
  EXPECT_EQ(web().ConsumeSignInLink("never", now).status().code(), Code::kNotFound);
}

TEST_F(WebStoreTest, DisablingAUserRevokesTheirLiveClientsOnly) {
  Client("aaaaaaaaaaaa1", "alice");
  Client("aaaaaaaaaaaa2", "alice");
  Client("bbbbbbbbbbbb1", "bob");
  auto revoked = web().DisableUser("alice", "op", Now());
  ASSERT_TRUE(revoked) << revoked.status().message();
  EXPECT_EQ(*revoked, (std::vector<std::string>{"aaaaaaaaaaaa1", "aaaaaaaaaaaa2"}));
  EXPECT_TRUE(store_->auth().GetClient("aaaaaaaaaaaa1")->revoked_at);
  EXPECT_FALSE(store_->auth().GetClient("bbbbbbbbbbbb1")->revoked_at);
  auto state = web().GetEnablement("alice");
  ASSERT_TRUE(state && state->has_value());
  EXPECT_FALSE((*state)->enabled);
  EXPECT_EQ((*state)->by, "op");
  ASSERT_TRUE(web().EnableUser("alice", "op2", Now()).ok());
  EXPECT_TRUE((*web().GetEnablement("alice"))->enabled);
}

TEST_F(WebStoreTest, OnePendingRequestPerUserAndADecisionIsFinal) {
  auto first = web().CreateAccessRequest("alice", "for my workflow", Now());
  ASSERT_TRUE(first) << first.status().message();
  EXPECT_EQ(first->state, "pending");
  EXPECT_EQ(web().CreateAccessRequest("alice", "again", Now()).status().code(),
            Code::kAlreadyExists);
  auto approved = web().DecideAccessRequest(first->id, true, "op", "welcome", Now());
  ASSERT_TRUE(approved) << approved.status().message();
  EXPECT_EQ(approved->state, "approved");
  EXPECT_TRUE((*web().GetEnablement("alice"))->enabled);  // in the same transaction
  EXPECT_EQ(web().DecideAccessRequest(first->id, false, "op", "", Now()).status().code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(web().DecideAccessRequest(999, true, "op", "", Now()).status().code(), Code::kNotFound);
  // Decided, so a new request may be made; it is listed first.
  auto second = web().CreateAccessRequest("alice", "once more", Now());
  ASSERT_TRUE(second);
  auto denied = web().DecideAccessRequest(second->id, false, "op", "no", Now());
  ASSERT_TRUE(denied);
  auto list = web().ListAccessRequests("", "alice");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].state, "denied");
  EXPECT_EQ((*list)[0].note, "no");
  EXPECT_EQ(web().ListAccessRequests("pending", "")->size(), 0u);
}

}  // namespace
}  // namespace sfapid
