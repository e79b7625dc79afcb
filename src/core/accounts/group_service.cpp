#include "core/accounts/group_service.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "core/accounts/known_users.h"
#include "util/log_status.h"

namespace sfapid {

std::string GroupNameProblem(const std::string& name) {
  if (name.empty()) return "Group name must not be empty";
  for (unsigned char c : name)
    if (c >= 0x80) return "Group name must be ASCII: '" + name + "' is not";
  if (name.size() > 8)
    return "Group name must be at most 8 characters: '" + name + "' has " +
           std::to_string(name.size());
  const bool first_ok = (name[0] >= 'a' && name[0] <= 'z') || name[0] == '_';
  bool rest_ok = true;
  for (char c : name)
    rest_ok = rest_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  if (!first_ok || !rest_ok)
    return "Group name '" + name +
           "' must start with a lower-case letter or '_' and hold only lower-case letters, "
           "digits, '_' or '-'";
  return "";
}

Result<GroupRecord> GroupService::Load(const std::string& name) {
  auto g = store_.GetGroup(name);
  if (!g) return g.status();
  if (!*g) return Status::NotFound("Group '" + name + "' not found");
  return std::move(**g);
}

Result<std::string> GroupService::RoleIn(const std::string& user, int64_t project_id) {
  auto projects = store_.ProjectsOf(user);
  if (!projects) return projects.status();
  for (const auto& m : *projects)
    if (m.project_id == project_id) return m.role;
  return std::string();
}

Result<GroupReport> GroupService::Report(const GroupRecord& g) {
  GroupReport r{g, {}};
  for (const auto& member : g.members) {
    auto info = FindUser(store_, users_, member);
    if (!info) return info.status();
    r.users.push_back({member, *info ? (*info)->uid : -1});
  }
  return r;
}

Result<std::vector<GroupReport>> GroupService::GroupsOf(const std::string& user) {
  auto groups = store_.ListGroups();
  if (!groups) return groups.status();
  auto projects = store_.ProjectsOf(user);
  if (!projects) return projects.status();
  std::set<int64_t> managed;
  for (const auto& m : *projects)
    if (ManagesGroups(m.role)) managed.insert(m.project_id);
  std::vector<GroupReport> out;
  for (const auto& g : *groups) {
    const bool member = std::find(g.members.begin(), g.members.end(), user) != g.members.end();
    if (!member && !managed.count(g.project_id)) continue;
    auto report = Report(g);
    if (!report) return report.status();
    out.push_back(std::move(*report));
  }
  return out;
}

Result<GroupReport> GroupService::Get(const std::string& caller, const std::string& name) {
  auto g = Load(name);
  if (!g) return g.status();
  const bool member = std::find(g->members.begin(), g->members.end(), caller) != g->members.end();
  if (!member) {
    auto role = RoleIn(caller, g->project_id);
    if (!role) return role.status();
    if (role->empty())
      return Status::PermissionDenied("You are not a member of group '" + name +
                                      "' or of its project '" + g->repo_name + "'");
  }
  return Report(*g);
}

Result<int64_t> GroupService::FreeGid() {
  auto groups = store_.ListGroups();
  if (!groups) return groups.status();
  std::set<int64_t> used;
  for (const auto& g : *groups) used.insert(g.gid);
  for (int64_t gid = config_.gid_min; gid <= config_.gid_max; ++gid)
    if (!used.count(gid) && !system_.GidInUse(static_cast<gid_t>(gid))) return gid;
  return Status::Unavailable("No free gid left in [accounts] gid_min..gid_max (" +
                             std::to_string(config_.gid_min) + ".." +
                             std::to_string(config_.gid_max) + "); ask the operator to widen it");
}

Result<GroupReport> GroupService::Create(const std::string& caller, const std::string& name,
                                         const std::string& repo_name) {
  if (std::string problem = GroupNameProblem(name); !problem.empty())
    return Status::InvalidField("name", problem);
  std::lock_guard lock(mu_);
  auto project = store_.GetProject(repo_name);
  if (!project) return project.status();
  if (!*project) return Status::NotFound("Project '" + repo_name + "' not found");
  auto role = RoleIn(caller, (*project)->id);
  if (!role) return role.status();
  if (!ManagesGroups(*role))
    return Status::PermissionDenied("Only the PI or a PI proxy of project '" + repo_name +
                                    "' can create its groups");
  auto existing = store_.GetGroup(name);
  if (!existing) return existing.status();
  if (*existing) return Status::AlreadyExists("Group '" + name + "' exists already");
  // Never adopt a group the system already has (sudo, docker, a user's own group...): members
  // added through the API would gain its rights.
  if (system_.GidOf(name))
    return Status::AlreadyExists("A Unix group named '" + name +
                                 "' exists already on this system; choose another name");
  auto gid = FreeGid();
  if (!gid) return gid.status();
  GroupRecord g;
  g.name = name;
  g.gid = *gid;
  g.project_id = (*project)->id;
  g.repo_name = repo_name;
  g.is_unix = real_;
  g.created_by = caller;
  g.created_at = Now();
  if (real_)
    if (Status s = system_.Create(name, static_cast<gid_t>(g.gid)); !s.ok()) return s;
  if (Status s = store_.AddGroup(g); !s.ok()) {
    // The store is the truth: no Unix group without a record.
    if (real_) LogIfFailed(system_.Remove(name), "removing the Unix group " + name);
    return s;
  }
  spdlog::info("group {} (gid {}) created for project {} by {}{}", name, g.gid, repo_name, caller,
               real_ ? "" : " (store only)");
  return Report(g);
}

std::vector<std::string> GroupService::Accounts(const std::vector<std::string>& api_users) const {
  std::vector<std::string> accounts;
  for (const auto& u : api_users)
    if (auto a = users_.Lookup(u); a && users_.Ordinary(*a)) accounts.push_back(a->name);
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  return accounts;
}

Status GroupService::SetUnixMembers(const GroupRecord& g, const std::vector<std::string>& members) {
  if (!g.is_unix) return Status::Ok();
  if (!real_)
    return Status::Unavailable("Group '" + g.name +
                               "' is a Unix group; only sfapid running as root can change it");
  return system_.SetMembers(g.name, Accounts(members));
}

Result<GroupReport> GroupService::Update(const std::string& caller, const std::string& name,
                                         const std::vector<std::string>& usernames,
                                         const std::string& action) {
  if (action != "batch_add" && action != "batch_remove")
    return Status::InvalidField("action", "action must be 'batch_add' or 'batch_remove'");
  if (usernames.empty()) return Status::InvalidField("usernames", "usernames lists no user");
  std::lock_guard lock(mu_);
  auto g = Load(name);
  if (!g) return g.status();
  auto role = RoleIn(caller, g->project_id);
  if (!role) return role.status();
  if (!ManagesGroups(*role))
    return Status::PermissionDenied("Only the PI or a PI proxy of project '" + g->repo_name +
                                    "' can change group '" + name + "'");
  // Every name is checked before anything changes.
  std::vector<std::string> unknown;
  for (const auto& u : usernames) {
    auto info = FindUser(store_, users_, u);
    if (!info) return info.status();
    bool ok = info->has_value();
    if (ok && action == "batch_add" && g->is_unix) {
      auto account = users_.Lookup(u);
      ok = account && users_.Ordinary(*account);
    }
    if (!ok) unknown.push_back(u);
  }
  if (!unknown.empty()) {
    std::string list;
    for (const auto& u : unknown) list += (list.empty() ? "'" : ", '") + u + "'";
    return Status::InvalidField(
        "usernames",
        std::string(unknown.size() == 1 ? "Unknown user " : "Unknown users ") + list +
            (g->is_unix && action == "batch_add" ? " (members of a Unix group need a Unix account)"
                                                 : "") +
            "; nothing was changed");
  }
  std::set<std::string> members(g->members.begin(), g->members.end());
  for (const auto& u : usernames) {
    if (action == "batch_add")
      members.insert(u);
    else
      members.erase(u);
  }
  const std::vector<std::string> updated(members.begin(), members.end());
  if (updated == g->members) return Report(*g);
  if (Status s = SetUnixMembers(*g, updated); !s.ok()) return s;
  if (Status s = store_.SetGroupMembers(name, updated); !s.ok()) {
    LogIfFailed(SetUnixMembers(*g, g->members),  // back to what the store still says
                "restoring the members of the Unix group " + name);
    return s;
  }
  spdlog::info("group {}: {} {} by {}", name, action, fmt::join(usernames, ","), caller);
  g->members = updated;
  return Report(*g);
}

Status GroupService::ForgetUser(const std::string& user) {
  std::lock_guard lock(mu_);
  auto groups = store_.ListGroups();
  if (!groups) return groups.status();
  for (const auto& g : *groups) {
    if (std::find(g.members.begin(), g.members.end(), user) == g.members.end()) continue;
    std::vector<std::string> rest;
    for (const auto& m : g.members)
      if (m != user) rest.push_back(m);
    if (Status s = SetUnixMembers(g, rest); !s.ok()) return s;
  }
  return Status::Ok();
}

Status GroupService::RemoveUnixGroupsOf(int64_t project_id) {
  std::lock_guard lock(mu_);
  auto groups = store_.ListGroups();
  if (!groups) return groups.status();
  for (const auto& g : *groups) {
    if (g.project_id != project_id || !g.is_unix) continue;
    if (!real_)
      return Status::Unavailable("Group '" + g.name +
                                 "' is a Unix group; only sfapid running as root can remove it");
    if (system_.GidOf(g.name))
      if (Status s = system_.Remove(g.name); !s.ok()) return s;
  }
  return Status::Ok();
}

Status GroupService::Reconcile() {
  std::lock_guard lock(mu_);
  auto groups = store_.ListGroups();
  if (!groups) return groups.status();
  Status first;
  for (const auto& g : *groups) {
    if (!g.is_unix) continue;
    if (!real_) {
      spdlog::warn(
          "group {} is a Unix group, but sfapid is not running as root: its members "
          "cannot be kept in step",
          g.name);
      continue;
    }
    Status s;
    const auto gid = system_.GidOf(g.name);
    if (!gid) {
      spdlog::warn("Unix group {} (gid {}) was missing; creating it again", g.name, g.gid);
      s = system_.Create(g.name, static_cast<gid_t>(g.gid));
    } else if (static_cast<int64_t>(*gid) != g.gid) {
      spdlog::warn("Unix group {} has gid {}, the store says {}; leaving the gid alone", g.name,
                   *gid, g.gid);
    }
    const auto wanted = Accounts(g.members);
    auto now = system_.MembersOf(g.name);
    if (now) std::sort(now->begin(), now->end());
    if (s.ok() && (!now || *now != wanted)) s = system_.SetMembers(g.name, wanted);
    if (!s.ok()) {
      spdlog::error("Unix group {} could not be brought in step: {}", g.name, s.message());
      if (first.ok()) first = s;
    }
  }
  return first;
}

Result<std::vector<GroupRecord>> GroupService::ProjectGroups(int64_t project_id) {
  auto all = store_.ListGroups();
  if (!all) return all.status();
  std::vector<GroupRecord> mine;
  for (auto& g : *all)
    if (g.project_id == project_id) mine.push_back(std::move(g));
  return mine;
}

}  // namespace sfapid
