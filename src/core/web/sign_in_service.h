// Signing in to the web pages: a first factor (FirstFactor), then a TOTP code when [web] mfa =
// "totp" (enrolled at the first sign-in), with lockout per user and per address, and a session at
// the end. Root, system and daemon accounts are never signed in: sfapid never acts as them.
// Every outcome goes to the audit log (`sfapid audit`); passwords, codes and secrets never do.
#pragma once

#include <optional>
#include <string>

#include "backends/runas/account_policy.h"
#include "config/config.h"
#include "core/accounts/user_directory.h"
#include "core/web/first_factor.h"
#include "core/web/sign_in_gate.h"
#include "core/web/sign_in_lockout.h"
#include "core/web/web_sessions.h"
#include "store/auth_store.h"
#include "store/web_store.h"

namespace sfapid {

struct SignInStep {
  enum class Kind { kSignedIn, kSecondFactorDue, kEnrolmentDue, kRefused, kLockedOut };
  Kind kind = Kind::kRefused;
  std::optional<OpenedSession> session;  // all but kRefused and kLockedOut
  std::string message;                   // kRefused and kLockedOut: for the user
  int64_t retry_after = 0;               // kLockedOut: seconds
  std::string totp_uri;                  // kEnrolmentDue: for the QR code
  std::string totp_secret;               // kEnrolmentDue: to type in instead
};

class SignInService {
 public:
  SignInService(const Config& config, WebStore& store, AuthStore& audit, WebSessions& sessions,
                const UserDirectory& users);

  SignInStep Begin(FirstFactor& factor, const SignInFields& fields, const std::string& ip);
  // The TOTP code for a session at kSecondFactor or kEnrolling.
  SignInStep SecondFactor(const WebSession& half, const std::string& code, const std::string& ip);

  // The operator's reset: the user enrols again at the next sign-in; their sessions end.
  Status ResetTotp(const std::string& user);

  // Writes one line to the audit log (`sfapid audit`).
  void Audit(const std::string& user, const std::string& ip, const std::string& outcome,
             const std::string& detail);

 private:
  SignInStep Refuse(const std::string& user, const std::string& ip, const std::string& why,
                    const std::string& detail);
  std::optional<SignInStep> LockedOut(const std::string& user, const std::string& ip);
  SignInStep SignedIn(Result<OpenedSession> opened, const std::string& ip);

  const Config& config_;
  WebStore& store_;
  AuthStore& audit_;
  WebSessions& sessions_;
  const UserDirectory& users_;
  SignInLockout lockout_;
  AccountPolicy policy_;
  SignInGate gate_{2, 8};  // checks at once: per address, in all
};

}  // namespace sfapid
