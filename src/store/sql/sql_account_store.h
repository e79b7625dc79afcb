// AccountStore on SQLite.
#pragma once

#include <functional>
#include <mutex>

#include "sql/connection_pool.h"
#include "store/account_store.h"

namespace sfapid::sql {

class SqlAccountStore : public AccountStore {
 public:
  explicit SqlAccountStore(ConnectionPool& pool) : db_(pool), pool_(pool) {}

  Status AddUser(const UserRecord& u) override;
  Result<std::optional<UserRecord>> GetUser(const std::string& name) override;
  Result<std::vector<UserRecord>> ListUsers() override;
  Status RemoveUser(const std::string& name) override;

  Result<int64_t> AddProject(const ProjectRecord& p) override;
  Result<std::optional<ProjectRecord>> GetProject(const std::string& repo_name) override;
  Result<std::vector<ProjectRecord>> ListProjects() override;
  Result<bool> HasProjects() override;
  Status UpdateProject(const ProjectRecord& p) override;
  Status RemoveProject(const std::string& repo_name) override;
  Status SetMember(int64_t project_id, const std::string& user, const std::string& role) override;
  Status RemoveMember(int64_t project_id, const std::string& user) override;
  Result<std::vector<Membership>> MembersOf(int64_t project_id) override;
  Result<std::vector<Membership>> ProjectsOf(const std::string& user) override;
  Result<std::vector<ChargeRow>> ChargesTo(const std::string& account) override;
  Result<ChargeFacts> ChargeFactsFor(const std::string& user, const std::string& account) override;

  Status AddGroup(const GroupRecord& g) override;
  Result<std::optional<GroupRecord>> GetGroup(const std::string& name) override;
  Result<std::vector<GroupRecord>> ListGroups() override;
  Status SetGroupMembers(const std::string& name, const std::vector<std::string>& members) override;
  Status RemoveGroup(const std::string& name) override;

 private:
  // Runs a query under the lock and turns each row into a T.
  template <typename T>
  Result<std::vector<T>> Rows(std::string_view sql, const std::function<void(Statement&)>& bind,
                              T (*row)(const Statement&)) {
    std::lock_guard lock(pool_);
    return db_.Query(sql, bind, row);
  }
  // Fills each group's member list.
  Status LoadMembers(std::vector<GroupRecord>& groups);
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
