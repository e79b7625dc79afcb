// Which Unix account an API user is (the same name, or as [runas] accounts maps it), read from the
// system's user database: the uid GET /account reports, and who may be put in a Unix group.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "backends/runas/account_policy.h"
#include "config/config.h"

namespace sfapid {

struct UnixAccount {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string shell;
};

class UserDirectory {
 public:
  explicit UserDirectory(const RunAsConfig& config) : config_(config), policy_(config) {}
  virtual ~UserDirectory() = default;

  // The Unix account name the API user maps to (whether or not it exists).
  std::string AccountName(const std::string& api_user) const;
  // The API user an account is: the one [runas] accounts maps to it, else the same name unless
  // that name is an API user mapped to another account (then the account has no API user:
  // signing in as it must not act as the account the name is mapped to).
  std::optional<std::string> ApiUserFor(const std::string& account) const;
  // The account, when it exists.
  virtual std::optional<UnixAccount> Lookup(const std::string& api_user) const;
  // Whether an account may be changed on a user's behalf (put in a group): never root, system or
  // daemon accounts, by the same rule as acting as one (AccountPolicy).
  bool Ordinary(const UnixAccount& a) const { return !policy_.Refusal(a.name, a.uid, a.shell); }

 private:
  const RunAsConfig& config_;
  AccountPolicy policy_;
};

}  // namespace sfapid
