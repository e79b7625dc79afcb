// GET /metrics: Prometheus text for operators, outside the API prefix. Each compute system's
// scheduler adds its counters (Slurm: commands run, snapshot refreshes, callers served, age), so an
// operator can see that polling clients do not turn into slurmctld load.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "backends/scheduler/scheduler.h"
#include "http/router.h"

namespace sfapid::site {

void AddMetricsRoutes(http::Router& router,
                      const std::map<std::string, std::unique_ptr<Scheduler>>& schedulers);

}  // namespace sfapid::site
