#include "api/site/metrics_api.h"

namespace sfapid::site {

void AddMetricsRoutes(http::Router& router,
                      const std::map<std::string, std::unique_ptr<Scheduler>>& schedulers) {
  router.Add({.method = "GET",
              .pattern = "/metrics",
              .handler =
                  [&schedulers](http::Request&) {
                    std::string text;
                    for (const auto& [name, scheduler] : schedulers) text += scheduler->Metrics();
                    return http::Response::Text(200, std::move(text),
                                                "text/plain; version=0.0.4");
                  },
              .documented = false});
}

}  // namespace sfapid::site
