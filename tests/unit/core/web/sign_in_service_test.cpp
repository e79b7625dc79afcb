// Signing in: a fake password check in front of the real rules (second factor, enrolment, replays,
// lockout per user and per address, links, sessions promoted to a new id) and a real store.
#include "core/web/sign_in_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/web/password_factor.h"
#include "core/web/totp.h"
#include "support/test_store.h"
#include "util/secret_tokens.h"

namespace sfapid {
namespace {

class FakePasswords : public PasswordCheck {
 public:
  Status Check(const std::string& account, const std::string& password) override {
    ++calls;
    if ((account == "alice" && password == "alice-pw") || (account == "root" && password == "r"))
      return Status::Ok();
    return Status::Unauthenticated("wrong user name or password");
  }
  int calls = 0;
};

using Kind = SignInStep::Kind;

class SignInServiceTest : public ::testing::Test {
 protected:
  SignInServiceTest() { config_.web.max_failures = 3; }

  SignInStep Password(const std::string& user, const std::string& password,
                      const std::string& ip = "10.0.0.1") {
    return service_.Begin(password_factor_, {{"username", user}, {"password", password}}, ip);
  }
  // Signs alice in with the password and enrols her; returns her TOTP secret. enrolled_at_ is
  // the time whose code was used (codes of later steps are fresh, even across a step boundary).
  std::string Enrol() {
    SignInStep first = Password("alice", "alice-pw");
    EXPECT_EQ(first.kind, Kind::kEnrolmentDue);
    enrolled_at_ = Now();
    SignInStep done = service_.SecondFactor(first.session->session,
                                            TotpCode(first.totp_secret, enrolled_at_), "10.0.0.1");
    EXPECT_EQ(done.kind, Kind::kSignedIn) << done.message;
    return first.totp_secret;
  }
  std::vector<AuthAuditRecord> Audit() { return *store_->auth().ListAudit(100); }

  TimePoint enrolled_at_;

  Config config_;
  testing::TestStore store_;
  FakePasswords passwords_;
  PasswordFactor password_factor_{passwords_};
  LinkFactor link_factor_{store_->web()};
  WebSessions sessions_{config_.web, store_->web()};
  UserDirectory users_{config_.runas};
  SignInService service_{config_, store_->web(), store_->auth(), sessions_, users_};
};

TEST_F(SignInServiceTest, TheFirstSignInEnrolsATotpSecretThenSignsIn) {
  SignInStep first = Password("alice", "alice-pw");
  ASSERT_EQ(first.kind, Kind::kEnrolmentDue) << first.message;
  EXPECT_EQ(first.session->session.stage, SessionStage::kEnrolling);
  EXPECT_EQ(first.totp_uri, TotpUri("sfapid", "alice", first.totp_secret));
  // The browser holds only the cookie; the store only its hash.
  EXPECT_EQ(first.session->session.id_hash, Sha256Hex(first.session->cookie));
  EXPECT_FALSE(*store_->web().GetTotp("alice"));  // not enrolled until a code proves it

  SignInStep done =
      service_.SecondFactor(first.session->session, TotpCode(first.totp_secret, Now()), "10.0.0.1");
  ASSERT_EQ(done.kind, Kind::kSignedIn) << done.message;
  EXPECT_EQ(done.session->session.stage, SessionStage::kSignedIn);
  EXPECT_EQ(done.session->session.method, "password+totp");
  // A new id: the half-signed-in cookie is worth nothing now.
  EXPECT_NE(done.session->cookie, first.session->cookie);
  EXPECT_FALSE(sessions_.Find(first.session->cookie));
  EXPECT_TRUE(sessions_.Find(done.session->cookie));
  EXPECT_EQ((*store_->web().GetTotp("alice"))->secret_base32, first.totp_secret);
}

TEST_F(SignInServiceTest, AnEnrolledUserGivesACodeAndACodeIsGoodOnce) {
  const std::string secret = Enrol();
  SignInStep second = Password("alice", "alice-pw");
  ASSERT_EQ(second.kind, Kind::kSecondFactorDue);
  EXPECT_TRUE(second.totp_secret.empty());  // never shown again
  // The enrolment's own code was used: it cannot sign in again (a replay).
  SignInStep replay =
      service_.SecondFactor(second.session->session, TotpCode(secret, enrolled_at_), "10.0.0.1");
  EXPECT_EQ(replay.kind, Kind::kRefused);
  EXPECT_EQ(replay.message, "this code was used already; wait for the next one");
  // The next step's code is good once.
  const TimePoint next = enrolled_at_ + std::chrono::seconds(kTotpStepSeconds);
  SignInStep ok =
      service_.SecondFactor(second.session->session, TotpCode(secret, next), "10.0.0.1");
  EXPECT_EQ(ok.kind, Kind::kSignedIn) << ok.message;
}

TEST_F(SignInServiceTest, AWrongPasswordOrCodeIsRefusedAndAudited) {
  SignInStep wrong = Password("alice", "nope");
  EXPECT_EQ(wrong.kind, Kind::kRefused);
  EXPECT_EQ(wrong.message, "wrong user name or password");
  EXPECT_FALSE(wrong.session);
  SignInStep first = Password("alice", "alice-pw");
  // A code of none of the steps in the window.
  std::string wrong_code = TotpCode(first.totp_secret, Now());
  for (int d = 1; MatchTotp(first.totp_secret, wrong_code, Now()); ++d)
    wrong_code[0] = static_cast<char>('0' + (wrong_code[0] - '0' + d) % 10);
  SignInStep bad_code = service_.SecondFactor(first.session->session, wrong_code, "10.0.0.1");
  EXPECT_EQ(bad_code.kind, Kind::kRefused);
  EXPECT_EQ(bad_code.message, "wrong code");
  auto audit = Audit();
  int refused = 0;
  for (const auto& a : audit) {
    refused += a.outcome == "web-sign-in-refused";
    // Nothing secret is ever written down.
    EXPECT_EQ(a.reason.find("nope"), std::string::npos);
    EXPECT_EQ(a.reason.find(first.totp_secret), std::string::npos);
  }
  EXPECT_EQ(refused, 2);
}

TEST_F(SignInServiceTest, AUserIsLockedOutAfterMaxFailuresEvenWithTheRightPassword) {
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(Password("alice", "nope", "10.0.0." + std::to_string(i + 1)).kind, Kind::kRefused);
  const int calls = passwords_.calls;
  SignInStep locked = Password("alice", "alice-pw", "10.9.9.9");
  EXPECT_EQ(locked.kind, Kind::kLockedOut);
  EXPECT_GT(locked.retry_after, 0);
  EXPECT_LE(locked.retry_after, 15 * 60);
  EXPECT_EQ(passwords_.calls, calls);  // not even asked: guessing on costs nothing to learn
}

TEST_F(SignInServiceTest, AnAddressIsLockedOutAcrossUserNames) {
  for (const char* user : {"u1", "u2", "u3"})
    EXPECT_EQ(Password(user, "x", "192.0.2.7").kind, Kind::kRefused);
  EXPECT_EQ(Password("alice", "alice-pw", "192.0.2.7").kind, Kind::kLockedOut);
  EXPECT_EQ(Password("alice", "alice-pw", "192.0.2.8").kind, Kind::kEnrolmentDue);
}

TEST_F(SignInServiceTest, WithoutMfaThePasswordSignsIn) {
  config_.web.mfa = "none";
  SignInStep step = Password("alice", "alice-pw");
  ASSERT_EQ(step.kind, Kind::kSignedIn);
  EXPECT_EQ(step.session->session.method, "password");
}

TEST_F(SignInServiceTest, AnOperatorsLinkSignsInOnceWithoutASecondFactor) {
  ASSERT_TRUE(store_->web()
                  .CreateSignInLink(Sha256Hex("the-link"), "alice", Now() + std::chrono::minutes(5))
                  .ok());
  SignInStep step = service_.Begin(link_factor_, {{"link", "the-link"}}, "10.0.0.1");
  ASSERT_EQ(step.kind, Kind::kSignedIn) << step.message;
  EXPECT_EQ(step.session->session.method, "link");
  SignInStep again = service_.Begin(link_factor_, {{"link", "the-link"}}, "10.0.0.1");
  EXPECT_EQ(again.kind, Kind::kRefused);
}

TEST_F(SignInServiceTest, RootIsNeverSignedIn) {
  if (::geteuid() != 0) GTEST_SKIP() << "the account rule applies when sfapid runs as root";
  SignInStep step = Password("root", "r");
  EXPECT_EQ(step.kind, Kind::kRefused);
  EXPECT_NE(step.message.find("never acts as root"), std::string::npos);
}

// [runas] accounts maps API users to Unix accounts: a password proves an account and signs in
// as the API user mapped to it; an account whose own name is an API user mapped elsewhere has
// no API user (signing in as "alice" must not act as "bob", whose account alice is not).
TEST_F(SignInServiceTest, APasswordSignsInAsTheApiUserMappedToItsAccountOnly) {
  config_.web.mfa = "none";
  config_.runas.accounts = {{"alice", "bob"}};
  SignInStep refused = Password("alice", "alice-pw");
  EXPECT_EQ(refused.kind, Kind::kRefused);
  EXPECT_EQ(refused.message,
            "this account has no API user: [runas] accounts maps its name to another account");
  EXPECT_FALSE(refused.session);

  config_.runas.accounts = {{"carol", "alice"}};
  SignInStep step = Password("alice", "alice-pw");
  ASSERT_EQ(step.kind, Kind::kSignedIn) << step.message;
  EXPECT_EQ(step.session->session.user, "carol");
}

// A link names an API user: the account rule applies to the account that user is mapped to.
TEST_F(SignInServiceTest, ALinkForAnApiUserMappedToRootIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "the account rule applies when sfapid runs as root";
  config_.runas.accounts = {{"carol", "root"}};
  ASSERT_TRUE(store_->web()
                  .CreateSignInLink(Sha256Hex("the-link"), "carol", Now() + std::chrono::minutes(5))
                  .ok());
  SignInStep step = service_.Begin(link_factor_, {{"link", "the-link"}}, "10.0.0.1");
  EXPECT_EQ(step.kind, Kind::kRefused);
  EXPECT_NE(step.message.find("never acts as root"), std::string::npos) << step.message;
}

// Two enrolments begun before either completed (one of them someone holding the password): the
// one completed first counts, the other cannot replace the authenticator afterwards.
TEST_F(SignInServiceTest, AnEnrolmentBegunBeforeAnotherCompletedCannotReplaceIt) {
  SignInStep stale = Password("alice", "alice-pw");
  ASSERT_EQ(stale.kind, Kind::kEnrolmentDue);
  const std::string secret = Enrol();
  SignInStep late =
      service_.SecondFactor(stale.session->session, TotpCode(stale.totp_secret, Now()), "10.0.0.2");
  EXPECT_EQ(late.kind, Kind::kRefused);
  EXPECT_EQ(late.message, "a second factor was enrolled meanwhile; sign in again");
  EXPECT_EQ((*store_->web().GetTotp("alice"))->secret_base32, secret);
}

TEST_F(SignInServiceTest, AnOperatorsResetEndsSessionsAndEnrolsAgain) {
  Enrol();
  SignInStep second = Password("alice", "alice-pw");
  ASSERT_EQ(second.kind, Kind::kSecondFactorDue);
  ASSERT_TRUE(service_.ResetTotp("alice").ok());
  EXPECT_FALSE(sessions_.Find(second.session->cookie));
  EXPECT_EQ(Password("alice", "alice-pw").kind, Kind::kEnrolmentDue);
}

TEST_F(SignInServiceTest, AnIdleSessionEnds) {
  SignInStep first = Password("alice", "alice-pw");
  WebSession s = first.session->session;
  s.last_seen_at = Now() - std::chrono::minutes(31);  // idle limit 30
  ASSERT_TRUE(store_->web().UpdateSession(s).ok());
  auto found = sessions_.Find(first.session->cookie);
  EXPECT_EQ(found.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(store_->web().GetSession(s.id_hash).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace sfapid
