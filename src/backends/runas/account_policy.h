// Which Unix accounts sfapid may act as, or put in a project group: ordinary login accounts only.
// Daemon accounts (slurm, munge, nobody, ...) are refused by three rules that hold on Debian:
// the uid lies in the login range (UID_MIN..UID_MAX of /etc/login.defs unless [runas] sets
// min_uid / max_uid; Debian gives its daemons uids below 1000 and from 60000 up), the shell is a
// login shell (not nologin or false), and the name is not in [runas] deny_accounts.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "config/config.h"

namespace sfapid {

struct LoginUidRange {
  uid_t min = 1000;
  uid_t max = 60000;
};

// UID_MIN and UID_MAX from a login.defs file; Debian's values where the file does not say.
LoginUidRange ReadLoginUidRange(const std::string& login_defs = "/etc/login.defs");

class AccountPolicy {
 public:
  explicit AccountPolicy(const RunAsConfig& config);

  // Why the account may not be acted as ("uid 64030 is outside ..."), or nullopt when it may.
  std::optional<std::string> Refusal(const std::string& account, uid_t uid,
                                     const std::string& shell) const;
  // The same for an account looked up by name; nullopt also when no such account exists (that is
  // for the caller to judge).
  std::optional<std::string> RefusalFor(const std::string& account) const;

  const LoginUidRange& range() const { return range_; }

 private:
  const RunAsConfig& config_;
  LoginUidRange range_;
};

}  // namespace sfapid
