// Accounts (spec §2.3): users' public details, the projects they belong to with the hours given
// and used (node-hours charged by finished jobs to the account named like the project) and the
// project folders' usage measured on disk, their roles; operators' changes to all of it; and the
// check job submission makes before charging a project.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "core/accounts/account_views.h"
#include "core/accounts/disk_usage.h"
#include "core/accounts/group_service.h"
#include "core/accounts/user_directory.h"
#include "store/account_store.h"

namespace sfapid {

// sbatch's words when a job names an account the user may not charge, and when the account's
// limit (its allocation) is used up.
inline constexpr const char* kInvalidAccountError =
    "sbatch: error: Batch job submission failed: Invalid account or account/partition "
    "combination specified";
inline constexpr const char* kAllocationUsedError =
    "sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit "
    "limit, user's size and/or time limits)";

// Node-hours charged to a project: in all, and per user.
struct ProjectUsage {
  double hours = 0;
  std::vector<std::pair<std::string, double>> by_user;
};

class AccountService {
 public:
  // config: the [[users]] and [[projects]] to seed, and how long disk usage is reused.
  AccountService(const AccountsConfig& config, AccountStore& store, const UserDirectory& users,
                 GroupService& groups)
      : config_(config),
        store_(store),
        users_(users),
        groups_(groups),
        disk_(config.disk_usage_cache_seconds) {}

  // Creates the [[users]] and [[projects]] of the config that the store lacks, and adds their
  // listed members; nothing already stored is changed.
  Status Seed();

  // Projects with `admit_client_users = true` take in every user given an API client, as a
  // member (on the embedded default a local user's first job is then not refused for its
  // account). Returns the projects joined now; a user sfapid knows nothing of (no Unix account,
  // not added with `sfapid user add`) joins none, and `skipped` says why.
  Result<std::vector<std::string>> AdmitClientUser(const std::string& user, std::string* skipped);

  // --- what users read ---
  // NotFound for a name that is neither registered nor a Unix account, unless it is the caller's
  // own (callers always have an answer; uid -1 when they have no Unix account).
  Result<UserInfo> User(const std::string& name, bool is_caller);
  Result<std::vector<ProjectReport>> Projects(const std::string& user);
  // The user's projects as recorded: Projects without the charges and the folders' usage, which
  // take a walk of each folder (for callers that need only the folders' names).
  Result<std::vector<ProjectRecord>> ProjectRecordsOf(const std::string& user);
  Result<std::vector<RoleReport>> Roles(const std::string& user);

  // Whether `user` may submit a job charged to `account` (the job's --account, else the system's
  // default_account). OK when no project is configured at all: accounts are then not enforced.
  // Otherwise InvalidArgument with sbatch's text: kInvalidAccountError when the account is not a
  // project the user belongs to, kAllocationUsedError when its node-hours are used up.
  Status CheckCanCharge(const std::string& user, const std::string& account);
  // Whether CheckCanCharge checks anything: once the first project exists.
  Result<bool> EnforcesAccounts() { return store_.HasProjects(); }

  // --- operators ---
  Status AddUser(const UserRecord& user);
  // Removes the user from every project and group too (Unix groups included).
  Status RemoveUser(const std::string& name);
  // The new project's id. `pi` (optional) becomes its PI.
  Result<int64_t> AddProject(const ProjectRecord& project, const std::string& pi);
  Status UpdateProject(const ProjectRecord& project);
  // Removes the project with its memberships and groups (Unix groups deleted too).
  Status RemoveProject(const std::string& repo_name);
  Status SetMember(const std::string& repo_name, const std::string& user, const std::string& role);
  Status RemoveMember(const std::string& repo_name, const std::string& user);
  Result<ProjectRecord> Project(const std::string& repo_name);
  Result<ProjectUsage> Usage(const std::string& repo_name);
  Result<std::vector<UserRecord>> ListUsers() { return store_.ListUsers(); }
  Result<std::vector<ProjectRecord>> ListProjects() { return store_.ListProjects(); }
  Result<std::vector<Membership>> Members(int64_t project_id) {
    return store_.MembersOf(project_id);
  }

 private:
  Result<ProjectReport> Report(const ProjectRecord& p, const Membership& m);
  void AddStorage(const ProjectRecord& p, const std::string& user, ProjectReport& r);

  const AccountsConfig& config_;
  AccountStore& store_;
  const UserDirectory& users_;
  GroupService& groups_;
  DiskUsageCache disk_;
};

}  // namespace sfapid
