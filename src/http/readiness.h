// Whether this node wants new requests. A graceful stop first turns it off and keeps serving for
// [server] drain_seconds, so that a load balancer checking /readyz stops sending requests here
// before the listening socket closes (clients then never meet a refused connection).
#pragma once

#include <atomic>

namespace sfapid::http {

class Readiness {
 public:
  void BeginDraining() { draining_ = true; }
  bool draining() const { return draining_; }

 private:
  std::atomic<bool> draining_{false};
};

}  // namespace sfapid::http
