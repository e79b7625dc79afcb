// One line in the audit log (`sfapid audit`, beside token decisions) and the server log for what
// users and operators do through the web pages and access commands: sign-ins, failures, client
// changes, enablement. Never a password, code or secret.
#pragma once

#include <string>

#include "store/auth_store.h"

namespace sfapid {

void WebAudit(AuthStore& audit, const std::string& user, const std::string& ip,
              const std::string& outcome, const std::string& detail,
              const std::string& client_id = "");

}  // namespace sfapid
