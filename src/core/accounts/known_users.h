// Who counts as a user of this facility: an API user the operator registered (`sfapid user add`,
// [[users]]) or one whose Unix account exists. Both the user and the group services ask this.
#pragma once

#include <optional>
#include <string>

#include "core/accounts/account_views.h"
#include "core/accounts/user_directory.h"
#include "store/account_store.h"

namespace sfapid {

// The user's public details, or nullopt when they are neither registered nor a Unix account.
// The uid is the registered one, else the Unix account's.
Result<std::optional<UserInfo>> FindUser(AccountStore& store, const UserDirectory& users,
                                         const std::string& name);

}  // namespace sfapid
