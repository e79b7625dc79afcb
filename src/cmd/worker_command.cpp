#include "backends/runas/worker.h"
#include "backends/scheduler/local/job_supervisor.h"
#include "cmd/command.h"

namespace sfapid::cmd {

// Internal: the server starts `sfapid worker --account NAME [--cgroup PATH] [--serve]` to act as
// a user.
// Not for people.
void AddWorkerCommand(CLI::App& app, CommandContext& ctx) {
  auto* worker = app.add_subcommand("worker", "");  // an empty description hides it from --help
  auto account = std::make_shared<std::string>();
  auto cgroup = std::make_shared<std::string>();
  auto serve = std::make_shared<bool>(false);
  worker->add_option("--account", *account)->required();
  worker->add_option("--cgroup", *cgroup);
  worker->add_flag("--serve", *serve);
  worker->callback([&ctx, account, cgroup, serve] {
    ctx.run = [account, cgroup, serve] { return RunWorker(*account, *cgroup, *serve); };
  });

  // Internal: the local scheduler starts `sfapid job-supervisor DIR` for each job it runs.
  auto* supervisor = app.add_subcommand("job-supervisor", "");
  auto job_dir = std::make_shared<std::string>();
  supervisor->add_option("job_dir", *job_dir)->required();
  supervisor->callback(
      [&ctx, job_dir] { ctx.run = [job_dir] { return local::RunJobSupervisor(*job_dir); }; });
}

}  // namespace sfapid::cmd
