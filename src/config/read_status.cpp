// [status]: how often system status is refreshed and schedulers probed.
#include "config/section_readers.h"

namespace sfapid::config_reading {

void ReadStatus(TableReader& root, StatusConfig& out) {
  if (const toml::table* t = root.Table("status")) {
    TableReader s(*t, root.source(), "status");
    s.Read("probe_interval_seconds", out.probe_interval_seconds);
    s.Read("refresh_interval_seconds", out.refresh_interval_seconds);
    s.RejectUnknown();
    s.Require(out.probe_interval_seconds >= 0.05, "probe_interval_seconds",
              "must be at least 0.05");
    s.Require(out.refresh_interval_seconds >= 0.05, "refresh_interval_seconds",
              "must be at least 0.05");
  }
}

}  // namespace sfapid::config_reading
