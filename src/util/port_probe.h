// Whether the server could listen where its configuration says, asked before anything is printed
// or started: `make run` checks the port before its banner instead of failing after it.
#pragma once

#include <string>

#include "util/status.h"

namespace sfapid {

// Binds and listens on `address`:`port` (an IP literal, with SO_REUSEADDR as the server does) and
// lets go at once. Unavailable with the port, the address and the system's reason otherwise.
Status ProbeListen(const std::string& address, int port);

}  // namespace sfapid
