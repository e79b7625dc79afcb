// The first step of signing in to the web pages: who the browser's user is. One interface for every
// way a facility proves it (a PAM password today, a one-time link from an operator; an OIDC
// provider's callback would be a third), so the session, lockout and second-factor rules around
// it (SignInService) are written once.
#pragma once

#include <map>
#include <string>

#include "util/status.h"

namespace sfapid {

using SignInFields = std::map<std::string, std::string>;

class FirstFactor {
 public:
  virtual ~FirstFactor() = default;
  // "password", "link": what sessions and the audit log record.
  virtual std::string name() const = 0;
  // Whether a TOTP code is still asked for after it (when [web] mfa = "totp").
  virtual bool NeedsSecondFactor() const = 0;
  // The user name the attempt claims, before it is checked (for lockout per user); "" if none.
  virtual std::string Claimed(const SignInFields& fields) const = 0;
  // Who the fields prove (see names()); Unauthenticated, in words for the user, when they do not.
  virtual Result<std::string> Identify(const SignInFields& fields) = 0;
  // What Identify names: a Unix account (a password proves one) or an API user (an operator's
  // link is made for one). [runas] accounts may map the two apart, so the service must know.
  enum class Names { kUnixAccount, kApiUser };
  virtual Names names() const { return Names::kUnixAccount; }
};

}  // namespace sfapid
