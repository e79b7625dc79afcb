// [events]: the event stream's retention, heartbeat and bounds, and long-poll's longest wait.
#include "config/section_readers.h"

namespace sfapid::config_reading {

void ReadEvents(TableReader& root, EventsConfig& out) {
  if (const toml::table* t = root.Table("events")) {
    TableReader s(*t, root.source(), "events");
    s.Read("retention_hours", out.retention_hours);
    s.Read("heartbeat_seconds", out.heartbeat_seconds);
    s.Read("queue_events", out.queue_events);
    s.Read("max_streams_per_user", out.max_streams_per_user);
    s.Read("max_wait_seconds", out.max_wait_seconds);
    s.Read("poll_interval_seconds", out.poll_interval_seconds);
    s.RejectUnknown();
    s.Require(out.retention_hours > 0, "retention_hours", "must be more than 0");
    s.Require(out.heartbeat_seconds >= 0.1, "heartbeat_seconds", "must be at least 0.1");
    s.Require(out.queue_events >= 10, "queue_events", "must be at least 10");
    s.Require(out.max_streams_per_user >= 1, "max_streams_per_user", "must be at least 1");
    s.Require(out.poll_interval_seconds >= 0.05 && out.poll_interval_seconds <= 60,
              "poll_interval_seconds", "must be between 0.05 and 60");
  }
}

}  // namespace sfapid::config_reading
