// `sfapid store migrate`: bring the configured store (SQLite, or PostgreSQL with [store] url) to
// this binary's schema and say where it stands. Opening a store migrates it too; the command lets
// an operator do it once, before starting (or upgrading) the nodes.
#include <cstdio>
#include <memory>
#include <utility>

#include "app/application.h"
#include "cmd/command.h"
#include "store/sql/migrations.h"
#include "store/sql/store_copy.h"
#include "store/store.h"

namespace sfapid::cmd {

namespace {

// `sfapid store copy`: an installation moves from its SQLite file to PostgreSQL (several nodes).
// Both ends default to the config's store: --from to its SQLite file, --to to its [store] url, so
// an operator who has written the url can copy with no argument (and no password on a command
// line others can read in ps).
void AddStoreCopyCommand(CLI::App& store, CommandContext& ctx) {
  auto ends = std::make_shared<std::pair<std::string, std::string>>();
  auto* copy = store.add_subcommand(
      "copy",
      "Copy every table of one store into an empty one, e.g. the SQLite file into PostgreSQL "
      "(stop the nodes that write to the source first)");
  copy->add_option("--from", ends->first,
                   "sqlite:PATH or postgresql://... (default: sqlite: and the config's file)");
  copy->add_option("--to", ends->second,
                   "postgresql://... or sqlite:PATH (default: the config's [store] url)");
  copy->callback([&ctx, ends] {
    ctx.run = [&ctx, ends] {
      auto config = ctx.LoadConfig();
      if (!config) return 2;
      const std::string from = ends->first.empty()
                                   ? "sqlite:" + config->DataPath(config->store.sqlite_path)
                                   : ends->first;
      const std::string to = ends->second.empty() ? config->store.url : ends->second;
      if (to.empty()) return Fail("store copy: name the target with --to (the config has no url)");
      if (from == to) return Fail("store copy: the source and the target are the same store");
      auto source = sql::OpenCopyEnd(from, sql::CopyEnd::kSource);
      if (!source) return Fail("store copy: source: " + source.status().message());
      auto target = sql::OpenCopyEnd(to, sql::CopyEnd::kTarget);
      if (!target) return Fail("store copy: target: " + target.status().message());
      int64_t total = 0;
      auto copied = sql::CopyStore(**source, **target, [&total](const sql::CopiedTable& t) {
        std::printf("%-28s %lld rows\n", t.table.c_str(), static_cast<long long>(t.rows));
        total += t.rows;
      });
      if (!copied) return Fail("store copy: " + copied.status().message());
      std::printf("copied %lld rows in %zu tables at schema version %d\n",
                  static_cast<long long>(total), copied->size(), sql::LatestSchemaVersion());
      return 0;
    };
  });
}

}  // namespace

void AddStoreCommands(CLI::App& app, CommandContext& ctx) {
  auto* store = app.add_subcommand(
      "store", "The store: schema migrations, copying to another database, local-scheduler owners");
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

  AddStoreCopyCommand(*store, ctx);

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
