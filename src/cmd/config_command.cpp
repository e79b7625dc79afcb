#include <cstdio>

#include "api/sfapi/sfapi_api.h"
#include "cmd/command.h"
#include "config/data_dir_check.h"
#include "util/port_probe.h"

namespace sfapid::cmd {

void AddConfigCommands(CLI::App& app, CommandContext& ctx) {
  auto* config = app.add_subcommand("config", "Print or check configuration");
  config->require_subcommand(1);
  config->add_subcommand("default", "Print the embedded default configuration")->callback([&ctx] {
    ctx.run = [] {
      std::fputs(DefaultConfigText().c_str(), stdout);
      return 0;
    };
  });
  // For scripts (`make run`): the URLs clients use, and whether the server could listen now.
  auto* urls = config->add_subcommand(
      "urls", "Print the API base URL and the token URL of the configuration (--config, --port)");
  auto check_port = std::make_shared<bool>(false);
  urls->add_flag("--check-port", *check_port, "Fail when the server could not listen there now");
  urls->callback([&ctx, check_port] {
    ctx.run = [&ctx, check_port] {
      auto c = ctx.LoadConfig();
      if (!c) return 2;
      if (*check_port)
        if (Status s = ProbeListen(c->server.listen, c->server.port); !s.ok())
          return Fail(s.message());
      std::printf("%s%s\n%s\n", c->PublicBaseUrl().c_str(), sfapi::kPrefix, c->TokenUrl().c_str());
      return 0;
    };
  });

  auto* check = config->add_subcommand("check", "Validate a configuration file");
  auto file = std::make_shared<std::string>();
  check->add_option("file", *file, "The file to check")->required();
  check->callback([&ctx, file] {
    ctx.run = [file] {
      auto c = LoadConfigFile(*file);
      if (!c) return Fail(c.status().message());
      // A valid file whose data_dir the server could not use is not OK: say so now, not at start.
      if (Status s = CheckDataDir(*c); !s.ok()) return Fail(*file + ": " + s.message());
      std::printf("%s: OK (%zu systems, data in %s)\n", file->c_str(), c->systems.size(),
                  c->data_dir.c_str());
      return 0;
    };
  });
}

}  // namespace sfapid::cmd
