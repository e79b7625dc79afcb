// The IRI storage locations (docs/iri.md "Storage"): where a caller's data lives on a system,
// resolved for them, with what they may do there. The system's [[systems.locations]] with
// {user}, {home} and {project} filled in (a {project} location once per project of the caller),
// or, when it lists none, the caller's home and their projects' project and archive folders.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/runas/run_as.h"
#include "config/config.h"
#include "core/accounts/account_service.h"
#include "core/files/path_access.h"

namespace sfapid {

struct StorageLocation {
  std::string logical_name;  // storage_config.h's LogicalNames()
  std::string path;          // absolute
  std::string filesystem;    // "": none
  std::string performance_tier;
  std::optional<int64_t> purge_policy_days;  // none: no purge
  bool shared = false;
  std::optional<std::string> project;  // the project a project-scoped location is the folder of
  PathAccess access;                   // the caller's
};

// What the caller means to do with the data (the IRI's StorageIntent).
enum class StorageIntent { kRead, kWrite, kStaging, kLongTermStorage };

struct LocationQuery {
  std::optional<std::string> logical_name;  // only these; none left is NotFound
  // Project-scoped locations of this project only (PermissionDenied when the caller is not in
  // it); none: of each of the caller's projects. Other locations are listed either way.
  std::optional<std::string> project;
  // read: all; write: those the caller may write; staging: all but archive; long-term storage:
  // archive only.
  StorageIntent intent = StorageIntent::kRead;
};

class StorageLocations {
 public:
  // systems: their locations; runas: who a user is (account, home); accounts: their projects.
  StorageLocations(const std::vector<SystemConfig>& systems, const RunAs& runas,
                   AccountService& accounts)
      : systems_(systems), runas_(runas), accounts_(accounts) {}

  // NotFound when `system` is not a system with files, or when query.logical_name matches
  // nothing that is left; PermissionDenied for a project that is not the caller's, or a user
  // with no account to act as.
  Result<std::vector<StorageLocation>> For(const std::string& user, const std::string& system,
                                           const LocationQuery& query);

 private:
  const std::vector<SystemConfig>& systems_;
  const RunAs& runas_;
  AccountService& accounts_;
};

}  // namespace sfapid
