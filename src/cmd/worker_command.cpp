#include "backends/runas/worker.h"
#include "cmd/command.h"

namespace sfapid::cmd {

// Internal: the server starts `sfapid worker --account NAME` to act as a user. Not for people.
void AddWorkerCommand(CLI::App& app, CommandContext& ctx) {
  auto* worker = app.add_subcommand("worker", "");  // an empty description hides it from --help
  auto account = std::make_shared<std::string>();
  worker->add_option("--account", *account)->required();
  worker->callback([&ctx, account] { ctx.run = [account] { return RunWorker(*account); }; });
}

}  // namespace sfapid::cmd
