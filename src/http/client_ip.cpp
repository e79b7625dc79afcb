#include "http/client_ip.h"

namespace sfapid::http {

TrustedProxies::TrustedProxies(const std::vector<std::string>& cidrs) {
  for (const auto& p : cidrs)
    if (auto cidr = ParseCidr(p)) ranges_.push_back(*cidr);
}

bool TrustedProxies::Contains(std::string_view ip) const {
  for (const auto& c : ranges_)
    if (c.Contains(ip)) return true;
  return false;
}

std::string TrustedProxies::ClientIp(const std::string& peer,
                                     const std::vector<std::string_view>& forwarded_for) const {
  if (ranges_.empty() || !Contains(peer)) return peer;
  std::string list;
  for (std::string_view field : forwarded_for) {
    if (!list.empty()) list += ',';
    list += field;
  }
  // No header: a request the proxy itself makes (health checks), or a direct local client. A hop
  // we cannot read leaves the caller unknown.
  if (list.empty()) return peer;
  std::string_view rest = list;
  while (!rest.empty()) {
    const size_t comma = rest.rfind(',');
    std::string_view hop = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    while (!hop.empty() && hop.front() == ' ') hop.remove_prefix(1);
    while (!hop.empty() && hop.back() == ' ') hop.remove_suffix(1);
    if (!ParseIp(hop)) return kUnknownClient;
    if (!Contains(hop)) return std::string(hop);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
  }
  return kUnknownClient;
}

}  // namespace sfapid::http
