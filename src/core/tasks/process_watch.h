// Watches a user's process that a task started: reads its stdout and stderr as they come, stops it
// when the task is cancelled or a limit is passed (SIGTERM to its process group, SIGKILL after a
// grace period), and reaps it. All signals are sent before the reap, so a pid is never reused
// under our feet; cancellation is noticed within 100 ms.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "backends/runas/run_as.h"
#include "core/tasks/task_engine.h"

namespace sfapid {

struct WatchLimits {
  std::optional<std::chrono::steady_clock::duration> timeout;
  std::size_t max_output_bytes = 0;  // 0: no limit
  std::chrono::milliseconds term_grace{2000};
};

struct WatchOutcome {
  int exit_code = 0;  // 128 + signal when killed
  enum Reason { kExited, kCancelled, kTimedOut, kOutputCapped } reason = kExited;
};

// on_output(stream, bytes): stream 1 is stdout, 2 is stderr. on_tick() runs about every 100 ms.
WatchOutcome WatchProcess(const RunningCommand& process, TaskContext& task,
                          const WatchLimits& limits,
                          const std::function<void(int, std::string_view)>& on_output,
                          const std::function<void()>& on_tick);

}  // namespace sfapid
