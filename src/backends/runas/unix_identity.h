// The Unix account an API user acts as, and how API users map onto accounts.
#pragma once

#include <sys/types.h>

#include <string>

#include "backends/runas/account_policy.h"
#include "config/config.h"
#include "util/status.h"

namespace sfapid {

struct UnixIdentity {
  std::string api_user;
  std::string account;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string shell;  // the account's login shell ("" when none is set)
};

class UserMap {
 public:
  explicit UserMap(const RunAsConfig& config) : config_(config), policy_(config) {}

  // The account of the same name unless config maps it. PermissionDenied when the account cannot
  // be acted as: unknown, root, a system or daemon account (AccountPolicy), or (when sfapid is not
  // root) any account but sfapid's own.
  Result<UnixIdentity> Resolve(const std::string& api_user) const;

 private:
  const RunAsConfig& config_;
  AccountPolicy policy_;
};

}  // namespace sfapid
