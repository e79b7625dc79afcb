// Who is calling: the API user a verified access token acts for, through which client, at which
// security level.
#pragma once

#include <string>

#include "domain/level.h"

namespace sfapid {

struct Principal {
  std::string user;
  std::string client_id;
  Level level = Level::kGreen;
};

}  // namespace sfapid
