#include "core/files/storage_locations.h"

#include <algorithm>

namespace sfapid {

namespace {

// The path with {user} (the Unix account), {home} and {project} filled in, in one pass, so that a
// value is never itself read for placeholders.
std::string Fill(const std::string& path, const UnixIdentity& who, const std::string& project) {
  std::string out;
  size_t at = 0;
  while (at < path.size()) {
    const size_t open = path.find('{', at);
    const size_t close = open == std::string::npos ? open : path.find('}', open);
    if (close == std::string::npos) break;
    out.append(path, at, open - at);
    const std::string name = path.substr(open + 1, close - open - 1);
    out += name == "user" ? who.account : name == "home" ? who.home : project;
    at = close + 1;
  }
  if (at < path.size()) out.append(path, at, std::string::npos);
  return out;
}

// A project name that can stand for a folder: project names are letters, digits, '_', '-' and
// '.', which leaves "." and ".." to step around.
bool FolderName(const std::string& name) { return name != "." && name != ".."; }

// No [[systems.locations]]: the caller's home and each project's folders as the accounts keep
// them (the same folders the account tag measures).
std::vector<StorageLocation> Defaults(const UnixIdentity& who,
                                      const std::vector<ProjectRecord>& projects) {
  std::vector<StorageLocation> out;
  out.push_back({.logical_name = "home", .path = who.home});
  for (const auto& p : projects)
    if (!p.project_dir.empty())
      out.push_back({.logical_name = "project",
                     .path = p.project_dir,
                     .shared = true,
                     .project = p.repo_name});
  for (const auto& p : projects)
    if (!p.archive_dir.empty())
      out.push_back({.logical_name = "archive",
                     .path = p.archive_dir,
                     .performance_tier = "tape",
                     .shared = true,
                     .project = p.repo_name});
  return out;
}

std::vector<StorageLocation> Configured(const std::vector<StorageLocationConfig>& locations,
                                        const UnixIdentity& who,
                                        const std::vector<ProjectRecord>& projects) {
  std::vector<StorageLocation> out;
  auto add = [&](const StorageLocationConfig& l, std::optional<std::string> project) {
    out.push_back({.logical_name = l.logical_name,
                   .path = Fill(l.path, who, project.value_or("")),
                   .filesystem = l.filesystem,
                   .performance_tier = l.performance_tier,
                   .purge_policy_days = l.purge_policy_days,
                   .shared = l.shared,
                   .project = std::move(project)});
  };
  for (const auto& l : locations) {
    if (!l.ProjectScoped()) {
      add(l, std::nullopt);
      continue;
    }
    for (const auto& p : projects)
      if (FolderName(p.repo_name)) add(l, p.repo_name);
  }
  return out;
}

bool Intended(const StorageLocation& l, StorageIntent intent) {
  switch (intent) {
    case StorageIntent::kRead:
      return true;
    case StorageIntent::kWrite:
      return l.access.write;
    case StorageIntent::kStaging:  // the archive is too slow to stage through
      return l.logical_name != "archive";
    case StorageIntent::kLongTermStorage:
      return l.logical_name == "archive";
  }
  return true;
}

}  // namespace

Result<std::vector<StorageLocation>> StorageLocations::For(const std::string& user,
                                                           const std::string& system,
                                                           const LocationQuery& query) {
  const SystemConfig* s = FindSystem(systems_, system);
  if (!s || !s->HasFiles()) return Status::NotFound("no system with files named '" + system + "'");
  auto who = runas_.Resolve(user);
  if (!who) return who.status();
  auto projects = accounts_.ProjectRecordsOf(user);
  if (!projects) return projects.status();
  if (query.project &&
      std::none_of(projects->begin(), projects->end(),
                   [&](const ProjectRecord& p) { return p.repo_name == *query.project; }))
    return Status::PermissionDenied("you are not a member of project '" + *query.project + "'");

  std::vector<StorageLocation> all =
      s->locations.empty() ? Defaults(*who, *projects) : Configured(s->locations, *who, *projects);
  // Safe to stat as sfapid (root): these are the caller's own folders, named by the config and
  // their own account and projects, never by the request; only the mode, owner and group of them
  // and of the folders above them are read, nothing is opened or changed, and what is answered is
  // only what the caller could find out with access(2) themselves.
  const AccessIds ids = AccessIdsOf(*who);
  std::vector<StorageLocation> out;
  for (auto& l : all) {
    if (query.project && l.project && *l.project != *query.project) continue;
    if (query.logical_name && l.logical_name != *query.logical_name) continue;
    l.access = AccessOf(l.path, ids);
    if (Intended(l, query.intent)) out.push_back(std::move(l));
  }
  if (query.logical_name && out.empty())
    return Status::NotFound("no '" + *query.logical_name + "' location of yours on " + system);
  return out;
}

}  // namespace sfapid
