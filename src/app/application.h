// Wires one running sfapid together: config → store → backends → services → APIs → HTTP server.
// The CLI's serve command and the integration tests both start the server through this.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <memory>

#include "backends/scheduler/scheduler.h"
#include "config/config.h"
#include "core/status/status_service.h"
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
  http::Router router_;
  boost::json::object schemas_;
};

// Opens the configured store (SQLite under data_dir): for the operator commands.
Result<std::unique_ptr<Store>> OpenConfiguredStore(const Config& config);

}  // namespace sfapid
