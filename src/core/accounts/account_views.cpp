#include "core/accounts/account_views.h"

namespace sfapid {

bool IsValidRole(const std::string& role) {
  return role == kRolePi || role == kRolePiProxy || role == kRoleMember;
}

std::string RoleTitle(const std::string& role) {
  if (role == kRolePi) return "PI";
  if (role == kRolePiProxy) return "PI Proxy";
  return "Member";
}

}  // namespace sfapid
