// A user directory that knows exactly the accounts a test gives it, instead of this machine's.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/accounts/user_directory.h"

namespace sfapid::testing {

class FakeUsers : public UserDirectory {
 public:
  explicit FakeUsers(const RunAsConfig& c) : UserDirectory(c) {}
  std::optional<UnixAccount> Lookup(const std::string& api_user) const override {
    auto it = accounts.find(api_user);
    if (it == accounts.end()) return std::nullopt;
    return it->second;
  }
  std::map<std::string, UnixAccount> accounts;
};

}  // namespace sfapid::testing
