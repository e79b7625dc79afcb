// Level enforcement with the real parts below HTTP: a client in a real SQLite store, a real
// assertion signed with its key, a real token from TokenService, checked by AuthGuard.
#include "api/auth_guard.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <filesystem>

#include "auth/jwt.h"
#include "auth/token_service.h"
#include "store/store.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace sfapid {
namespace {

class AuthGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = *LoadDefaultConfig();
    config_.data_dir = dir_;
    store_ = std::move(testing::OpenTestStore(dir_ + "/db").value());
    clients_ = std::make_unique<ClientRegistry>(config_.auth, store_->auth());
    keys_ = std::make_unique<SigningKeys>(store_->auth(), "", 600);
    ASSERT_TRUE(keys_->LoadOrCreate().ok());
    tokens_ = std::make_unique<TokenService>(config_.auth, config_.server, *clients_, *keys_,
                                             store_->auth());
    verifier_ =
        std::make_unique<AccessTokenVerifier>(config_.auth, config_.server, *clients_, *keys_);
    guard_ = std::make_unique<api::AuthGuard>(*verifier_);
  }

  std::string TokenAt(Level level) {
    NewClient request;
    request.owner = "alice";
    request.level = level;
    auto created = clients_->Create(request);
    EXPECT_TRUE(created) << created.status().message();
    const std::string id = created->record.client_id;
    boost::json::object claims{{"iss", id},
                               {"sub", id},
                               {"aud", config_.TokenUrl()},
                               {"exp", Now().time_since_epoch().count() + 60}};
    auto assertion = SignJwt(claims, *created->private_key, "");
    EXPECT_TRUE(assertion);
    auto issued =
        tokens_->Issue({"client_credentials", kJwtBearerAssertionType, *assertion, "127.0.0.1"});
    EXPECT_TRUE(std::holds_alternative<IssuedToken>(issued));
    return std::get<IssuedToken>(issued).access_token;
  }

  std::optional<http::Response> Check(const std::string& token, std::optional<Level> need) {
    http::Request req;
    req.remote_ip = "127.0.0.1";
    req.headers.emplace_back("authorization", "Bearer " + token);
    return guard_->Check(req, need);
  }

  testing::TempDir tmp_{"guard"};
  std::string dir_ = tmp_.path();
  Config config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ClientRegistry> clients_;
  std::unique_ptr<SigningKeys> keys_;
  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<AccessTokenVerifier> verifier_;
  std::unique_ptr<api::AuthGuard> guard_;
};

TEST_F(AuthGuardTest, GreenTokenOnAYellowRouteIs403) {
  const std::string green = TokenAt(Level::kGreen);
  EXPECT_FALSE(Check(green, Level::kGreen));
  auto refused = Check(green, Level::kYellow);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body.find("this endpoint needs a yellow client or higher"), std::string::npos);
  EXPECT_EQ(Check(green, Level::kRed)->status, 403);
}

TEST_F(AuthGuardTest, HigherLevelsCoverLowerOnes) {
  const std::string red = TokenAt(Level::kRed);
  for (Level need : {Level::kGreen, Level::kYellow, Level::kRed}) EXPECT_FALSE(Check(red, need));
  const std::string yellow = TokenAt(Level::kYellow);
  EXPECT_FALSE(Check(yellow, Level::kYellow));
  EXPECT_EQ(Check(yellow, Level::kRed)->status, 403);
}

TEST_F(AuthGuardTest, PrincipalIsSetForTheHandler) {
  http::Request req;
  req.remote_ip = "::1";
  req.headers.emplace_back("authorization", "Bearer " + TokenAt(Level::kGreen));
  EXPECT_FALSE(guard_->Check(req, Level::kGreen));
  ASSERT_TRUE(req.principal);
  EXPECT_EQ(req.principal->user, "alice");
  EXPECT_EQ(req.principal->level, Level::kGreen);
}

// A route answered at once on the I/O thread is guarded like its handler: no token, no answer;
// and when the at-once answer declines, the handler runs with the request admitted once.
TEST_F(AuthGuardTest, AnAtOnceAnswerIsGuardedAndItsHandlerIsNotAdmittedTwice) {
  int at_once_calls = 0, handler_calls = 0;
  bool decline = false;
  http::Route route{.method = "GET",
                    .pattern = "/x",
                    .handler =
                        [&](http::Request& req) {
                          ++handler_calls;
                          return http::Response::Text(
                              200, req.principal ? req.principal->user : "-", "text/plain");
                        },
                    .execution = http::Execution::kBlocking,
                    .at_once = [&](http::Request& req) -> std::optional<http::Response> {
                      ++at_once_calls;
                      if (decline) return std::nullopt;
                      return http::Response::Text(200, "at once " + req.principal->user,
                                                  "text/plain");
                    }};
  guard_->Protect(route, Level::kGreen);

  http::Request anonymous;
  anonymous.remote_ip = "127.0.0.1";
  auto refused = route.at_once(anonymous);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(at_once_calls, 0);
  EXPECT_FALSE(anonymous.admitted);

  http::Request req;
  req.remote_ip = "127.0.0.1";
  req.headers.emplace_back("authorization", "Bearer " + TokenAt(Level::kGreen));
  auto answered = route.at_once(req);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->body, "at once alice");

  decline = true;
  http::Request declined;
  declined.remote_ip = "127.0.0.1";
  declined.headers.emplace_back("authorization", "Bearer not-a-token");
  EXPECT_EQ(route.at_once(declined)->status, 401);  // refused before it could decline
  declined.headers.back().second = "Bearer " + TokenAt(Level::kGreen);
  EXPECT_FALSE(route.at_once(declined));
  EXPECT_TRUE(declined.admitted);
  // The handler does not admit it again: a header changed after admission is not looked at.
  declined.headers.back().second = "Bearer not-a-token";
  EXPECT_EQ(route.handler(declined).body, "alice");
  EXPECT_EQ(handler_calls, 1);
}

}  // namespace
}  // namespace sfapid
