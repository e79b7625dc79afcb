#include "core/accounts/known_users.h"

namespace sfapid {

Result<std::optional<UserInfo>> FindUser(AccountStore& store, const UserDirectory& users,
                                         const std::string& name) {
  auto record = store.GetUser(name);
  if (!record) return record.status();
  const auto unix_account = users.Lookup(name);
  if (!*record && !unix_account) return std::optional<UserInfo>();
  UserInfo info;
  info.name = name;
  if (*record) {
    info.details = **record;
    if ((*record)->uid) info.uid = *(*record)->uid;
  }
  info.details.name = name;
  if (!(*record && (*record)->uid) && unix_account) info.uid = unix_account->uid;
  return std::optional<UserInfo>(std::move(info));
}

}  // namespace sfapid
