#include <spdlog/spdlog.h>

#include "app/application.h"
#include "cmd/command.h"

namespace sfapid::cmd {

void AddServeCommand(CLI::App& app, CommandContext& ctx) {
  auto* serve = app.add_subcommand("serve", "Start the API server");
  serve->callback([&ctx] {
    ctx.run = [&ctx] {
      auto config = ctx.LoadConfig();
      if (!config) return 2;
      auto application = Application::Create(std::move(*config));
      if (!application) return Fail(application.status().message());
      return (*application)->Serve();
    };
  });
}

void AddRoutesCommand(CLI::App& app, CommandContext& ctx) {
  auto* routes = app.add_subcommand("routes", "List the routes the server registers");
  routes->callback([&ctx] {
    ctx.run = [&ctx] {
      auto config = ctx.LoadConfig();
      if (!config) return 2;
      auto application = Application::Create(std::move(*config));
      if (!application) return Fail(application.status().message());
      for (const auto& r : (*application)->router().routes())
        std::printf("%s %s%s\n", r.method.c_str(), r.pattern.c_str(),
                    r.documented ? "" : " (undocumented)");
      return 0;
    };
  });
}

}  // namespace sfapid::cmd
