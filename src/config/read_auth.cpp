// [auth]: the token endpoint, token lifetimes, refusal limits and the per-level client policies.
#include "config/section_readers.h"

namespace sfapid::config_reading {

void ReadAuth(TableReader& root, AuthConfig& a) {
  if (const toml::table* t = root.Table("auth")) {
    TableReader s(*t, root.source(), "auth");
    s.Read("token_path", a.token_path);
    s.Read("token_url", a.token_url);
    s.Read("issuer", a.issuer);
    s.Read("access_token_lifetime_seconds", a.access_token_lifetime_seconds);
    s.Read("max_assertion_lifetime_seconds", a.max_assertion_lifetime_seconds);
    s.Read("clock_leeway_seconds", a.clock_leeway_seconds);
    s.Read("client_refresh_seconds", a.client_refresh_seconds);
    s.Read("token_cache_entries", a.token_cache_entries);
    s.Read("max_refusals_per_address", a.max_refusals_per_address);
    s.Read("refusal_window_seconds", a.refusal_window_seconds);
    s.Read("audit_retention_days", a.audit_retention_days);
    s.Read("max_clients_per_user", a.max_clients_per_user);
    for (auto [name, policy] :
         {std::pair{"green", &a.green}, {"yellow", &a.yellow}, {"red", &a.red}}) {
      if (const toml::table* lt = s.Table(name)) {
        TableReader l(*lt, root.source(), std::string("auth.") + name);
        l.Read("max_lifetime_days", policy->max_lifetime_days);
        l.Read("max_ip_ranges", policy->max_ip_ranges);
        l.Read("min_ipv4_prefix", policy->min_ipv4_prefix);
        l.Read("min_ipv6_prefix", policy->min_ipv6_prefix);
        l.RejectUnknown();
        l.Require(policy->max_lifetime_days > 0, "max_lifetime_days", "must be positive");
        l.Require(policy->min_ipv4_prefix >= 0 && policy->min_ipv4_prefix <= 32, "min_ipv4_prefix",
                  "must be 0..32");
        l.Require(policy->min_ipv6_prefix >= 0 && policy->min_ipv6_prefix <= 128, "min_ipv6_prefix",
                  "must be 0..128");
      }
    }
    s.RejectUnknown();
    s.Require(!a.token_path.empty() && a.token_path.front() == '/', "token_path",
              "must start with '/'");
    s.Require(a.access_token_lifetime_seconds >= 10, "access_token_lifetime_seconds",
              "must be at least 10");
    s.Require(a.client_refresh_seconds >= 0.05, "client_refresh_seconds", "must be at least 0.05");
    s.Require(a.max_refusals_per_address >= 0, "max_refusals_per_address",
              "must be 0 (no limit) or more");
    s.Require(a.refusal_window_seconds > 0, "refusal_window_seconds", "must be positive");
    s.Require(a.audit_retention_days >= 0, "audit_retention_days", "must be 0 (keep) or more");
    s.Require(a.max_clients_per_user >= 0, "max_clients_per_user", "must be 0 (no limit) or more");
  }
}

}  // namespace sfapid::config_reading
