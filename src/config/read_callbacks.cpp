// [callbacks]: retry timing, mail, and the networks callback URLs may not reach.
#include "config/section_readers.h"
#include "util/cidr.h"

namespace sfapid::config_reading {

void ReadCallbacks(TableReader& root, CallbacksConfig& cb) {
  if (const toml::table* t = root.Table("callbacks")) {
    TableReader s(*t, root.source(), "callbacks");
    s.Read("default_timeout_seconds", cb.default_timeout_seconds);
    s.Read("max_timeout_seconds", cb.max_timeout_seconds);
    s.Read("attempt_timeout_seconds", cb.attempt_timeout_seconds);
    s.Read("first_retry_seconds", cb.first_retry_seconds);
    s.Read("max_retry_seconds", cb.max_retry_seconds);
    s.ReadStrings("mail_command", cb.mail_command);
    s.Read("outbox_dir", cb.outbox_dir);
    s.Read("mail_from", cb.mail_from);
    s.ReadStrings("blocked_networks", cb.blocked_networks);
    s.Read("block_host_addresses", cb.block_host_addresses);
    for (const auto& n : cb.blocked_networks)
      s.Require(ParseCidr(n).has_value(), "blocked_networks", "'" + n + "' is not a CIDR");
    s.RejectUnknown();
    s.Require(cb.attempt_timeout_seconds > 0, "attempt_timeout_seconds", "must be positive");
    s.Require(cb.first_retry_seconds > 0, "first_retry_seconds", "must be positive");
    s.Require(cb.max_retry_seconds >= cb.first_retry_seconds, "max_retry_seconds",
              "must be at least first_retry_seconds");
    s.Require(!cb.outbox_dir.empty(), "outbox_dir", "must not be empty");
  }
}

}  // namespace sfapid::config_reading
