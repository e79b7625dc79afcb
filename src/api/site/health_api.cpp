#include "api/site/health_api.h"

#include <boost/json.hpp>

#include "http/errors.h"

namespace sfapid::site {

void AddHealthRoutes(http::Router& router, Store& store, const http::Readiness& readiness) {
  router.Add({.method = "GET",
              .pattern = "/healthz",
              .handler =
                  [](http::Request&) {
                    return http::Response::Json(boost::json::object{{"status", "ok"}});
                  },
              .documented = false});
  router.Add({.method = "GET",
              .pattern = "/readyz",
              .handler =
                  [&store, &readiness](http::Request&) {
                    if (readiness.draining())
                      return http::DetailError(
                          503, "this node is stopping: send requests to another node");
                    Status s = store.Ping();
                    if (!s.ok())
                      return http::DetailError(503, "store is not answering: " + s.message());
                    return http::Response::Json(boost::json::object{{"status", "ready"}});
                  },
              .execution = http::Execution::kBlocking,
              .documented = false});
}

}  // namespace sfapid::site
