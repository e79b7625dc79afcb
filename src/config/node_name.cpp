#include "config/node_name.h"

#include <unistd.h>

#include <climits>

namespace sfapid {

std::string NodeName(const ServerConfig& server) {
  if (!server.node_name.empty()) return server.node_name;
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string name = host[0] ? host : "localhost";
  name += ':';
  name += std::to_string(server.port);
  return name;
}

}  // namespace sfapid
