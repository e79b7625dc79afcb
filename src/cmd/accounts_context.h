// The account services an operator command works through, wired as the server wires them (so Unix
// groups stay in step when run as root). Shared by `sfapid user|project ...` and `sfapid client`.
#pragma once

#include <unistd.h>

#include "config/config.h"
#include "core/accounts/account_service.h"
#include "store/store.h"

namespace sfapid::cmd {

struct Accounts {
  UserDirectory users;
  UnixGroupDirectory system;
  GroupService groups;
  AccountService service;

  Accounts(const Config& c, Store& s)
      : users(c.runas),
        groups(c.accounts, s.accounts(), users, system, c.accounts.unix_groups && ::geteuid() == 0),
        service(c.accounts, s.accounts(), users, groups) {}
};

}  // namespace sfapid::cmd
