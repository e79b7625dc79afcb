#include "util/network_blocklist.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <cstring>

namespace sfapid {

namespace {

using Address = std::array<uint8_t, 16>;

bool StartsWith(const Address& a, std::initializer_list<uint8_t> prefix) {
  size_t i = 0;
  for (uint8_t b : prefix)
    if (a[i++] != b) return false;
  return true;
}

Address Mapped(const uint8_t* v4) {
  Address out{};
  out[10] = out[11] = 0xff;
  std::memcpy(out.data() + 12, v4, 4);
  return out;
}

// The IPv4 address an IPv6 address stands for or tunnels to, in the IPv4-mapped form the CIDRs
// use; nullopt for a plain IPv6 address.
std::optional<Address> EmbeddedIpv4(const Address& a) {
  static constexpr uint8_t kZero12[12] = {};
  // ::ffff:a.b.c.d (mapped) is already the form CIDRs use; ::a.b.c.d (compatible, deprecated
  // but still routed by some stacks); 64:ff9b::a.b.c.d (NAT64, RFC 6052).
  if (std::memcmp(a.data(), kZero12, 12) == 0) return Mapped(a.data() + 12);
  if (StartsWith(a, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) return Mapped(a.data() + 12);
  // 2002:AABB:CCDD::/48 (6to4, RFC 3056): the relay delivers to AA.BB.CC.DD.
  if (StartsWith(a, {0x20, 0x02})) return Mapped(a.data() + 2);
  return std::nullopt;
}

bool IsUnspecified(const Address& a) {
  static constexpr Address kAny{};
  if (a == kAny) return true;
  static constexpr uint8_t kMappedAny[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
  return std::memcmp(a.data(), kMappedAny, 16) == 0;
}

std::string Text(const Address& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
  return buf;
}

}  // namespace

std::vector<Address> HostAddresses() {
  std::vector<Address> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (const ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    if (i->ifa_addr->sa_family == AF_INET) {
      out.push_back(Mapped(reinterpret_cast<const uint8_t*>(
          &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr)));
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      Address a{};
      std::memcpy(a.data(), &reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr, 16);
      out.push_back(a);
    }
  }
  ::freeifaddrs(list);
  return out;
}

NetworkBlocklist::NetworkBlocklist(const std::vector<std::string>& networks, bool host_addresses)
    : host_addresses_(host_addresses) {
  for (const auto& n : networks)
    if (auto cidr = ParseCidr(n)) networks_.emplace_back(n, *cidr);
}

std::optional<std::string> NetworkBlocklist::Blocks(const Address& address) const {
  if (IsUnspecified(address)) return "the unspecified address, which reaches this host";
  const auto inner = EmbeddedIpv4(address);
  if (inner && IsUnspecified(*inner)) return "the unspecified address, which reaches this host";
  for (const auto& [text, cidr] : networks_) {
    if (cidr.Contains(address)) return "in " + text;
    if (inner && cidr.Contains(*inner))
      return "in " + text + " (as " + Text(*inner) + " carried in an IPv6 address)";
  }
  if (host_addresses_)
    for (const Address& mine : HostAddresses())
      if (mine == address || (inner && mine == *inner)) return "an address of this host";
  return std::nullopt;
}

std::optional<std::string> NetworkBlocklist::Blocks(std::string_view ip_text) const {
  auto a = ParseIp(ip_text);
  if (!a) return "not an IP address";
  return Blocks(*a);
}

std::optional<Address> LiteralAddress(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string s(host);
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    Address out;
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  in_addr v4;
  if (inet_aton(s.c_str(), &v4) == 1) return Mapped(reinterpret_cast<const uint8_t*>(&v4));
  return std::nullopt;
}

}  // namespace sfapid
