#include "api/site/metrics_api.h"

namespace sfapid::site {

void AddMetricsRoutes(http::Router& router,
                      const std::map<std::string, std::unique_ptr<Scheduler>>& schedulers,
                      const api::RateGuard& rates, const TokenService& tokens) {
  router.Add({.method = "GET",
              .pattern = "/metrics",
              .handler =
                  [&schedulers, &rates, &tokens](http::Request&) {
                    std::string text;
                    for (const auto& [name, scheduler] : schedulers) text += scheduler->Metrics();
                    text += rates.Metrics(tokens.rate_limited_clients(),
                                          tokens.rate_limited_addresses());
                    return http::Response::Text(200, std::move(text), "text/plain; version=0.0.4");
                  },
              .documented = false});
}

}  // namespace sfapid::site
