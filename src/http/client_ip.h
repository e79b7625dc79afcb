// Who a request comes from. Behind a trusted proxy (server.trusted_proxies) the TCP peer is the
// proxy, so the caller is the nearest hop of X-Forwarded-For that no trusted proxy holds, read from
// the right (a client can write anything on the left). Per-client limits and IP allow-lists judge
// this address.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/cidr.h"

namespace sfapid::http {

class TrustedProxies {
 public:
  // CIDRs that do not parse are left out (config validation has refused them already).
  explicit TrustedProxies(const std::vector<std::string>& cidrs);

  bool Contains(std::string_view ip) const;

  // forwarded_for: each X-Forwarded-For field's value, in the order received (a proxy may add a
  // field of its own instead of appending to the last). The peer itself when it is not a trusted
  // proxy or sent none; kUnknownClient when a hop cannot be read or every hop is trusted.
  std::string ClientIp(const std::string& peer,
                       const std::vector<std::string_view>& forwarded_for) const;

 private:
  std::vector<Cidr> ranges_;
};

// An address no client range contains, and never the proxy's own.
inline constexpr const char* kUnknownClient = "unknown";

}  // namespace sfapid::http
