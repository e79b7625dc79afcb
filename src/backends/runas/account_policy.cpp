#include "backends/runas/account_policy.h"

#include <pwd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace sfapid {

LoginUidRange ReadLoginUidRange(const std::string& login_defs) {
  LoginUidRange range;
  std::ifstream in(login_defs);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key;
    long long value = -1;
    if (!(words >> key) || key.empty() || key[0] == '#') continue;
    if (!(words >> value) || value < 0 || value > 0xfffffffeLL) continue;
    if (key == "UID_MIN") range.min = static_cast<uid_t>(value);
    if (key == "UID_MAX") range.max = static_cast<uid_t>(value);
  }
  return range;
}

AccountPolicy::AccountPolicy(const RunAsConfig& config)
    : config_(config), range_(ReadLoginUidRange()) {
  if (config.min_uid >= 0) range_.min = static_cast<uid_t>(config.min_uid);
  if (config.max_uid >= 0) range_.max = static_cast<uid_t>(config.max_uid);
}

std::optional<std::string> AccountPolicy::Refusal(const std::string& account, uid_t uid,
                                                  const std::string& shell) const {
  if (uid == 0) return "'" + account + "' is root";
  const auto& deny = config_.deny_accounts;
  if (std::find(deny.begin(), deny.end(), account) != deny.end())
    return "'" + account + "' is in runas.deny_accounts";
  if (uid < range_.min || uid > range_.max)
    return "'" + account + "' (uid " + std::to_string(uid) + ") is a system account: uid outside " +
           std::to_string(range_.min) + ".." + std::to_string(range_.max) +
           " (UID_MIN..UID_MAX of /etc/login.defs, or runas.min_uid/max_uid)";
  if (config_.login_shell_required) {
    const std::string base = shell.substr(shell.find_last_of('/') + 1);
    if (base == "nologin" || base == "false")
      return "'" + account + "' has no login shell (" + shell + "): a daemon account";
  }
  return std::nullopt;
}

std::optional<std::string> AccountPolicy::RefusalFor(const std::string& account) const {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwnam_r(account.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
    return std::nullopt;
  return Refusal(found->pw_name, found->pw_uid, found->pw_shell ? found->pw_shell : "");
}

}  // namespace sfapid
