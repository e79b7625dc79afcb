#include "core/web/web_audit.h"

#include <spdlog/spdlog.h>

namespace sfapid {

void WebAudit(AuthStore& audit, const std::string& user, const std::string& ip,
              const std::string& outcome, const std::string& detail, const std::string& client_id) {
  spdlog::info("web: {} user={} ip={}{} {}", outcome, user.empty() ? "-" : user,
               ip.empty() ? "-" : ip, client_id.empty() ? "" : " client=" + client_id, detail);
  if (Status s = audit.AppendAudit({Now(), client_id, user, ip, outcome, detail}); !s.ok())
    spdlog::error("audit write failed: {}", s.message());
}

}  // namespace sfapid
