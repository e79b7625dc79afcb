#include "cmd/client_admission.h"

#include <cstdio>

#include "cmd/accounts_context.h"

namespace sfapid::cmd {

Status AdmitClientUser(const Config& config, Store& store, const std::string& user) {
  bool any = false;
  for (const auto& p : config.accounts.projects) any = any || p.admit_client_users;
  if (!any) return Status::Ok();
  Accounts accounts(config, store);
  // The project may not be stored yet: the server seeds it at start, and this may run first.
  if (Status s = accounts.service.Seed(); !s.ok()) return s;
  for (const auto& p : config.accounts.projects) {
    if (!p.admit_client_users) continue;
    auto project = accounts.service.Project(p.repo_name);
    if (!project) return project.status();
    auto members = accounts.service.Members(project->id);
    if (!members) return members.status();
    bool present = false;
    for (const auto& m : *members) present = present || m.user == user;
    if (present) continue;
    Status s = accounts.service.SetMember(p.repo_name, user, kRoleMember);
    if (s.code() == Code::kNotFound) {
      std::fprintf(stderr, "note: %s is not added to project %s: %s\n", user.c_str(),
                   p.repo_name.c_str(), s.message().c_str());
      continue;
    }
    if (!s.ok()) return s;
    std::fprintf(stderr, "added %s to project %s as a member (its admit_client_users setting)\n",
                 user.c_str(), p.repo_name.c_str());
  }
  return Status::Ok();
}

}  // namespace sfapid::cmd
