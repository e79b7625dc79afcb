// [rate_limits]: per route class, the requests per second one client and one address may make.
#include "config/section_readers.h"

namespace sfapid::config_reading {

void ReadRateLimits(TableReader& root, RateLimitsConfig& out) {
  const toml::table* t = root.Table("rate_limits");
  if (!t) return;
  TableReader s(*t, root.source(), "rate_limits");
  s.Read("burst_seconds", out.burst_seconds);
  s.Require(out.burst_seconds >= 1, "burst_seconds", "must be at least 1");
  for (auto [name, limit] : {std::pair{"reads", &out.reads},
                             {"submits", &out.submits},
                             {"commands", &out.commands},
                             {"token", &out.token}}) {
    const std::string client = std::string(name) + "_per_client";
    const std::string address = std::string(name) + "_per_address";
    s.Read(client, limit->per_client);  // a negative number is refused by Read
    s.Read(address, limit->per_address);
  }
  s.RejectUnknown();
}

}  // namespace sfapid::config_reading
