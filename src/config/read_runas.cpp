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
  }
}

}  // namespace sfapid::config_reading
