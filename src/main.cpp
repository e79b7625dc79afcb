// sfapid: the facility API server and its operator commands.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cmd/command.h"

int main(int argc, char** argv) {
  // Logs on standard error: standard output is a command's answer (a key path, a client id, JSON)
  // that scripts read.
  spdlog::set_default_logger(spdlog::stderr_color_mt("sfapid"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  CLI::App app{"sfapid: a facility API server speaking the NERSC Superfacility API v1.2"};
  app.require_subcommand(1);
  app.fallthrough();
  sfapid::cmd::CommandContext ctx;
  app.add_option("-c,--config", ctx.config_path, "Configuration file (default: the embedded one)")
      ->envname("SFAPID_CONFIG");
  app.add_option("-p,--port", ctx.port, "Listen on this port instead of [server] port")
      ->check(CLI::Range(0, 65535));
  sfapid::cmd::AddServeCommand(app, ctx);
  sfapid::cmd::AddConfigCommands(app, ctx);
  sfapid::cmd::AddStatusCommands(app, ctx);
  sfapid::cmd::AddRoutesCommand(app, ctx);
  sfapid::cmd::AddClientCommands(app, ctx);
  sfapid::cmd::AddWorkerCommand(app, ctx);
  sfapid::cmd::AddUsageCommand(app, ctx);
  sfapid::cmd::AddReservationCommands(app, ctx);
  sfapid::cmd::AddAccountCommands(app, ctx);
  sfapid::cmd::AddWebCommands(app, ctx);
  sfapid::cmd::AddStoreCommands(app, ctx);
  CLI11_PARSE(app, argc, argv);
  return ctx.run ? ctx.run() : 0;
}
