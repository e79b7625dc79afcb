// [runas]: which Unix accounts API users act as, and which accounts may never be.
#include "config/section_readers.h"

namespace sfapid::config_reading {

void ReadRunAs(TableReader& root, RunAsConfig& out) {
  if (const toml::table* t = root.Table("runas")) {
    TableReader s(*t, root.source(), "runas");
    s.Read("min_uid", out.min_uid);
    s.Read("max_uid", out.max_uid);
    s.Read("login_shell_required", out.login_shell_required);
    s.ReadStrings("deny_accounts", out.deny_accounts);
    s.Read("worker_timeout_seconds", out.worker_timeout_seconds);
    s.Read("workers", out.workers);
    s.Read("worker_idle_seconds", out.worker_idle_seconds);
    s.Read("worker_max_age_seconds", out.worker_max_age_seconds);
    s.Read("max_workers", out.max_workers);
    s.Read("workers_per_user", out.workers_per_user);
    if (const toml::table* accounts = s.Table("accounts")) {
      for (const auto& [k, v] : *accounts) {
        if (!v.is_string())
          s.Fail(v, "accounts." + std::string(k.str()), "must be a string (a Unix account name)");
        out.accounts.emplace_back(std::string(k.str()), v.as_string()->get());
      }
    }
    s.RejectUnknown();
    s.Require(out.worker_timeout_seconds > 0, "worker_timeout_seconds",
              "must be more than 0 seconds");
    s.Require(out.workers == "per_user" || out.workers == "per_operation", "workers",
              "must be \"per_user\" or \"per_operation\"");
    s.Require(out.worker_idle_seconds > 0, "worker_idle_seconds", "must be more than 0 seconds");
    s.Require(out.worker_max_age_seconds > 0, "worker_max_age_seconds",
              "must be more than 0 seconds");
    s.Require(out.max_workers >= 1, "max_workers", "must be at least 1");
    s.Require(out.workers_per_user >= 1, "workers_per_user", "must be at least 1");
  }
}

}  // namespace sfapid::config_reading
