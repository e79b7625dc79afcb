// The OAuth2 token endpoint's logic (client credentials with a private-key JWT assertion, RFC
// 7523): checks an assertion against the registered client and issues a short-lived access token
// signed by the server. Every outcome is written to the audit trail.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>

#include "auth/client_registry.h"
#include "auth/refusal_limiter.h"
#include "auth/signing_keys.h"
#include "config/config.h"
#include "store/auth_store.h"
#include "util/interval_gate.h"
#include "util/log_sampler.h"
#include "util/token_buckets.h"

namespace sfapid {

inline constexpr const char* kJwtBearerAssertionType =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

struct TokenRequest {
  std::string grant_type;
  std::string client_assertion_type;
  std::string client_assertion;
  std::string ip;
};

struct IssuedToken {
  std::string access_token;
  int64_t expires_in = 0;
  std::string scope;
};

// RFC 6749 §5.2.
struct OAuthError {
  int http_status = 400;
  std::string error;
  std::string description;
  int64_t retry_after_seconds = 0;  // a 429's Retry-After
};

class TokenService {
 public:
  // server: where the server listens, which names the token URL and issuer unless auth does.
  // limit: [rate_limits] for the token endpoint (by address before any check, by client once its
  // assertion is verified); burst_seconds of either at once.
  TokenService(const AuthConfig& auth, const ServerConfig& server, ClientRegistry& clients,
               SigningKeys& keys, AuthStore& store, const RateLimit& limit = {},
               double burst_seconds = 10);

  std::variant<IssuedToken, OAuthError> Issue(const TokenRequest& request);

  // Token requests answered 429 by the rate limits, by client and by address.
  uint64_t rate_limited_clients() const { return limited_clients_.load(); }
  uint64_t rate_limited_addresses() const { return limited_addresses_.load(); }

 private:
  std::variant<IssuedToken, OAuthError> Check(const TokenRequest& request, std::string& client_id,
                                              std::string& user);
  // Writes the decision to the audit trail and (sampled under a flood) to the log.
  void Record(const TokenRequest& request, const std::string& client_id, const std::string& user,
              const std::variant<IssuedToken, OAuthError>& result);
  // Forgets audit records older than audit_retention_days: at start, then at most hourly.
  void PruneAudit();
  // Notes the client's "last used" in the store, at most once a minute per client: a client
  // fetching tokens in a loop costs one write a minute, not one per token.
  void MarkUsed(const std::string& client_id, TimePoint at);

  const AuthConfig& auth_;
  const ServerConfig& server_;
  ClientRegistry& clients_;
  SigningKeys& keys_;
  AuthStore& store_;
  RefusalLimiter refusals_;
  TokenBuckets client_rate_, address_rate_;
  std::atomic<uint64_t> limited_clients_{0}, limited_addresses_{0};
  LogSampler refusal_log_{20};
  IntervalGate prune_gate_{std::chrono::hours(1)};
  std::mutex used_mu_;
  std::unordered_map<std::string, TimePoint> marked_used_;
};

}  // namespace sfapid
