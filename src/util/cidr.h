// IPv4 and IPv6 address ranges in CIDR notation ("10.0.0.0/8", "2001:db8::/32", or one address):
// used for trusted proxies and, later, for the source ranges an API client may call from.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sfapid {

struct Cidr {
  std::array<uint8_t, 16> address{};  // IPv4 is stored as an IPv4-mapped IPv6 address
  int prefix_bits = 128;              // counted on the 128-bit form

  bool Contains(std::string_view ip) const;
  bool Contains(const std::array<uint8_t, 16>& address) const;
};

std::optional<Cidr> ParseCidr(std::string_view text);

// The 16-byte form of an IPv4 or IPv6 address text, or nullopt.
std::optional<std::array<uint8_t, 16>> ParseIp(std::string_view text);

}  // namespace sfapid
