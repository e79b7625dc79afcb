// Persistence of accounts: API users' public details, projects with their allocations and
// members' roles, and the Unix groups projects create. Usage is not stored here: it is read from
// the charges finished jobs left (ComputeStore's finished_jobs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"
#include "util/time_format.h"

namespace sfapid {

// What GET /account/ tells about a user besides the name and uid. Empty fields are sent as null.
struct UserRecord {
  std::string name;            // the API user
  std::optional<int64_t> uid;  // nullopt: the Unix account's
  std::string firstname, lastname, middlename, email, workphone, other_phones;
};

// A project (NERSC's "repo") and its allocation.
struct ProjectRecord {
  int64_t id = 0;
  std::string repo_name;  // also the account jobs are charged to (sbatch -A)
  std::string description;
  double cpu_hours_given = 0;  // node-hours
  double gpu_hours_given = 0;
  std::string project_dir;                               // measured for projdir_usage; empty: none
  int64_t project_dir_bytes = 0, project_dir_files = 0;  // quotas; 0: none given
  std::string archive_dir;                               // measured for hpss_usage; empty: none
  int64_t archive_bytes = 0, archive_files = 0;
};

// Roles in a project, as stored: "pi", "pi_proxy" or "member".
struct Membership {
  int64_t project_id = 0;
  std::string repo_name;
  std::string user;
  std::string role;
};

struct GroupRecord {
  std::string name;  // also the Unix group's name
  int64_t gid = 0;
  int64_t project_id = 0;
  std::string repo_name;
  bool is_unix = false;  // created as a real Unix group (sfapid ran as root)
  std::string created_by;
  TimePoint created_at;
  std::vector<std::string> members;  // API users, sorted
};

// Node-seconds one user charged to an account (all systems).
struct ChargeRow {
  std::string user;
  int64_t node_seconds = 0;
};

// What charging a job to an account needs to know, read together (every submission asks).
struct ChargeFacts {
  bool any_project = false;          // accounts are enforced once a project exists
  bool project_exists = false;       // the account names a project
  double hours_given = 0;            // its CPU and GPU hours together
  bool member = false;               // the user is one of its members
  int64_t node_seconds_charged = 0;  // finished jobs and charged reservations, all users
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // --- users ---
  // AlreadyExists when the name is taken.
  virtual Status AddUser(const UserRecord& u) = 0;
  virtual Result<std::optional<UserRecord>> GetUser(const std::string& name) = 0;
  virtual Result<std::vector<UserRecord>> ListUsers() = 0;
  // Removes the user's record, project memberships and group memberships in one transaction.
  // NotFound when none of these existed.
  virtual Status RemoveUser(const std::string& name) = 0;

  // --- projects ---
  // The new project's id; AlreadyExists when the repo_name is taken.
  virtual Result<int64_t> AddProject(const ProjectRecord& p) = 0;
  virtual Result<std::optional<ProjectRecord>> GetProject(const std::string& repo_name) = 0;
  virtual Result<std::vector<ProjectRecord>> ListProjects() = 0;
  virtual Result<bool> HasProjects() = 0;
  // Writes every allocation field (hours, folders, quotas) and the description.
  virtual Status UpdateProject(const ProjectRecord& p) = 0;
  // Removes the project, its memberships and its groups (with their members).
  virtual Status RemoveProject(const std::string& repo_name) = 0;
  // Adds the user or changes their role.
  virtual Status SetMember(int64_t project_id, const std::string& user,
                           const std::string& role) = 0;
  virtual Status RemoveMember(int64_t project_id, const std::string& user) = 0;
  virtual Result<std::vector<Membership>> MembersOf(int64_t project_id) = 0;
  virtual Result<std::vector<Membership>> ProjectsOf(const std::string& user) = 0;
  // Charges of finished jobs to an account, per user.
  virtual Result<std::vector<ChargeRow>> ChargesTo(const std::string& account) = 0;
  // In one statement: a submission's check costs one read, not six.
  virtual Result<ChargeFacts> ChargeFactsFor(const std::string& user,
                                             const std::string& account) = 0;

  // --- groups ---
  // AlreadyExists when the name or gid is taken.
  virtual Status AddGroup(const GroupRecord& g) = 0;
  virtual Result<std::optional<GroupRecord>> GetGroup(const std::string& name) = 0;
  virtual Result<std::vector<GroupRecord>> ListGroups() = 0;
  // Replaces the member list.
  virtual Status SetGroupMembers(const std::string& name,
                                 const std::vector<std::string>& members) = 0;
  virtual Status RemoveGroup(const std::string& name) = 0;
};

}  // namespace sfapid
