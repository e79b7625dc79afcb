#include "core/accounts/user_directory.h"

#include <pwd.h>

#include <vector>

namespace sfapid {

std::string UserDirectory::AccountName(const std::string& api_user) const {
  for (const auto& [user, account] : config_.accounts)
    if (user == api_user) return account;
  return api_user;
}

std::optional<std::string> UserDirectory::ApiUserFor(const std::string& account) const {
  for (const auto& [user, mapped] : config_.accounts)
    if (mapped == account) return user;
  if (AccountName(account) != account) return std::nullopt;
  return account;
}

std::optional<UnixAccount> UserDirectory::Lookup(const std::string& api_user) const {
  const std::string name = AccountName(api_user);
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
    return std::nullopt;
  return UnixAccount{found->pw_name, found->pw_uid, found->pw_gid,
                     found->pw_shell ? found->pw_shell : ""};
}

}  // namespace sfapid
