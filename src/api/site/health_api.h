// Liveness and readiness probes for load balancers and orchestrators, outside the API prefix:
// /healthz answers while the process serves; /readyz also needs the store to answer, and says 503
// from the moment a graceful stop begins (the balancer drains the node first).
#pragma once

#include "http/readiness.h"
#include "http/router.h"
#include "store/store.h"

namespace sfapid::site {

void AddHealthRoutes(http::Router& router, Store& store, const http::Readiness& readiness);

}  // namespace sfapid::site
