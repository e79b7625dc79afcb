// TokenService with a real client registry, real keys and a real SQLite auth store: a good
// assertion buys one access token that the verifier accepts; each way an assertion is refused says
// why and is audited; an address refused too often is answered 429 without being checked.
#include "auth/token_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth/access_token_verifier.h"
#include "auth/jwt.h"
#include "support/test_store.h"

namespace sfapid {
namespace {

namespace json = boost::json;

class TokenServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.port = 8443;
    ASSERT_TRUE(keys_.LoadOrCreate().ok());
    NewClient request;
    request.owner = "alice";
    request.level = Level::kYellow;
    auto created = clients_.Create(request);
    ASSERT_TRUE(created) << created.status().message();
    client_ = std::move(created).value();
  }

  int64_t NowSeconds() const { return Now().time_since_epoch().count(); }
  json::object Claims() const {
    const std::string& id = client_.record.client_id;
    return {{"iss", id},
            {"sub", id},
            {"aud", "http://127.0.0.1:8443/oauth2/token"},
            {"exp", NowSeconds() + 60}};
  }
  std::variant<IssuedToken, OAuthError> Issue(const json::object& claims,
                                              const std::string& ip = "127.0.0.1") {
    auto assertion = SignJwt(claims, *client_.private_key, "");
    EXPECT_TRUE(assertion) << assertion.status().message();
    return tokens_.Issue({"client_credentials", kJwtBearerAssertionType, *assertion, ip});
  }
  // The refusal's description; fails the test when a token was issued.
  std::string Refusal(const std::variant<IssuedToken, OAuthError>& result) {
    const auto* error = std::get_if<OAuthError>(&result);
    EXPECT_NE(error, nullptr) << "a token was issued";
    return error ? error->description : "";
  }

  testing::TestStore store_;
  AuthConfig auth_;
  ServerConfig server_;
  ClientRegistry clients_{auth_, store_->auth()};
  SigningKeys keys_{store_->auth(), "", 600};
  TokenService tokens_{auth_, server_, clients_, keys_, store_->auth()};
  CreatedClient client_;
};

TEST_F(TokenServiceTest, AGoodAssertionBuysATokenTheVerifierAccepts) {
  auto result = Issue(Claims());
  ASSERT_TRUE(std::holds_alternative<IssuedToken>(result)) << Refusal(result);
  const IssuedToken& token = std::get<IssuedToken>(result);
  EXPECT_EQ(token.scope, "yellow");
  EXPECT_EQ(token.expires_in, 600);
  AccessTokenVerifier verifier(auth_, server_, clients_, keys_);
  auto principal = verifier.Verify(token.access_token, "127.0.0.1");
  ASSERT_TRUE(principal) << principal.status().message();
  EXPECT_EQ(principal->user, "alice");
  EXPECT_EQ(principal->client_id, client_.record.client_id);
  EXPECT_EQ(principal->level, Level::kYellow);
  auto audit = store_->auth().ListAudit(10);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(audit->at(0).outcome, "issued");
  EXPECT_EQ(audit->at(0).user, "alice");
}

TEST_F(TokenServiceTest, AnAssertionIsGoodForOneToken) {
  json::object claims = Claims();
  claims["jti"] = "once";
  ASSERT_TRUE(std::holds_alternative<IssuedToken>(Issue(claims)));
  EXPECT_EQ(Refusal(Issue(claims)), "the assertion was already used (replayed jti)");
  claims.erase("jti");
  ASSERT_TRUE(std::holds_alternative<IssuedToken>(Issue(claims)));
  EXPECT_NE(Refusal(Issue(claims)).find("already used"), std::string::npos);
}

TEST_F(TokenServiceTest, TheAudienceIsTheTokenEndpointWhereTheServerListens) {
  json::object claims = Claims();
  claims["aud"] = "https://elsewhere.example/oauth2/token";
  EXPECT_EQ(Refusal(Issue(claims)),
            "the assertion's aud must be the token endpoint, http://127.0.0.1:8443/oauth2/token");
  // Behind a proxy the operator names the public URL, and only that is accepted.
  auth_.token_url = "https://api.example.org/oauth2/token";
  claims["aud"] = "https://api.example.org/oauth2/token";
  EXPECT_TRUE(std::holds_alternative<IssuedToken>(Issue(claims)));
}

TEST_F(TokenServiceTest, ExpiryIsCheckedBothWays) {
  json::object claims = Claims();
  claims["exp"] = NowSeconds() - 3600;
  EXPECT_EQ(Refusal(Issue(claims)), "the assertion expired");
  claims["exp"] = NowSeconds() + 2 * 86400;
  EXPECT_EQ(Refusal(Issue(claims)), "the assertion's exp is too far ahead (at most 86400 seconds)");
  claims["exp"] = NowSeconds() + 60;
  claims["nbf"] = NowSeconds() + 3600;
  EXPECT_EQ(Refusal(Issue(claims)), "the assertion's nbf is in the future");
}

TEST_F(TokenServiceTest, MalformedRequestsAreRefusedWithTheReason) {
  auto grant = tokens_.Issue({"password", kJwtBearerAssertionType, "x", "127.0.0.1"});
  EXPECT_EQ(std::get<OAuthError>(grant).error, "unsupported_grant_type");
  auto missing = tokens_.Issue({"client_credentials", kJwtBearerAssertionType, "", "127.0.0.1"});
  EXPECT_EQ(std::get<OAuthError>(missing).description, "client_assertion is missing");
  json::object claims = Claims();
  claims["sub"] = "someone-else";
  EXPECT_EQ(Refusal(Issue(claims)), "the assertion's iss and sub must both be the client id");
}

TEST_F(TokenServiceTest, AnAuditedReasonIsOneLineWhateverTheRequestSaid) {
  json::object claims = Claims();
  claims["iss"] = claims["sub"] = "x\nissued client=abcdefghijklm user=root";
  EXPECT_EQ(Refusal(Issue(claims)),
            "'x\nissued client=abcdefghijklm user=root' is not a client id");  // the client's own
  auto audit = store_->auth().ListAudit(1);
  ASSERT_TRUE(audit && audit->size() == 1u);
  EXPECT_EQ(audit->front().reason,
            "invalid_client: 'x issued client=abcdefghijklm user=root' is not a client id");
}

TEST_F(TokenServiceTest, ARevokedClientAndAForeignAddressAreRefused) {
  EXPECT_NE(Refusal(Issue(Claims(), "198.51.100.7")).find("are not allowed for client"),
            std::string::npos);
  ASSERT_TRUE(store_->auth().RevokeClient(client_.record.client_id, Now()).ok());
  ASSERT_TRUE(clients_.Reload().ok());
  EXPECT_EQ(Refusal(Issue(Claims())), "client " + client_.record.client_id + " was revoked");
}

TEST_F(TokenServiceTest, AnAddressRefusedTooOftenIsAnswered429Unchecked) {
  auth_.max_refusals_per_address = 3;
  TokenService tokens(auth_, server_, clients_, keys_, store_->auth());
  const TokenRequest bad{"client_credentials", kJwtBearerAssertionType, "not-a-jwt", "192.0.2.1"};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(std::get<OAuthError>(tokens.Issue(bad)).http_status, 400);
  const OAuthError limited = std::get<OAuthError>(tokens.Issue(bad));
  EXPECT_EQ(limited.http_status, 429);
  EXPECT_GT(limited.retry_after_seconds, 0);
  // Another address is still heard.
  auto assertion = SignJwt(Claims(), *client_.private_key, "");
  ASSERT_TRUE(assertion);
  EXPECT_TRUE(std::holds_alternative<IssuedToken>(
      tokens.Issue({"client_credentials", kJwtBearerAssertionType, *assertion, "127.0.0.1"})));
}

}  // namespace
}  // namespace sfapid
