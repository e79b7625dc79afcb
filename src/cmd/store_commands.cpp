// `sfapid store migrate`: bring the configured store (SQLite, or PostgreSQL with [store] url) to
// this binary's schema and say where it stands. Opening a store migrates it too; the command lets
// an operator do it once, before starting (or upgrading) the nodes.
#include <cstdio>

#include "app/application.h"
#include "cmd/command.h"
#include "store/sql/migrations.h"

namespace sfapid::cmd {

void AddStoreCommands(CLI::App& app, CommandContext& ctx) {
  auto* store = app.add_subcommand("store", "The store: schema migrations");
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
}

}  // namespace sfapid::cmd
