// The DOE IRI Facility API v2 (docs/iri.md): the spec's /api/v2 operations (facility, status,
// account, compute, task; filesystem and storage are next), each tag in its own file, over the same
// services, tokens and levels as the SFAPI beside it (api/sfapi/). Nothing here is business logic:
// each file maps the spec's shapes onto a service's typed answers.
#pragma once

#include <boost/json/object.hpp>
#include <vector>

#include "api/auth_guard.h"
#include "api/idempotency.h"
#include "config/config.h"
#include "core/accounts/account_service.h"
#include "core/compute/compute_service.h"
#include "core/files/file_service.h"
#include "core/files/path_operations.h"
#include "core/files/storage_locations.h"
#include "core/status/status_service.h"
#include "core/tasks/task_engine.h"
#include "http/router.h"
#include "store/job_spec_store.h"
#include "util/time_format.h"

namespace sfapid::iri {

struct IriContext {
  http::Router& router;
  boost::json::object schemas;  // this API's OpenAPI component schemas
  const FacilityConfig& facility;
  const std::vector<SystemConfig>& systems;
  const ServerConfig& server;
  const UtilitiesConfig& utilities;
  StatusService& status;
  AccountService& accounts;
  ComputeService& compute;
  FileService& files;
  PathOperations& paths;
  StorageLocations& storage;  // the caller's storage locations (storage tag)
  TaskEngine& tasks;
  JobSpecStore& job_specs;  // what each IRI job was submitted with (include_spec)
  api::AuthGuard& guard;
  api::IdempotentRoutes& idempotent;
  TimePoint started;  // the facility's description is as old as the config it was read from
};

void AddFacilityRoutes(IriContext& ctx);
void AddStatusRoutes(IriContext& ctx);
void AddAccountRoutes(IriContext& ctx);
void AddComputeRoutes(IriContext& ctx);
void AddFilesystemRoutes(IriContext& ctx);
void AddStorageRoutes(IriContext& ctx);
void AddTaskRoutes(IriContext& ctx);
void AddDocumentationRoutes(IriContext& ctx);

// The resources whose supported endpoints include "compute" or "filesystem" (status_api.cpp).
std::vector<boost::json::object> ResourcesWith(IriContext& ctx, const http::Request& req,
                                               const std::string& endpoint);

// All of the above, each protected at the level iri_access.cpp gives it, with the IRI's error
// shape for everything under /api/v2.
void AddIriRoutes(IriContext& ctx);

}  // namespace sfapid::iri
