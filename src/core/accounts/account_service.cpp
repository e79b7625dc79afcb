#include "core/accounts/account_service.h"

#include <spdlog/spdlog.h>

#include "core/accounts/known_users.h"

namespace sfapid {

namespace {

bool ValidName(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      return false;
  return true;
}

Status CheckProject(const ProjectRecord& p) {
  if (!ValidName(p.repo_name))
    return Status::InvalidArgument("project name '" + p.repo_name +
                                   "' must be 1-64 letters, digits, '_', '-' or '.'");
  if (p.cpu_hours_given < 0 || p.gpu_hours_given < 0)
    return Status::InvalidArgument("hours given must not be negative");
  if (p.project_dir_bytes < 0 || p.project_dir_files < 0 || p.archive_bytes < 0 ||
      p.archive_files < 0)
    return Status::InvalidArgument("quotas must not be negative");
  for (const auto* dir : {&p.project_dir, &p.archive_dir})
    if (!dir->empty() && dir->front() != '/')
      return Status::InvalidArgument("'" + *dir + "' must be an absolute path");
  return Status::Ok();
}

}  // namespace

Status AccountService::Seed() {
  for (const auto& u : config_.users) {
    auto existing = store_.GetUser(u.name);
    if (!existing) return existing.status();
    if (*existing) continue;
    UserRecord r{u.name,       u.uid >= 0 ? std::optional<int64_t>(u.uid) : std::nullopt,
                 u.firstname,  u.lastname,
                 u.middlename, u.email,
                 u.workphone,  u.other_phones};
    if (Status s = store_.AddUser(r); !s.ok() && s.code() != Code::kAlreadyExists) return s;
  }
  for (const auto& p : config_.projects) {
    auto existing = store_.GetProject(p.repo_name);
    if (!existing) return existing.status();
    int64_t id = 0;
    if (*existing) {
      id = (*existing)->id;
    } else {
      ProjectRecord r;
      r.repo_name = p.repo_name;
      r.description = p.description;
      r.cpu_hours_given = p.cpu_hours;
      r.gpu_hours_given = p.gpu_hours;
      r.project_dir = p.project_dir;
      r.project_dir_bytes = p.project_dir_bytes;
      r.project_dir_files = p.project_dir_files;
      r.archive_dir = p.archive_dir;
      r.archive_bytes = p.archive_bytes;
      r.archive_files = p.archive_files;
      auto added = store_.AddProject(r);
      if (!added && added.status().code() == Code::kAlreadyExists) continue;  // another process
      if (!added) return added.status();
      id = *added;
      spdlog::info("project {} created from the configuration", p.repo_name);
    }
    auto members = store_.MembersOf(id);
    if (!members) return members.status();
    for (const auto& [list, role] :
         {std::pair{&p.pis, kRolePi}, {&p.pi_proxies, kRolePiProxy}, {&p.members, kRoleMember}})
      for (const auto& user : *list) {
        bool present = false;
        for (const auto& m : *members) present = present || m.user == user;
        if (!present)
          if (Status s = store_.SetMember(id, user, role); !s.ok()) return s;
      }
  }
  return Status::Ok();
}

Result<UserInfo> AccountService::User(const std::string& name, bool is_caller) {
  auto info = FindUser(store_, users_, name);
  if (!info) return info.status();
  if (*info) return std::move(**info);
  if (!is_caller) return Status::NotFound("User '" + name + "' not found");
  UserInfo self;
  self.name = name;
  self.details.name = name;
  return self;
}

void AccountService::AddStorage(const ProjectRecord& p, const std::string& user, ProjectReport& r) {
  const auto account = users_.Lookup(user);
  // Usage of a folder in all and of the user's files in it; a folder that is missing or cannot be
  // read counts as empty (and is logged), so the rest of the answer still arrives.
  auto measure = [&](const std::string& dir, StorageReport& total, StorageReport* mine) {
    if (dir.empty()) return;
    auto usage = disk_.Get(dir);
    if (!usage) {
      if (usage.status().code() != Code::kNotFound)
        spdlog::warn("project {}: cannot measure {}: {}", p.repo_name, dir,
                     usage.status().message());
      return;
    }
    total.bytes_used = usage->bytes;
    total.files_used = usage->files;
    if (mine && account) {
      auto it = usage->by_uid.find(account->uid);
      if (it != usage->by_uid.end())
        mine->bytes_used = it->second.first, mine->files_used = it->second.second;
    }
  };
  if (!p.project_dir.empty()) {
    StorageReport total{p.project_dir, p.project_dir_bytes, 0, p.project_dir_files, 0};
    StorageReport mine = total;
    measure(p.project_dir, total, &mine);
    r.projdir_usage.push_back(mine);
    r.project_projdir_usage = total;
  }
  if (!p.archive_dir.empty() || p.archive_bytes > 0 || p.archive_files > 0) {
    StorageReport archive{p.archive_dir.empty() ? "archive" : p.archive_dir, p.archive_bytes, 0,
                          p.archive_files, 0};
    measure(p.archive_dir, archive, nullptr);
    r.hpss_usage.push_back(archive);
  }
}

Result<ProjectReport> AccountService::Report(const ProjectRecord& p, const Membership& m) {
  ProjectReport r;
  r.project = p;
  r.role = m.role;
  auto charges = store_.ChargesTo(p.repo_name);
  if (!charges) return charges.status();
  for (const auto& c : *charges) {
    const double hours = static_cast<double>(c.node_seconds) / 3600.0;
    r.project_hours_used += hours;
    if (c.user == m.user) r.user_hours_used += hours;
  }
  AddStorage(p, m.user, r);
  return r;
}

Result<std::vector<ProjectReport>> AccountService::Projects(const std::string& user) {
  auto memberships = store_.ProjectsOf(user);
  if (!memberships) return memberships.status();
  std::vector<ProjectReport> out;
  for (const auto& m : *memberships) {
    auto p = store_.GetProject(m.repo_name);
    if (!p) return p.status();
    if (!*p) continue;  // removed meanwhile
    auto report = Report(**p, m);
    if (!report) return report.status();
    out.push_back(std::move(*report));
  }
  return out;
}

Result<std::vector<ProjectRecord>> AccountService::ProjectRecordsOf(const std::string& user) {
  auto memberships = store_.ProjectsOf(user);
  if (!memberships) return memberships.status();
  std::vector<ProjectRecord> out;
  for (const auto& m : *memberships) {
    auto p = store_.GetProject(m.repo_name);
    if (!p) return p.status();
    if (*p) out.push_back(std::move(**p));  // else removed meanwhile
  }
  return out;
}

Result<std::vector<RoleReport>> AccountService::Roles(const std::string& user) {
  auto memberships = store_.ProjectsOf(user);
  if (!memberships) return memberships.status();
  std::vector<RoleReport> out;
  for (const auto& m : *memberships) {
    auto p = store_.GetProject(m.repo_name);
    if (!p) return p.status();
    if (*p) out.push_back({m, (*p)->description});
  }
  return out;
}

Status AccountService::CheckCanCharge(const std::string& user, const std::string& account) {
  auto facts = store_.ChargeFactsFor(user, account);
  if (!facts) return facts.status();
  // A site that never set up projects keeps accepting every job, charged to whatever account it
  // names: accounts are enforced once the first project exists.
  if (!facts->any_project) return Status::Ok();
  if (!facts->project_exists || !facts->member)
    return Status::InvalidArgument(kInvalidAccountError);
  if (static_cast<double>(facts->node_seconds_charged) / 3600.0 >= facts->hours_given)
    return Status::InvalidArgument(kAllocationUsedError);
  return Status::Ok();
}

Result<ProjectUsage> AccountService::Usage(const std::string& repo_name) {
  auto charges = store_.ChargesTo(repo_name);
  if (!charges) return charges.status();
  ProjectUsage u;
  for (const auto& c : *charges) {
    const double hours = static_cast<double>(c.node_seconds) / 3600.0;
    u.hours += hours;
    u.by_user.emplace_back(c.user, hours);
  }
  return u;
}

Status AccountService::AddUser(const UserRecord& user) {
  if (!ValidName(user.name))
    return Status::InvalidArgument("user name '" + user.name +
                                   "' must be 1-64 letters, digits, '_', '-' or '.'");
  if (user.uid && *user.uid < 0) return Status::InvalidArgument("--uid must not be negative");
  if (!user.uid && !users_.Lookup(user.name))
    return Status::InvalidArgument("'" + user.name + "' has no Unix account (as " +
                                   users_.AccountName(user.name) + "); give its uid with --uid");
  return store_.AddUser(user);
}

Status AccountService::RemoveUser(const std::string& name) {
  if (Status s = groups_.ForgetUser(name); !s.ok()) return s;
  return store_.RemoveUser(name);
}

Result<int64_t> AccountService::AddProject(const ProjectRecord& project, const std::string& pi) {
  if (Status s = CheckProject(project); !s.ok()) return s;
  if (!pi.empty()) {
    auto known = FindUser(store_, users_, pi);
    if (!known) return known.status();
    if (!*known) return Status::NotFound("unknown user '" + pi + "'");
  }
  auto id = store_.AddProject(project);
  if (!id) return id;
  if (!pi.empty())
    if (Status s = store_.SetMember(*id, pi, kRolePi); !s.ok()) return s;
  return id;
}

Status AccountService::UpdateProject(const ProjectRecord& project) {
  if (Status s = CheckProject(project); !s.ok()) return s;
  return store_.UpdateProject(project);
}

Result<ProjectRecord> AccountService::Project(const std::string& repo_name) {
  auto p = store_.GetProject(repo_name);
  if (!p) return p.status();
  if (!*p) return Status::NotFound("no project '" + repo_name + "'");
  return std::move(**p);
}

Status AccountService::RemoveProject(const std::string& repo_name) {
  auto p = Project(repo_name);
  if (!p) return p.status();
  if (Status s = groups_.RemoveUnixGroupsOf(p->id); !s.ok()) return s;
  return store_.RemoveProject(repo_name);
}

Status AccountService::SetMember(const std::string& repo_name, const std::string& user,
                                 const std::string& role) {
  if (!IsValidRole(role))
    return Status::InvalidArgument("role '" + role + "' must be pi, pi_proxy or member");
  auto p = Project(repo_name);
  if (!p) return p.status();
  auto known = FindUser(store_, users_, user);
  if (!known) return known.status();
  if (!*known)
    return Status::NotFound("unknown user '" + user +
                            "': neither a Unix account nor added with `sfapid user add`");
  return store_.SetMember(p->id, user, role);
}

Status AccountService::RemoveMember(const std::string& repo_name, const std::string& user) {
  auto p = Project(repo_name);
  if (!p) return p.status();
  return store_.RemoveMember(p->id, user);
}

Result<std::vector<std::string>> AccountService::AdmitClientUser(const std::string& user,
                                                                 std::string* skipped) {
  std::vector<std::string> joined;
  for (const auto& p : config_.projects) {
    if (!p.admit_client_users) continue;
    auto project = Project(p.repo_name);
    if (!project) return project.status();
    auto members = Members(project->id);
    if (!members) return members.status();
    bool present = false;
    for (const auto& m : *members) present = present || m.user == user;
    if (present) continue;
    Status s = SetMember(p.repo_name, user, kRoleMember);
    if (s.code() == Code::kNotFound) {
      if (skipped) *skipped = user + " is not added to project " + p.repo_name + ": " + s.message();
      continue;
    }
    if (!s.ok()) return s;
    joined.push_back(p.repo_name);
  }
  return joined;
}

}  // namespace sfapid
