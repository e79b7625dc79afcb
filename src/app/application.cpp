#include "app/application.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "api/iri/iri_api.h"
#include "api/oauth/token_api.h"
#include "api/sfapi/sfapi_api.h"
#include "api/site/health_api.h"
#include "api/site/metrics_api.h"
#include "backends/pam/pam_password_check.h"
#include "backends/runas/worker_run_as.h"
#include "config/data_dir_check.h"
#include "config/node_name.h"
#include "http/server.h"
#include "util/private_files.h"

namespace sfapid {

Result<std::unique_ptr<Store>> OpenConfiguredStore(const Config& config) {
  if (Status s = CheckDataDir(config); !s.ok()) return s;
  // Everything sfapid keeps (store, keys, spool, outbox) is under data_dir: private first.
  if (Status s = EnsurePrivateDir(config.data_dir); !s.ok())
    return Status::Unavailable("data_dir: " + s.message());
  if (!config.store.url.empty()) {
    auto store = OpenPostgresStore(config.store.url, config.store.connections);
    if (!store) return Status::Unavailable(store.status().message() + " ([store] url)");
    return store;
  }
  auto store = OpenSqliteStore(config.DataPath(config.store.sqlite_path));
  if (!store)  // SQLite's own words ("unable to open database file") name no setting
    return Status::Unavailable(store.status().message() + " (data_dir '" + config.data_dir +
                               "', store.sqlite_path '" + config.store.sqlite_path + "')");
  return store;
}

std::string SigningKeyDir(const Config& config) { return config.DataPath("keys"); }

std::string CallbackOutboxDir(const Config& config) {
  return config.DataPath(config.callbacks.outbox_dir);
}

Result<std::unique_ptr<Application>> Application::Create(Config config) {
  std::unique_ptr<Application> app(new Application());
  app->config_ = std::move(config);
  const Config& c = app->config_;
  auto store = OpenConfiguredStore(c);
  if (!store) return store.status();
  app->store_ = std::move(store).value();

  // Workers are this very binary, started as `sfapid worker`: /proc/self/exe is the running image
  // even after an upgrade replaced the file on disk.
  app->runas_ = std::make_unique<WorkerRunAs>("/proc/self/exe", c.runas);
  std::map<std::string, Scheduler*> scheduler_views;
  // On a shared store (PostgreSQL) other nodes may serve the same systems: they share the views.
  const std::string node = NodeName(c.server);
  SchedulerPeers peers;
  if (!c.store.url.empty()) peers = {&app->store_->views(), &app->store_->owners(), node};
  peers.watched = &app->store_->watched();
  for (const auto& system : c.systems) {
    if (system.system_type != SystemType::kCompute) continue;
    auto scheduler =
        MakeScheduler(system, c.DataPath(system.scheduler.spool_dir), *app->runas_, peers);
    if (!scheduler) return scheduler.status();
    scheduler_views[system.name] = scheduler->get();
    app->schedulers_[system.name] = std::move(scheduler).value();
  }
  app->status_ =
      std::make_unique<StatusService>(c.systems, c.status, app->store_->status(), scheduler_views);

  app->clients_ = std::make_unique<ClientRegistry>(c.auth, app->store_->auth());
  app->signing_keys_ = std::make_unique<SigningKeys>(app->store_->auth(), SigningKeyDir(c),
                                                     c.auth.access_token_lifetime_seconds);
  if (Status s = app->signing_keys_->LoadOrCreate(); !s.ok()) return s;
  app->tokens_ = std::make_unique<TokenService>(c.auth, c.server, *app->clients_,
                                                *app->signing_keys_, app->store_->auth(),
                                                c.rate_limits.token, c.rate_limits.burst_seconds);
  app->verifier_ =
      std::make_unique<AccessTokenVerifier>(c.auth, c.server, *app->clients_, *app->signing_keys_);
  app->rates_ = std::make_unique<api::RateGuard>(c.rate_limits);
  app->guard_ = std::make_unique<api::AuthGuard>(*app->verifier_, app->rates_.get());

  // SQLite is one node's store: nothing but this node changes the tasks it runs.
  app->tasks_ =
      std::make_unique<TaskEngine>(app->store_->tasks(), c.tasks, node, c.store.url.empty());
  app->events_ = std::make_unique<EventHub>(app->store_->events(), c.events);
  app->files_ = std::make_unique<FileService>(c.systems, c.utilities, *app->runas_);
  app->file_streams_ = std::make_unique<FileStreams>(c.systems, *app->runas_);
  app->uploads_ = std::make_unique<ResumableUploads>(c.systems, c.utilities, *app->runas_,
                                                     app->store_->uploads());
  app->commands_ =
      std::make_unique<CommandService>(c.systems, c.utilities, *app->runas_, *app->tasks_);
  app->transfers_ = std::make_unique<TransferService>(
      c.systems, c.transfers, *app->runas_, *app->tasks_, app->store_->transfers(), *app->files_);

  // Accounts: project groups are real Unix groups only when sfapid can create them (root).
  app->user_directory_ = std::make_unique<UserDirectory>(c.runas);
  app->group_directory_ = std::make_unique<UnixGroupDirectory>();
  app->groups_ = std::make_unique<GroupService>(c.accounts, app->store_->accounts(),
                                                *app->user_directory_, *app->group_directory_,
                                                c.accounts.unix_groups && ::geteuid() == 0);
  app->accounts_ = std::make_unique<AccountService>(c.accounts, app->store_->accounts(),
                                                    *app->user_directory_, *app->groups_);
  if (Status s = app->accounts_->Seed(); !s.ok()) return s;

  app->callbacks_ = std::make_unique<CallbackService>(c.callbacks, app->store_->compute(),
                                                      SigningKeyDir(c), CallbackOutboxDir(c));
  app->compute_ = std::make_unique<ComputeService>(
      c.systems, *app->runas_, *app->tasks_, scheduler_views, *app->callbacks_, *app->accounts_,
      app->store_->auth(), app->store_->events());
  app->reservations_ = std::make_unique<ReservationService>(c.systems, app->store_->reservations(),
                                                            app->store_->accounts(),
                                                            *app->accounts_, scheduler_views);
  app->reservation_notifier_ =
      std::make_unique<ReservationNotifier>(app->store_->reservations(), *app->callbacks_);
  app->reservation_lifecycle_ = std::make_unique<ReservationLifecycle>(
      app->store_->reservations(), *app->reservations_, *app->user_directory_, scheduler_views,
      app->reservation_notifier_.get());

  site::AddHealthRoutes(app->router_, *app->store_, app->readiness_);
  site::AddMetricsRoutes(app->router_, app->schedulers_, *app->rates_, *app->tokens_);
  oauth::AddTokenRoutes(app->router_, c.server, c.auth, *app->tokens_, *app->signing_keys_);
  app->idempotent_routes_ = std::make_unique<api::IdempotentRoutes>(app->store_->idempotency(),
                                                                    c.server.idempotency_hours);
  sfapi::ApiContext ctx{app->router_,
                        app->schemas_,
                        c.systems,
                        c.utilities,
                        c.server,
                        *app->status_,
                        *app->clients_,
                        *app->guard_,
                        *app->idempotent_routes_,
                        *app->tasks_,
                        *app->files_,
                        *app->file_streams_,
                        *app->uploads_,
                        *app->commands_,
                        *app->transfers_,
                        *app->compute_,
                        *app->callbacks_,
                        *app->accounts_,
                        *app->groups_,
                        *app->reservations_,
                        *app->reservation_lifecycle_,
                        *app->events_,
                        c.events,
                        c.tasks};
  sfapi::AddSfapiRoutes(ctx);
  app->paths_ =
      std::make_unique<PathOperations>(c.systems, c.utilities, *app->runas_, *app->files_);
  app->storage_ = std::make_unique<StorageLocations>(c.systems, *app->runas_, *app->accounts_);
  app->iri_.reset(new iri::IriContext{.router = app->router_,
                                      .schemas = {},
                                      .facility = c.facility,
                                      .systems = c.systems,
                                      .server = c.server,
                                      .utilities = c.utilities,
                                      .status = *app->status_,
                                      .accounts = *app->accounts_,
                                      .compute = *app->compute_,
                                      .files = *app->files_,
                                      .paths = *app->paths_,
                                      .storage = *app->storage_,
                                      .tasks = *app->tasks_,
                                      .job_specs = app->store_->job_specs(),
                                      .guard = *app->guard_,
                                      .idempotent = *app->idempotent_routes_,
                                      .started = Now()});
  iri::AddIriRoutes(*app->iri_);

  app->password_check_ = std::make_unique<PamPasswordCheck>(c.web.pam_service);
  app->password_factor_ = std::make_unique<PasswordFactor>(*app->password_check_);
  app->link_factor_ = std::make_unique<LinkFactor>(app->store_->web());
  app->web_sessions_ = std::make_unique<WebSessions>(c.web, app->store_->web());
  app->sign_in_ = std::make_unique<SignInService>(c, app->store_->web(), app->store_->auth(),
                                                  *app->web_sessions_, *app->user_directory_);
  app->api_access_ = std::make_unique<ApiAccess>(c.web, app->store_->web(), app->store_->auth());
  app->web_.reset(new web::WebContext{app->router_, c, *app->web_sessions_, *app->sign_in_,
                                      *app->password_factor_, *app->link_factor_, *app->api_access_,
                                      *app->clients_, *app->accounts_, *app->status_});
  web::AddWebRoutes(*app->web_);
  return app;
}

Application::~Application() {
  if (reservation_lifecycle_) reservation_lifecycle_->Stop();
  if (compute_) compute_->Stop();
  if (uploads_) uploads_->Stop();
  if (events_) events_->Stop();
  if (callbacks_) callbacks_->Stop();
  if (tasks_) tasks_->Stop();
  if (status_) status_->Stop();
  if (clients_) clients_->Stop();
}

int Application::Serve() {
  // A worker that exits before reading all its input must not kill the server with SIGPIPE: writes
  // then fail with EPIPE, which RunAs handles. (Workers get the default disposition back.)
  ::signal(SIGPIPE, SIG_IGN);
  http::HttpServer server(config_.server, router_, &readiness_);
  if (Status s = server.Bind(); !s.ok()) {
    spdlog::error("{}", s.message());
    return 1;
  }
  // With port 0 the kernel picked one: URLs handed out (token endpoint, issuer) must name it.
  config_.server.port = server.port();
  // Unix groups as the store says (a crash or an operator may have left them otherwise).
  if (Status s = groups_->Reconcile(); !s.ok())
    spdlog::error("project groups are not all in step: {}", s.message());
  // Each account's charges as its recorded jobs sum them (the check at every submission reads the
  // running total; a node of the previous version during a roll recorded jobs without it).
  if (Status s = store_->compute().RecountUsageTotals(); !s.ok())
    spdlog::error("accounts: recounting the charges of finished jobs: {}", s.message());
  status_->Start();
  clients_->Start();
  transfers_->Recover();
  uploads_->Start();
  events_->Start();
  if (Status s = callbacks_->Start(); !s.ok()) {
    spdlog::error("{}", s.message());
    return 1;
  }
  compute_->Start();
  // After the schedulers: it makes, changes and removes their reservations. A pass a second keeps
  // start and end within a second of the clock; operators' CLI changes are seen the same way.
  reservation_lifecycle_->Start(1.0);
  tasks_->Start();
  const std::string base =
      "http://" +
      (config_.server.listen.find(':') != std::string::npos ? "[" + config_.server.listen + "]"
                                                            : config_.server.listen) +
      ":" + std::to_string(server.port()) + sfapi::kPrefix + "/";
  spdlog::info("sfapid {} listening on {} (data in {})", SFAPID_VERSION, base, config_.data_dir);
  spdlog::info("token endpoint {} (assertion audience)", config_.TokenUrl());
  server.Run();
  // No request arrives any more: tasks already accepted get the grace period to finish.
  tasks_->WaitIdle(std::chrono::milliseconds(
      static_cast<int64_t>(config_.server.shutdown_grace_seconds * 1000)));
  tasks_->Stop();
  reservation_lifecycle_->Stop();
  compute_->Stop();
  callbacks_->Stop();
  status_->Stop();
  clients_->Stop();
  spdlog::info("sfapid stopped");
  return 0;
}

}  // namespace sfapid
