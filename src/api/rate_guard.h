// Rate limits at the API edge ([rate_limits]): each request spends a token from its source
// address's bucket for its route class before its access token is checked (a flood of made-up
// tokens costs no signature check), and one from its API client's bucket once the token is known.
// Over either: 429 in the API's error shape with Retry-After, which NERSC's client waits for and
// retries; counted for /metrics.
#pragma once

#include <array>
#include <atomic>
#include <optional>
#include <string>

#include "config/config.h"
#include "http/router.h"
#include "util/token_buckets.h"

namespace sfapid::api {

enum class RateClass { kReads, kSubmits, kCommands };

// A route's class: GET and HEAD read; a command, or an IRI file operation (each runs a program as
// the user), is a command; any other change submits.
RateClass RateClassOf(const std::string& method, const std::string& pattern);
const char* RateClassName(RateClass c);

class RateGuard {
 public:
  explicit RateGuard(const RateLimitsConfig& config);

  struct Ask {
    RateClass rate_class;
    bool spend;  // false: only whether the request would be refused now (before a body is read)
    const http::ErrorShape* shape;  // null: FastAPI's {"detail": ...}
    int status = 429;               // the answer when over the limit
  };
  std::optional<http::Response> CheckAddress(const http::Request& req, const Ask& ask);
  // Needs req.principal (a request without a token is limited by its address alone).
  std::optional<http::Response> CheckClient(const http::Request& req, const Ask& ask);

  // sfapid_rate_limited_total{class,by} in Prometheus' text format; the token endpoint's counts
  // come from the token service, which limits it.
  std::string Metrics(uint64_t token_clients, uint64_t token_addresses) const;

 private:
  struct Limits {
    Limits(const RateLimit& l, double burst_seconds)
        : client(l.per_client, l.per_client * burst_seconds),
          address(l.per_address, l.per_address * burst_seconds) {}
    TokenBuckets client, address;
    std::atomic<uint64_t> refused_client{0}, refused_address{0};
  };
  // `by` and `key` name who is over the limit ("client", its id): the message is built only then.
  std::optional<http::Response> Check(TokenBuckets& buckets, std::atomic<uint64_t>& refused,
                                      const char* by, const std::string& key,
                                      const http::Request& req, const Ask& ask);
  Limits& For(RateClass c) { return *limits_[static_cast<size_t>(c)]; }

  std::array<std::unique_ptr<Limits>, 3> limits_;
};

}  // namespace sfapid::api
