// Checks a user's password against the facility's own accounts. PAM in production; a fake in unit
// tests. Blocking (PAM may sleep seconds after a failure): call it from the blocking pool.
#pragma once

#include <string>

#include "util/status.h"

namespace sfapid {

class PasswordCheck {
 public:
  virtual ~PasswordCheck() = default;
  // Ok when `password` is the Unix account's and the account may be used now (not expired or
  // locked). Unauthenticated otherwise, in words that never say which of the two was wrong.
  virtual Status Check(const std::string& account, const std::string& password) = 0;
};

}  // namespace sfapid
