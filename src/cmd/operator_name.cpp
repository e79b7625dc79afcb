#include "cmd/operator_name.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace sfapid::cmd {

std::string OperatorName() {
  if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo) return sudo;
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return "uid" + std::to_string(::geteuid());
}

}  // namespace sfapid::cmd
