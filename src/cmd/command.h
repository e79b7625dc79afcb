// The sfapid command line: every subcommand is registered here, one file per command group, so
// later groups (client, user, project, ...) have one obvious place to go.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "config/config.h"
#include "store/store.h"

namespace sfapid::cmd {

// Shared by all commands: the --config option, and how to load what it names.
struct CommandContext {
  std::string config_path;  // empty: the embedded default
  std::optional<int> port;  // --port: replaces [server] port (`make run PORT=...`)
  // Loads and validates the config; on failure prints why and returns nullopt.
  std::optional<Config> LoadConfig() const;
  // Set by the chosen subcommand; its return value is the process's exit code.
  std::function<int()> run;
};

void AddServeCommand(CLI::App& app, CommandContext& ctx);
void AddConfigCommands(CLI::App& app, CommandContext& ctx);
void AddStatusCommands(CLI::App& app, CommandContext& ctx);
void AddRoutesCommand(CLI::App& app, CommandContext& ctx);
void AddClientCommands(CLI::App& app, CommandContext& ctx);
void AddWorkerCommand(CLI::App& app, CommandContext& ctx);
void AddUsageCommand(CLI::App& app, CommandContext& ctx);
// `sfapid reservation ...`.
void AddReservationCommands(CLI::App& app, CommandContext& ctx);
// `sfapid user ...` and `sfapid project ...`.
void AddAccountCommands(CLI::App& app, CommandContext& ctx);
// `sfapid web link`, `sfapid user enable|disable|totp-reset`, `sfapid access ...`; after
// AddAccountCommands (it adds to `sfapid user`).
void AddWebCommands(CLI::App& app, CommandContext& ctx);
// `sfapid store migrate|version`.
void AddStoreCommands(CLI::App& app, CommandContext& ctx);

// Prints "sfapid: error: <message>" to stderr and returns the exit code for a failed command.
int Fail(const std::string& message);

// Loads the config, opens (and migrates) the configured store and runs body with both; the exit
// code: 2 for a bad config, 1 with the message for any failure, else 0.
int WithStore(const CommandContext& ctx, const std::function<Status(const Config&, Store&)>& body);

}  // namespace sfapid::cmd
