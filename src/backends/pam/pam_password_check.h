// PasswordCheck through PAM (pam_authenticate, then pam_acct_mgmt) with the [web] pam_service:
// the same accounts, password rules and lockouts (pam_faillock) the facility's login nodes use.
#pragma once

#include "backends/pam/password_check.h"

namespace sfapid {

class PamPasswordCheck : public PasswordCheck {
 public:
  explicit PamPasswordCheck(std::string service) : service_(std::move(service)) {}
  Status Check(const std::string& account, const std::string& password) override;

 private:
  std::string service_;
};

}  // namespace sfapid
