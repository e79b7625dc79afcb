// What the accounts service answers with: a user's public details, a project with its allocation
// and what has been used of it, a role, a group with its members. The API layer only renders these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/account_store.h"

namespace sfapid {

// Roles as stored ("pi", "pi_proxy", "member") and as users read them (RoleStats.iris_role).
inline constexpr const char* kRolePi = "pi";
inline constexpr const char* kRolePiProxy = "pi_proxy";
inline constexpr const char* kRoleMember = "member";
bool IsValidRole(const std::string& role);
// "PI", "PI Proxy", "Member".
std::string RoleTitle(const std::string& role);
// PIs and PI proxies manage a project's groups.
inline bool ManagesGroups(const std::string& role) {
  return role == kRolePi || role == kRolePiProxy;
}

struct UserInfo {
  std::string name;
  int64_t uid = -1;  // -1: neither a Unix account nor a configured uid
  UserRecord details;
};

struct StorageReport {
  std::string name;
  int64_t bytes_given = 0, bytes_used = 0, files_given = 0, files_used = 0;
};

struct ProjectReport {
  ProjectRecord project;
  std::string role;                          // the caller's
  double user_hours_used = 0;                // charged by the caller's jobs
  double project_hours_used = 0;             // charged by everyone's
  std::vector<StorageReport> projdir_usage;  // the caller's files in the project folder
  std::optional<StorageReport> project_projdir_usage;
  std::vector<StorageReport> hpss_usage;  // the project's archive
};

struct RoleReport {
  Membership membership;
  std::string description;  // the project's
};

struct GroupMember {
  std::string name;
  int64_t uid = -1;
};

struct GroupReport {
  GroupRecord record;
  std::vector<GroupMember> users;
};

}  // namespace sfapid
