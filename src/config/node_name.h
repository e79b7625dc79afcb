// The name this sfapid node goes by among several sharing one store.
#pragma once

#include <string>

#include "config/config.h"

namespace sfapid {

// [server] node_name, or "<host name>:<port>" when it is empty: two nodes on one host differ by
// port, and a node restarted on the same host and port is recognised as the same node.
std::string NodeName(const ServerConfig& server);

}  // namespace sfapid
