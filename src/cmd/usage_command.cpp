// `sfapid usage`: node-hours charged by finished jobs, per system and account, for operators
// until the accounts API reports them to users.
#include <algorithm>
#include <cstdio>

#include "app/application.h"
#include "cmd/command.h"

namespace sfapid::cmd {

namespace {

void PrintTable(const std::vector<UsageRow>& rows) {
  size_t system_w = 6, account_w = 7;  // the headings' widths
  for (const auto& r : rows) {
    system_w = std::max(system_w, r.system.size());
    account_w = std::max(account_w, r.account.size());
  }
  const int sw = static_cast<int>(system_w), aw = static_cast<int>(account_w);
  std::printf("%-*s  %-*s  %8s  %12s\n", sw, "SYSTEM", aw, "ACCOUNT", "JOBS", "NODE-HOURS");
  for (const auto& r : rows)
    std::printf("%-*s  %-*s  %8lld  %12.2f\n", sw, r.system.c_str(), aw, r.account.c_str(),
                static_cast<long long>(r.jobs), r.node_hours);
}

}  // namespace

void AddUsageCommand(CLI::App& app, CommandContext& ctx) {
  auto account = std::make_shared<std::string>();
  auto* usage = app.add_subcommand(
      "usage", "Node-hours charged by finished jobs (elapsed x nodes), per system and account");
  usage->add_option("--account", *account, "Only this account's");
  usage->callback([&ctx, account] {
    ctx.run = [&ctx, account] {
      auto config = ctx.LoadConfig();
      if (!config) return 2;
      auto store = OpenConfiguredStore(*config);
      if (!store) return Fail(store.status().message());
      auto rows = (*store)->compute().UsageByAccount(*account);
      if (!rows) return Fail(rows.status().message());
      if (rows->empty()) {
        std::printf(account->empty() ? "no finished jobs recorded\n"
                                     : "no finished jobs recorded for account %s\n",
                    account->c_str());
        return 0;
      }
      PrintTable(*rows);
      return 0;
    };
  });
}

}  // namespace sfapid::cmd
