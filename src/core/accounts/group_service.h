// Project groups (spec §2.3 /account/groups): a project's PI or PI proxies create groups and
// choose their members. When sfapid runs as root they are real Unix groups (gids from
// [accounts] gid_min..gid_max, members kept in step with the store), so file permissions follow
// the API; otherwise they live in the store only.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/accounts/account_views.h"
#include "core/accounts/group_directory.h"
#include "core/accounts/user_directory.h"
#include "store/account_store.h"

namespace sfapid {

// Why a name cannot be a group name ("" when it can): 1-8 ASCII characters, a lower-case letter
// or '_' first, then lower-case letters, digits, '_' or '-' (what groupadd accepts everywhere).
std::string GroupNameProblem(const std::string& name);

class GroupService {
 public:
  // `system` answers what groups exist; with `real` it is also changed.
  GroupService(const AccountsConfig& config, AccountStore& store, const UserDirectory& users,
               GroupDirectory& system, bool real)
      : config_(config), store_(store), users_(users), system_(system), real_(real) {}

  // Whether new groups become real Unix groups.
  bool real() const { return real_; }

  // Groups the user belongs to or manages (as PI or PI proxy of their project).
  Result<std::vector<GroupReport>> GroupsOf(const std::string& user);
  // PermissionDenied unless the caller is in the group or in its project.
  Result<GroupReport> Get(const std::string& caller, const std::string& name);
  // The caller must be PI or PI proxy of repo_name. The group starts without members.
  Result<GroupReport> Create(const std::string& caller, const std::string& name,
                             const std::string& repo_name);
  // action: "batch_add" | "batch_remove". InvalidField "usernames" names users that are not known
  // (nothing is changed then), InvalidField "action" a wrong action.
  Result<GroupReport> Update(const std::string& caller, const std::string& name,
                             const std::vector<std::string>& usernames, const std::string& action);

  // --- for operators and the other account operations ---
  Result<GroupReport> Report(const GroupRecord& g);
  // Takes the user out of every Unix group (the store's memberships go with the user).
  Status ForgetUser(const std::string& user);
  // Deletes the project's Unix groups (the store's records go with the project).
  Status RemoveUnixGroupsOf(int64_t project_id);
  // The groups of one project, as stored (operators: `sfapid project show`).
  Result<std::vector<GroupRecord>> ProjectGroups(int64_t project_id);
  // Makes every Unix group match the store (created if missing, members as stored): at start.
  Status Reconcile();

 private:
  Result<GroupRecord> Load(const std::string& name);
  // The caller's role in a project, "" when not a member.
  Result<std::string> RoleIn(const std::string& user, int64_t project_id);
  Result<int64_t> FreeGid();
  // Unix account names of the API users that have one.
  std::vector<std::string> Accounts(const std::vector<std::string>& api_users) const;
  Status SetUnixMembers(const GroupRecord& g, const std::vector<std::string>& members);

  const AccountsConfig& config_;
  AccountStore& store_;
  const UserDirectory& users_;
  GroupDirectory& system_;
  const bool real_;
  std::mutex mu_;  // one change at a time: a change is read, applied to Unix, then stored
};

}  // namespace sfapid
