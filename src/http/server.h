// The HTTP/1.1 server: an Asio io_context running C++20 coroutine sessions, with limits on header
// and body size, idle and request time, and connection count, and a graceful stop on SIGTERM or
// SIGINT (turn readiness off and keep serving for drain_seconds, then stop accepting, let in-flight
// requests finish, close idle connections).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "http/readiness.h"
#include "http/router.h"
#include "util/status.h"

namespace sfapid::http {

class HttpServer {
 public:
  HttpServer(const ServerConfig& config, const Router& router, Readiness* readiness = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket; port() is known afterwards (useful with port 0).
  Status Bind();
  uint16_t port() const;

  // Serves until SIGTERM/SIGINT or Stop(); returns after the graceful shutdown.
  void Run();
  // Begins the graceful shutdown from any thread.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sfapid::http
