#include "cmd/command.h"

#include <cstdio>

#include "app/application.h"

namespace sfapid::cmd {

int Fail(const std::string& message) {
  std::fprintf(stderr, "sfapid: error: %s\n", message.c_str());
  return 1;
}

int WithStore(const CommandContext& ctx, const std::function<Status(const Config&, Store&)>& body) {
  auto config = ctx.LoadConfig();
  if (!config) return 2;
  auto store = OpenConfiguredStore(*config);
  if (!store) return Fail(store.status().message());
  Status s = body(*config, **store);
  return s.ok() ? 0 : Fail(s.message());
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
