// Who runs an operator command, for the record (approvals, enablement, the audit log).
#pragma once

#include <string>

namespace sfapid::cmd {

// The login that ran sudo, else the account running the command.
std::string OperatorName();

}  // namespace sfapid::cmd
