// Wires one running sfapid together: config → store → backends → services → APIs → HTTP server.
// The CLI's serve command and the integration tests both start the server through this.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <memory>

#include "api/auth_guard.h"
#include "api/idempotency.h"
#include "api/iri/iri_api.h"
#include "api/web/web_api.h"
#include "auth/access_token_verifier.h"
#include "auth/client_registry.h"
#include "auth/signing_keys.h"
#include "auth/token_service.h"
#include "backends/pam/password_check.h"
#include "backends/runas/run_as.h"
#include "backends/scheduler/scheduler.h"
#include "config/config.h"
#include "core/accounts/account_service.h"
#include "core/accounts/group_directory.h"
#include "core/accounts/group_service.h"
#include "core/accounts/user_directory.h"
#include "core/callbacks/callback_service.h"
#include "core/commands/command_service.h"
#include "core/compute/compute_service.h"
#include "core/events/event_hub.h"
#include "core/files/file_service.h"
#include "core/files/file_stream.h"
#include "core/files/resumable_uploads.h"
#include "core/files/storage_locations.h"
#include "core/reservations/reservation_lifecycle.h"
#include "core/reservations/reservation_service.h"
#include "core/status/status_service.h"
#include "core/tasks/task_engine.h"
#include "core/transfers/transfer_service.h"
#include "core/web/api_access.h"
#include "core/web/password_factor.h"
#include "core/web/sign_in_service.h"
#include "core/web/web_sessions.h"
#include "http/readiness.h"
#include "http/router.h"
#include "store/store.h"

namespace sfapid {

class Application {
 public:
  // Opens the store and builds every backend, service and route. Starts nothing yet.
  static Result<std::unique_ptr<Application>> Create(Config config);
  ~Application();

  // Binds, starts background services and serves until SIGTERM/SIGINT. Returns the exit code.
  int Serve();

  const http::Router& router() const { return router_; }
  const Config& config() const { return config_; }

 private:
  Application() = default;
  Config config_;
  std::unique_ptr<Store> store_;
  std::map<std::string, std::unique_ptr<Scheduler>> schedulers_;
  std::unique_ptr<StatusService> status_;
  std::unique_ptr<ClientRegistry> clients_;
  std::unique_ptr<SigningKeys> signing_keys_;
  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<AccessTokenVerifier> verifier_;
  std::unique_ptr<api::RateGuard> rates_;
  std::unique_ptr<api::AuthGuard> guard_;
  std::unique_ptr<api::IdempotentRoutes> idempotent_routes_;
  std::unique_ptr<RunAs> runas_;
  std::unique_ptr<TaskEngine> tasks_;
  std::unique_ptr<FileService> files_;
  std::unique_ptr<FileStreams> file_streams_;
  std::unique_ptr<ResumableUploads> uploads_;
  std::unique_ptr<EventHub> events_;
  std::unique_ptr<CommandService> commands_;
  std::unique_ptr<TransferService> transfers_;
  std::unique_ptr<UserDirectory> user_directory_;
  std::unique_ptr<GroupDirectory> group_directory_;
  std::unique_ptr<GroupService> groups_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<CallbackService> callbacks_;
  std::unique_ptr<ComputeService> compute_;
  std::unique_ptr<ReservationService> reservations_;
  std::unique_ptr<ReservationNotifier> reservation_notifier_;
  std::unique_ptr<ReservationLifecycle> reservation_lifecycle_;
  std::unique_ptr<PasswordCheck> password_check_;
  std::unique_ptr<PasswordFactor> password_factor_;
  std::unique_ptr<LinkFactor> link_factor_;
  std::unique_ptr<WebSessions> web_sessions_;
  std::unique_ptr<SignInService> sign_in_;
  std::unique_ptr<ApiAccess> api_access_;
  std::unique_ptr<web::WebContext> web_;       // the web routes hold on to it
  std::unique_ptr<PathOperations> paths_;      // the IRI's filesystem operations
  std::unique_ptr<StorageLocations> storage_;  // the IRI's storage locations
  std::unique_ptr<iri::IriContext> iri_;       // the IRI routes hold on to it
  http::Router router_;
  http::Readiness readiness_;  // turned off when a graceful stop begins (/readyz)
  boost::json::object schemas_;
};

// Opens the configured store (SQLite under data_dir): for the operator commands.
Result<std::unique_ptr<Store>> OpenConfiguredStore(const Config& config);
// The folder of the server's token-signing keys.
std::string SigningKeyDir(const Config& config);
// The folder callback mail is written to when no mail_command is set.
std::string CallbackOutboxDir(const Config& config);

}  // namespace sfapid
