#include "cmd/command.h"

#include <cstdio>

namespace sfapid::cmd {

int Fail(const std::string& message) {
  std::fprintf(stderr, "sfapid: error: %s\n", message.c_str());
  return 1;
}

std::optional<Config> CommandContext::LoadConfig() const {
  auto config = config_path.empty() ? LoadDefaultConfig() : LoadConfigFile(config_path);
  if (!config) {
    Fail(config.status().message());
    return std::nullopt;
  }
  if (port) config->server.port = static_cast<uint16_t>(*port);
  return std::move(config).value();
}

}  // namespace sfapid::cmd
