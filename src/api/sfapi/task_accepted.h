// The answer of a request that starts a task (a job's submission or cancellation, a command):
// {"task_id", "status":"OK", "error":null}, given once the task has ended or after [tasks]
// wait_for_end_ms, whichever comes first. A client reads the task right after this answer —
// sfapi_client does, then sleeps a second between reads — so a task that ends within the wait is
// done at its first read instead of a second later, and a client polling faster asks fewer times.
// The wait holds no thread: it is a long-poll on the task's events.
#pragma once

#include <chrono>
#include <string>

#include "api/sfapi/sfapi_api.h"
#include "core/events/event_hub.h"
#include "core/tasks/task_engine.h"
#include "http/message.h"
#include "util/status.h"

namespace sfapid::sfapi {

struct TaskAnswerWait {
  TaskEngine& tasks;
  EventHub& events;
  std::chrono::milliseconds wait;  // 0: answer at once
};
TaskAnswerWait AnswerWaitOf(const ApiContext& ctx);

// What the operations that answer so say in the OpenAPI document.
inline constexpr const char* kAnsweredOnceEnded =
    "sfapid answers once the task has ended, or after [tasks] wait_for_end_ms (200 ms by "
    "default) while it runs on (header X-Sfapid-Waited: timeout), so that the first read of the "
    "task usually finds it done.";

// `task` is the new task's id, or why none was made (answered at once in the API's error shape).
http::Response TaskAccepted(const TaskAnswerWait& w, const std::string& user,
                            const Result<std::string>& task);

}  // namespace sfapid::sfapi
