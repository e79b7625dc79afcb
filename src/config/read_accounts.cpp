// [accounts], [[users]] and [[projects]]: Unix groups for projects, and the users and projects
// seeded into the store at start.
#include <pwd.h>
#include <unistd.h>

#include "config/section_readers.h"
#include "util/byte_size.h"

namespace sfapid::config_reading {

namespace {

// "$USER" in a project's member lists is the account sfapid runs as: the embedded default puts
// whoever runs `make run` in the default project.
std::string ExpandUser(const std::string& name) {
  if (name != "$USER") return name;
  const passwd* pw = ::getpwuid(::geteuid());
  return pw ? pw->pw_name : "root";
}

// A quota: whole bytes, or a string with a unit ("500G", "1.5TiB").
void ReadBytes(TableReader& r, const toml::table& t, const std::string& key, int64_t& out) {
  const toml::node* n = t.get(key);
  if (n && n->is_integer()) return r.Read(key, out);
  std::string text;
  r.Read(key, text);
  if (!n) return;
  auto bytes = ParseByteSize(text);
  if (!bytes) r.Fail(*n, key, "'" + text + "' is not a size like 1048576, 500G or 1.5TiB");
  out = *bytes;
}

}  // namespace

void ReadAccounts(TableReader& r, AccountsConfig& a) {
  const std::string& source = r.source();
  if (const toml::table* t = r.Table("accounts")) {
    TableReader s(*t, source, "accounts");
    s.Read("unix_groups", a.unix_groups);
    s.Read("gid_min", a.gid_min);
    s.Read("gid_max", a.gid_max);
    s.Read("disk_usage_cache_seconds", a.disk_usage_cache_seconds);
    s.RejectUnknown();
    s.Require(a.gid_min >= 1000, "gid_min", "must be at least 1000 (system groups are below)");
    s.Require(a.gid_max >= a.gid_min, "gid_max", "must be at least gid_min");
  }
  if (const toml::array* users = r.TableArray("users")) {
    size_t i = 0;
    for (const auto& node : *users) {
      TableReader u(*node.as_table(), source, "users[" + std::to_string(i++) + "]");
      UserSeedConfig user;
      u.Read("name", user.name);
      int64_t uid = -1;
      if (node.as_table()->get("uid")) u.Read("uid", uid);
      user.uid = uid;
      u.Read("firstname", user.firstname);
      u.Read("lastname", user.lastname);
      u.Read("middlename", user.middlename);
      u.Read("email", user.email);
      u.Read("workphone", user.workphone);
      u.Read("other_phones", user.other_phones);
      u.RejectUnknown();
      user.name = ExpandUser(user.name);
      u.Require(ValidSystemName(user.name), "name",
                "must be 1-64 letters, digits, '_', '-' or '.'");
      for (const auto& other : a.users)
        if (other.name == user.name)
          u.Fail(node, "name", "user '" + user.name + "' is listed twice");
      a.users.push_back(std::move(user));
    }
  }
  if (const toml::array* projects = r.TableArray("projects")) {
    size_t i = 0;
    for (const auto& node : *projects) {
      const toml::table& t = *node.as_table();
      TableReader p(t, source, "projects[" + std::to_string(i++) + "]");
      ProjectSeedConfig project;
      p.Read("repo_name", project.repo_name);
      p.Read("description", project.description);
      p.Read("cpu_hours", project.cpu_hours);
      p.Read("gpu_hours", project.gpu_hours);
      p.Read("project_dir", project.project_dir);
      ReadBytes(p, t, "project_dir_quota", project.project_dir_bytes);
      p.Read("project_dir_files", project.project_dir_files);
      p.Read("archive_dir", project.archive_dir);
      ReadBytes(p, t, "archive_quota", project.archive_bytes);
      p.Read("archive_files", project.archive_files);
      p.ReadStrings("pis", project.pis);
      p.ReadStrings("pi_proxies", project.pi_proxies);
      p.ReadStrings("members", project.members);
      p.Read("admit_client_users", project.admit_client_users);
      p.RejectUnknown();
      p.Require(ValidSystemName(project.repo_name), "repo_name",
                "must be 1-64 letters, digits, '_', '-' or '.'");
      for (const auto* dir : {&project.project_dir, &project.archive_dir})
        if (!dir->empty() && dir->front() != '/')
          p.Fail(node, dir == &project.project_dir ? "project_dir" : "archive_dir",
                 "must be an absolute path");
      std::set<std::string> seen;
      for (auto* list : {&project.pis, &project.pi_proxies, &project.members})
        for (auto& name : *list) {
          name = ExpandUser(name);
          if (!ValidSystemName(name)) p.Fail(node, "members", "'" + name + "' is not a user name");
          if (!seen.insert(name).second)
            p.Fail(node, "members", "'" + name + "' is listed in more than one role");
        }
      for (const auto& other : a.projects)
        if (other.repo_name == project.repo_name)
          p.Fail(node, "repo_name", "project '" + project.repo_name + "' is listed twice");
      a.projects.push_back(std::move(project));
    }
  }
}

}  // namespace sfapid::config_reading
