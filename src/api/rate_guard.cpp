#include "api/rate_guard.h"

#include <memory>

#include "http/errors.h"

namespace sfapid::api {

RateClass RateClassOf(const std::string& method, const std::string& pattern) {
  if (pattern.find("/utilities/command/") != std::string::npos) return RateClass::kCommands;
  if (pattern.find("/filesystem/") != std::string::npos &&
      pattern.find("/filesystem/resources") == std::string::npos)
    return RateClass::kCommands;
  if (method == "GET" || method == "HEAD") return RateClass::kReads;
  return RateClass::kSubmits;
}

const char* RateClassName(RateClass c) {
  switch (c) {
    case RateClass::kReads:
      return "reads";
    case RateClass::kSubmits:
      return "submits";
    case RateClass::kCommands:
      return "commands";
  }
  return "reads";
}

RateGuard::RateGuard(const RateLimitsConfig& config)
    : limits_{std::make_unique<Limits>(config.reads, config.burst_seconds),
              std::make_unique<Limits>(config.submits, config.burst_seconds),
              std::make_unique<Limits>(config.commands, config.burst_seconds)} {}

std::optional<http::Response> RateGuard::Check(TokenBuckets& buckets,
                                               std::atomic<uint64_t>& refused, const char* by,
                                               const std::string& key, const http::Request& req,
                                               const Ask& ask) {
  if (!buckets.limited()) return std::nullopt;
  const int64_t wait = ask.spend ? buckets.Take(key) : buckets.Peek(key);
  if (wait == 0) return std::nullopt;
  refused.fetch_add(1, std::memory_order_relaxed);
  const std::string why = std::string("too many ") + RateClassName(ask.rate_class) +
                          " requests from " + by + " " + key + "; try again in " +
                          std::to_string(wait) + " s (rate_limits)";
  http::Response r =
      ask.shape ? (*ask.shape)(req, ask.status, why) : http::DetailError(ask.status, why);
  r.headers.emplace_back("Retry-After", std::to_string(wait));
  return r;
}

std::optional<http::Response> RateGuard::CheckAddress(const http::Request& req, const Ask& ask) {
  Limits& l = For(ask.rate_class);
  return Check(l.address, l.refused_address, "address", req.remote_ip, req, ask);
}

std::optional<http::Response> RateGuard::CheckClient(const http::Request& req, const Ask& ask) {
  if (!req.principal) return std::nullopt;
  Limits& l = For(ask.rate_class);
  return Check(l.client, l.refused_client, "client", req.principal->client_id, req, ask);
}

std::string RateGuard::Metrics(uint64_t token_clients, uint64_t token_addresses) const {
  std::string text =
      "# HELP sfapid_rate_limited_total Requests answered 429 by [rate_limits], by route class "
      "and by what was over its limit.\n# TYPE sfapid_rate_limited_total counter\n";
  auto line = [&](const char* c, const char* by, uint64_t n) {
    text += std::string("sfapid_rate_limited_total{class=\"") + c + "\",by=\"" + by + "\"} " +
            std::to_string(n) + "\n";
  };
  for (RateClass c : {RateClass::kReads, RateClass::kSubmits, RateClass::kCommands}) {
    const Limits& l = *limits_[static_cast<size_t>(c)];
    line(RateClassName(c), "client", l.refused_client.load());
    line(RateClassName(c), "address", l.refused_address.load());
  }
  line("token", "client", token_clients);
  line("token", "address", token_addresses);
  return text;
}

}  // namespace sfapid::api
