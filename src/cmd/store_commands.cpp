// `sfapid store migrate`: bring the configured store (SQLite, or PostgreSQL with [store] url) to
// this binary's schema and say where it stands. Opening a store migrates it too; the command lets
// an operator do it once, before starting (or upgrading) the nodes.
#include <cstdio>
#include <memory>
#include <utility>

#include "app/application.h"
#include "cmd/command.h"
#include "store/sql/migrations.h"
#include "store/store.h"

namespace sfapid::cmd {

void AddStoreCommands(CLI::App& app, CommandContext& ctx) {
  auto* store = app.add_subcommand("store", "The store: schema migrations, local-scheduler owners");
  store->require_subcommand(1);
  store->add_subcommand("migrate", "Migrate the configured store to this sfapid's schema")
      ->callback([&ctx] {
        ctx.run = [&ctx] {
          auto config = ctx.LoadConfig();
          if (!config) return 2;
          auto opened = OpenConfiguredStore(*config);  // migrates, or says why not
          if (!opened) return Fail(opened.status().message());
          std::printf("%s store at schema version %d (this sfapid's: %d)\n",
                      config->store.url.empty() ? "SQLite" : "PostgreSQL",
                      (*opened)->SchemaVersion(), sql::LatestSchemaVersion());
          return 0;
        };
      });

  // Moves a local-scheduler system to another node (domain/scheduler_owners.h).
  auto owner = std::make_shared<std::pair<std::string, std::string>>();
  auto* own = store->add_subcommand(
      "owner",
      "Make NODE the sfapid node that runs SYSTEM's local scheduler (restart both nodes; jobs "
      "queued in the old owner's spool stay there)");
  own->add_option("system", owner->first, "A system on the local scheduler")->required();
  own->add_option("node", owner->second, "The node's [server] node_name")->required();
  own->callback([&ctx, owner] {
    ctx.run = [&ctx, owner] {
      return WithStore(ctx, [&](const Config& config, Store& store) {
        const SystemConfig* system = config.FindSystem(owner->first);
        if (!system || system->system_type != SystemType::kCompute ||
            system->scheduler.backend != "local")
          return Status::InvalidArgument("'" + owner->first +
                                         "' is not a system on the local scheduler");
        if (Status s = store.owners().SetOwner(owner->first, owner->second); !s.ok()) return s;
        std::printf("%s's local scheduler now runs on %s (from its next start)\n",
                    owner->first.c_str(), owner->second.c_str());
        return Status::Ok();
      });
    };
  });
}

}  // namespace sfapid::cmd
