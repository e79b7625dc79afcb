// GET /metrics: Prometheus text for operators, outside the API prefix. Each compute system's
// scheduler adds its counters (Slurm: commands run, snapshot refreshes, callers served, age), so an
// operator can see that polling clients do not turn into slurmctld load; the rate limits add the
// requests they answered 429, by route class and by what was over its limit.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "api/rate_guard.h"
#include "auth/token_service.h"
#include "backends/scheduler/scheduler.h"
#include "http/router.h"

namespace sfapid::site {

void AddMetricsRoutes(http::Router& router,
                      const std::map<std::string, std::unique_ptr<Scheduler>>& schedulers,
                      const api::RateGuard& rates, const TokenService& tokens);

}  // namespace sfapid::site
