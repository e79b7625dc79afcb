// Who may have API clients: [web] enable_by_default for users without a decision, operators'
// enable and disable (which revokes), and users' requests.
#include "core/web/api_access.h"

#include <gtest/gtest.h>

#include "support/test_store.h"

namespace sfapid {
namespace {

class ApiAccessTest : public ::testing::Test {
 protected:
  WebConfig config_;
  testing::TestStore store_;
  ApiAccess access_{config_, store_->web(), store_->auth()};
};

TEST_F(ApiAccessTest, UndecidedUsersFollowTheDefault) {
  config_.enable_by_default = false;
  auto state = access_.StateOf("alice");
  ASSERT_TRUE(state);
  EXPECT_FALSE(state->enabled);
  EXPECT_EQ(state->why, "you have not been enabled for the API yet");
  config_.enable_by_default = true;
  EXPECT_TRUE(access_.StateOf("alice")->enabled);
}

TEST_F(ApiAccessTest, ARequestApprovedEnablesTheUser) {
  config_.enable_by_default = false;
  auto request = access_.Request("alice", "nightly workflows", "10.0.0.1");
  ASSERT_TRUE(request) << request.status().message();
  EXPECT_EQ(access_.StateOf("alice")->request->state, "pending");
  EXPECT_EQ(access_.Request("alice", "again", "10.0.0.1").status().code(), Code::kAlreadyExists);
  auto decided = access_.Decide(request->id, true, "op", "welcome");
  ASSERT_TRUE(decided) << decided.status().message();
  auto state = access_.StateOf("alice");
  EXPECT_TRUE(state->enabled);
  EXPECT_EQ(state->why.rfind("enabled by op on ", 0), 0u) << state->why;
  EXPECT_EQ(state->request->note, "welcome");
  // Enabled users need no request.
  EXPECT_EQ(access_.Request("alice", "", "10.0.0.1").status().code(), Code::kFailedPrecondition);
}

TEST_F(ApiAccessTest, BadReasonsAreRefusedAndStoreNothing) {
  config_.enable_by_default = false;
  auto too_long = access_.Request("alice", std::string(1001, 'x'), "10.0.0.1");
  EXPECT_EQ(too_long.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(too_long.status().field(), "reason");
  EXPECT_EQ(access_.Request("alice", "\xff\xfe", "10.0.0.1").status().field(), "reason");
  EXPECT_FALSE(access_.StateOf("alice")->request);
}

TEST_F(ApiAccessTest, DisablingRevokesAndIsAudited) {
  ClientRecord c;
  c.client_id = "cccccccccccc1";
  c.owner = "alice";
  c.created_at = Now();
  c.expires_at = Now() + std::chrono::hours(1);
  c.public_key_pem = "pem";
  ASSERT_TRUE(store_->auth().CreateClient(c).ok());
  WebSession session;
  session.id_hash = "h1";
  session.user = "alice";
  session.stage = SessionStage::kSignedIn;
  session.created_at = session.last_seen_at = Now();
  session.expires_at = Now() + std::chrono::hours(1);
  ASSERT_TRUE(store_->web().CreateSession(session).ok());
  auto revoked = access_.Disable("alice", "op");
  ASSERT_TRUE(revoked);
  EXPECT_EQ(*revoked, std::vector<std::string>{"cccccccccccc1"});
  EXPECT_FALSE(access_.StateOf("alice")->enabled);  // whatever the default says
  auto audit = store_->auth().ListAudit(10);
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(audit->front().outcome, "user-disabled");
  EXPECT_EQ(audit->front().reason, "by op; clients revoked: cccccccccccc1; web sessions ended: 1");
  EXPECT_FALSE(store_->web().GetSession("h1"));  // signed out
}

}  // namespace
}  // namespace sfapid
