#include "http/access_log_target.h"

#include <set>

namespace sfapid::http {

std::string TargetForLog(std::string_view target) {
  static const std::set<std::string, std::less<>> kLoggable = {
      "cached", "sacct", "kwargs", "binary", "isPath", "index", "limit", "offset", "state"};
  const size_t q = target.find('?');
  std::string out(target.substr(0, q));
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  bool first = true, hidden = false;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const std::string_view key = pair.substr(0, pair.find('='));
    if (kLoggable.count(key)) {
      out.push_back(first ? '?' : '&');
      out.append(pair);
      first = false;
    } else {
      hidden = true;
    }
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
  }
  if (hidden) {
    out.push_back(first ? '?' : '&');
    out.append("(redacted)");
  }
  return out;
}

}  // namespace sfapid::http
