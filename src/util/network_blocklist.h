// Networks a server-side request (a callback POST) must never reach: sfapid's own network
// position is not a user's proxy. An address is blocked when it, or an IPv4 address it carries
// (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16), is in a listed network; the
// unspecified addresses (0.0.0.0, ::), which Linux connects to the local host, always are.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/cidr.h"

namespace sfapid {

class NetworkBlocklist {
 public:
  // CIDR texts; ones that do not parse are skipped (the config check refuses them first).
  // `host_addresses`: also the addresses of this host's interfaces, read at each check.
  explicit NetworkBlocklist(const std::vector<std::string>& networks, bool host_addresses = false);

  // Why the address may not be connected to ("in 127.0.0.0/8"), or nullopt when it may.
  std::optional<std::string> Blocks(const std::array<uint8_t, 16>& address) const;
  std::optional<std::string> Blocks(std::string_view ip_text) const;

 private:
  std::vector<std::pair<std::string, Cidr>> networks_;
  bool host_addresses_ = false;
};

// The addresses of this host's interfaces, in the 16-byte form (IPv4 as IPv4-mapped).
std::vector<std::array<uint8_t, 16>> HostAddresses();

// The address a URL host names without a DNS lookup, as the C library reads it: IPv6 literals
// and every IPv4 spelling inet_aton accepts (127.1, 2130706433, 0x7f000001, 0177.0.0.1).
std::optional<std::array<uint8_t, 16>> LiteralAddress(std::string_view host);

}  // namespace sfapid
