// [server]: where and how the HTTP server listens, its limits and trusted proxies.
#include "config/section_readers.h"
#include "util/cidr.h"

namespace sfapid::config_reading {

void ReadServer(TableReader& root, ServerConfig& v) {
  if (const toml::table* t = root.Table("server")) {
    TableReader s(*t, root.source(), "server");
    s.Read("listen", v.listen);
    s.Read("port", v.port);
    s.Read("threads", v.threads);
    s.Read("blocking_threads", v.blocking_threads);
    s.Read("max_header_bytes", v.max_header_bytes);
    s.Read("max_body_bytes", v.max_body_bytes);
    s.Read("idle_timeout_seconds", v.idle_timeout_seconds);
    s.Read("request_timeout_seconds", v.request_timeout_seconds);
    s.Read("shutdown_grace_seconds", v.shutdown_grace_seconds);
    s.Read("drain_seconds", v.drain_seconds);
    s.Read("idempotency_hours", v.idempotency_hours);
    s.Read("max_connections", v.max_connections);
    s.Read("max_connections_per_address", v.max_connections_per_address);
    s.ReadStrings("trusted_proxies", v.trusted_proxies);
    s.Read("web_root", v.web_root);
    s.Read("access_log", v.access_log);
    s.Read("node_name", v.node_name);
    s.RejectUnknown();
    s.Require(v.node_name.size() <= 128, "node_name", "must be at most 128 characters");
    s.Require(v.threads >= 1, "threads", "must be at least 1");
    s.Require(v.blocking_threads >= 1, "blocking_threads", "must be at least 1");
    s.Require(v.max_connections >= 1, "max_connections", "must be at least 1");
    s.Require(v.max_connections_per_address >= 0, "max_connections_per_address",
              "must be 0 (no limit) or more");
    s.Require(v.max_header_bytes >= 1024, "max_header_bytes", "must be at least 1024");
    s.Require(v.idle_timeout_seconds > 0, "idle_timeout_seconds", "must be positive");
    s.Require(v.request_timeout_seconds > 0, "request_timeout_seconds", "must be positive");
    s.Require(v.drain_seconds >= 0 && v.drain_seconds <= 600, "drain_seconds",
              "must be between 0 and 600");
    s.Require(v.idempotency_hours >= 0.01 && v.idempotency_hours <= 720, "idempotency_hours",
              "must be between 0.01 and 720");
    for (const auto& p : v.trusted_proxies)
      if (!ParseCidr(p))
        s.Fail(s.NodeOr("trusted_proxies"), "trusted_proxies", "'" + p + "' is not a CIDR");
  }
}

}  // namespace sfapid::config_reading
