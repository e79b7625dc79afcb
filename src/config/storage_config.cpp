#include "config/storage_config.h"

namespace sfapid {

const std::vector<std::string>& LogicalNames() {
  static const std::vector<std::string> names = {"home",    "scratch", "project",  "campaign",
                                                 "archive", "shared",  "temporary"};
  return names;
}

const std::vector<std::string>& PerformanceTiers() {
  static const std::vector<std::string> tiers = {"high", "medium", "low", "tape"};
  return tiers;
}

const std::vector<std::string>& AccessProtocols() {
  static const std::vector<std::string> protocols = {"globus", "xrootd", "s3"};
  return protocols;
}

const std::vector<std::string>& AccessCapabilities() {
  static const std::vector<std::string> capabilities = {"list", "read", "write", "transfer",
                                                        "streaming"};
  return capabilities;
}

}  // namespace sfapid
