#include "backends/runas/unix_identity.h"

#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace sfapid {

Result<UnixIdentity> UserMap::Resolve(const std::string& api_user) const {
  std::string account = api_user;
  for (const auto& [from, to] : config_.accounts)
    if (from == api_user) account = to;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwnam_r(account.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
    return Status::PermissionDenied("user " + api_user + " has no Unix account ('" + account +
                                    "') on this system");
  if (found->pw_uid == 0)
    return Status::PermissionDenied("user " + api_user +
                                    " maps to root; sfapid never acts as root");
  if (::geteuid() == 0)
    if (auto why =
            policy_.Refusal(found->pw_name, found->pw_uid, found->pw_shell ? found->pw_shell : ""))
      return Status::PermissionDenied("user " + api_user + " maps to " + *why +
                                      "; sfapid does not act as it");
  if (::geteuid() != 0 && found->pw_uid != ::geteuid()) {
    passwd* self = getpwuid(::geteuid());
    return Status::PermissionDenied("sfapid runs without root as '" +
                                    std::string(self ? self->pw_name : "?") +
                                    "', so it acts only for API users mapped to that account; " +
                                    api_user + " maps to '" + account + "'");
  }
  return UnixIdentity{api_user,
                      account,
                      found->pw_uid,
                      found->pw_gid,
                      found->pw_dir ? found->pw_dir : "/",
                      found->pw_shell ? found->pw_shell : ""};
}

}  // namespace sfapid
