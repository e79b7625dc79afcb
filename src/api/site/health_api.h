// Liveness and readiness probes for load balancers and orchestrators, outside the API prefix:
// /healthz answers while the process serves; /readyz also needs the store to answer.
#pragma once

#include "http/router.h"
#include "store/store.h"

namespace sfapid::site {

void AddHealthRoutes(http::Router& router, Store& store);

}  // namespace sfapid::site
