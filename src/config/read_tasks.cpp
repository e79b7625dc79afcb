// [tasks]: task workers, each user's share of them, how long ended tasks are kept, and how long
// a request that starts one waits for its end.
#include "config/section_readers.h"

namespace sfapid::config_reading {

void ReadTasks(TableReader& root, TasksConfig& out) {
  if (const toml::table* t = root.Table("tasks")) {
    TableReader s(*t, root.source(), "tasks");
    s.Read("workers", out.workers);
    s.Read("max_running_per_user", out.max_running_per_user);
    s.Read("job_workers", out.job_workers);
    s.Read("retention_days", out.retention_days);
    s.Read("lease_seconds", out.lease_seconds);
    s.Read("wait_for_end_ms", out.wait_for_end_ms);
    s.RejectUnknown();
    s.Require(out.lease_seconds >= 3 && out.lease_seconds <= 3600, "lease_seconds",
              "must be between 3 and 3600");
    s.Require(out.wait_for_end_ms >= 0 && out.wait_for_end_ms <= 10000, "wait_for_end_ms",
              "must be between 0 and 10000");
    s.Require(out.workers >= 1, "workers", "must be at least 1");
    s.Require(out.job_workers >= 1, "job_workers", "must be at least 1");
    s.Require(out.max_running_per_user >= 1, "max_running_per_user", "must be at least 1");
    s.Require(out.workers == 1 || out.max_running_per_user < out.workers, "max_running_per_user",
              "must be below workers, so that one user cannot hold every worker");
  }
}

}  // namespace sfapid::config_reading
