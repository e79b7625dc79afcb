#include "util/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace sfapid {

std::optional<std::array<uint8_t, 16>> ParseIp(std::string_view text) {
  std::string s(text);
  std::array<uint8_t, 16> out{};
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

std::optional<Cidr> ParseCidr(std::string_view text) {
  const auto slash = text.find('/');
  const std::string_view host = text.substr(0, slash);
  auto addr = ParseIp(host);
  if (!addr) return std::nullopt;
  const bool is_v4 = host.find(':') == std::string_view::npos;
  int bits = is_v4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    const std::string_view p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), bits);
    if (ec != std::errc() || end != p.data() + p.size() || p.empty()) return std::nullopt;
    if (bits < 0 || bits > (is_v4 ? 32 : 128)) return std::nullopt;
  }
  Cidr c;
  c.address = *addr;
  c.prefix_bits = is_v4 ? bits + 96 : bits;
  return c;
}

bool Cidr::Contains(std::string_view ip) const {
  auto a = ParseIp(ip);
  return a && Contains(*a);
}

bool Cidr::Contains(const std::array<uint8_t, 16>& a) const {
  int bits = prefix_bits;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (address[i] & mask)) return false;
  }
  return true;
}

}  // namespace sfapid
