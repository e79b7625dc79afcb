#include "api/sfapi/task_accepted.h"

#include <boost/json.hpp>

#include "api/sfapi/long_poll.h"
#include "http/errors.h"

namespace sfapid::sfapi {

namespace json = boost::json;

namespace {

// The task's status from this node's memory when it has it, else from the store; "" when it
// cannot be read (then nothing is waited for).
std::string StatusOf(TaskEngine& tasks, const std::string& id, const std::string& user) {
  if (auto t = tasks.GetAtOnce(id, user)) return t->status;
  auto t = tasks.Get(id, user);
  return t ? t->status : "";
}

}  // namespace

TaskAnswerWait AnswerWaitOf(const ApiContext& ctx) {
  return {ctx.tasks, ctx.events, std::chrono::milliseconds(ctx.tasks_config.wait_for_end_ms)};
}

http::Response TaskAccepted(const TaskAnswerWait& w, const std::string& user,
                            const Result<std::string>& task) {
  if (!task) return http::FromStatus(task.status());
  http::Response accepted =
      http::Response::Json(json::object{{"task_id", *task}, {"status", "OK"}, {"error", nullptr}});
  if (w.wait.count() <= 0) return accepted;
  LongPollParams params;
  params.wait_seconds = std::chrono::duration<double>(w.wait).count();
  params.until = "completed";  // or any other end: a task's states after "new" are all ends
  auto read = [&tasks = w.tasks, id = *task, user, accepted]() -> PollSnapshot {
    const std::string status = StatusOf(tasks, id, user);
    return {accepted, status, !status.empty() && status != "new"};
  };
  http::Response answer = LongPoll(w.events, user, "task", *task, params, std::move(read));
  if (answer.deferred) {
    // The answer is known now, only its moment is not: set beside the wait, so that what keeps
    // replies (Idempotency-Key) keeps this one.
    answer.status = accepted.status;
    answer.content_type = accepted.content_type;
    answer.body = accepted.body;
  }
  return answer;
}

}  // namespace sfapid::sfapi
