// FirstFactor: a user name and the account's password, checked by PAM (PasswordCheck).
#pragma once

#include "backends/pam/password_check.h"
#include "core/web/first_factor.h"

namespace sfapid {

class PasswordFactor : public FirstFactor {
 public:
  explicit PasswordFactor(PasswordCheck& check) : check_(check) {}
  std::string name() const override { return "password"; }
  bool NeedsSecondFactor() const override { return true; }
  std::string Claimed(const SignInFields& fields) const override;
  Result<std::string> Identify(const SignInFields& fields) override;

 private:
  PasswordCheck& check_;
};

// A one-time link an operator made with `sfapid web link --user U`: the operator vouches for the
// user (it is how `make run` lets the local user in without a password), so no second factor.
class LinkFactor : public FirstFactor {
 public:
  explicit LinkFactor(class WebStore& store) : store_(store) {}
  std::string name() const override { return "link"; }
  bool NeedsSecondFactor() const override { return false; }
  std::string Claimed(const SignInFields&) const override { return ""; }
  Result<std::string> Identify(const SignInFields& fields) override;
  Names names() const override { return Names::kApiUser; }

 private:
  class WebStore& store_;
};

}  // namespace sfapid
