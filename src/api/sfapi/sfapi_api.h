// The NERSC Superfacility API v1.2 surface: registers every /api/v1.2 route on a router, each
// API tag in its own file. Sibling APIs (for example DOE IRI) register beside it over the same
// services.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "api/auth_guard.h"
#include "api/idempotency.h"
#include "auth/client_registry.h"
#include "config/config.h"
#include "core/accounts/account_service.h"
#include "core/accounts/group_service.h"
#include "core/commands/command_service.h"
#include "core/compute/compute_service.h"
#include "core/events/event_hub.h"
#include "core/files/file_service.h"
#include "core/files/file_stream.h"
#include "core/files/resumable_uploads.h"
#include "core/reservations/reservation_lifecycle.h"
#include "core/reservations/reservation_service.h"
#include "core/status/status_service.h"
#include "core/tasks/task_engine.h"
#include "core/transfers/transfer_service.h"
#include "http/router.h"

namespace sfapid::sfapi {

inline constexpr const char* kPrefix = "/api/v1.2";

// What the API files need: where to register, and the services they map onto.
struct ApiContext {
  http::Router& router;
  boost::json::object& schemas;  // OpenAPI component schemas, filled by each API file
  // Only the config sections the API files read: the systems (status, meta, errors naming them),
  // [utilities] (the upload route's body limit) and [server] (the Swagger UI's files).
  const std::vector<SystemConfig>& systems;
  const UtilitiesConfig& utilities;
  const ServerConfig& server;
  StatusService& status;
  ClientRegistry& clients;
  api::AuthGuard& guard;
  api::IdempotentRoutes& idempotent;  // the creating routes' Idempotency-Key
  TaskEngine& tasks;
  FileService& files;
  FileStreams& file_streams;  // files of any size (sfapid extension)
  ResumableUploads& uploads;
  CommandService& commands;
  TransferService& transfers;
  ComputeService& compute;
  CallbackService& callbacks;
  AccountService& accounts;
  GroupService& groups;
  ReservationService& reservations;
  ReservationLifecycle& reservation_lifecycle;  // woken when a request needs it at once
  EventHub& events;                             // the event stream and long-poll (sfapid extension)
  const EventsConfig& events_config;
  const TasksConfig& tasks_config;  // how long a request that starts a task waits for its end
};

void AddStatusRoutes(ApiContext& ctx);
void AddMetaRoutes(ApiContext& ctx);
void AddAccountRoutes(ApiContext& ctx);
void AddUtilitiesRoutes(ApiContext& ctx);
// sfapid extension: streamed downloads and resumable uploads under /utilities
// (docs/large-files.md).
void AddLargeFileRoutes(ApiContext& ctx);
void AddTasksRoutes(ApiContext& ctx);
void AddStorageRoutes(ApiContext& ctx);
void AddComputeRoutes(ApiContext& ctx);
// sfapid extension: advance reservations under /compute/reservations (docs/reservations.md).
void AddReservationRoutes(ApiContext& ctx);
// sfapid extension: the caller's events as Server-Sent Events (docs/events.md).
void AddEventRoutes(ApiContext& ctx);
// The OpenAPI document of everything registered before it, and Swagger UI over it.
void AddDocumentationRoutes(ApiContext& ctx);

// All of the above, in order, each protected at the level access_levels.cpp gives it.
void AddSfapiRoutes(ApiContext& ctx);

}  // namespace sfapid::sfapi
