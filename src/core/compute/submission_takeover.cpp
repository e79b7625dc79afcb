#include "core/compute/submission_takeover.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "backends/scheduler/sbatch_directives.h"
#include "core/compute/job_task_result.h"
#include "util/time_format.h"

namespace sfapid {

namespace json = boost::json;

namespace {

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::string JoinedJobIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out += ", ";
    out += id;
  }
  return out;
}

std::string SubmissionCheckpoint(const JobScript& script, const SubmitRequest& request,
                                 int64_t now) {
  json::object callback{{"url", request.callback.url}, {"email", request.callback.email}};
  if (request.callback.timeout_seconds) callback["timeout"] = *request.callback.timeout_seconds;
  return json::serialize(
      json::object{{"script", script.path},
                   {"since", now},
                   {"reservation", DirectiveValue(script.text, '\0', "reservation").value_or("")},
                   {"client_id", request.client_id},
                   {"callback", std::move(callback)}});
}

std::optional<TaskOutcome> TakeOverSubmission(const TaskRecord& task, Scheduler& scheduler,
                                              RunAs& runas, CallbackService& callbacks, int64_t now,
                                              int64_t settle_seconds) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(task.checkpoint, ec);
  const json::object* mark = parsed.if_object();
  const json::value* since_value = mark ? mark->if_contains("since") : nullptr;
  if (ec || !mark || !since_value || !since_value->is_int64() || Text(*mark, "script").empty())
    return std::nullopt;
  const int64_t since = since_value->as_int64();
  auto who = runas.Resolve(task.owner);
  if (!who) return std::nullopt;
  JobScript script;
  script.who = *who;
  script.path = Text(*mark, "script");
  auto found = scheduler.FindSubmitted(script, since, Text(*mark, "reservation"));
  if (!found) return std::nullopt;

  std::string node = task.node.empty() ? "this node" : task.node;
  std::string why = "the sfapid node that ran this task (" + node + ") stopped while it submitted";
  why += " the job";
  if (found->size() == 1) {
    const std::string& jobid = found->front();
    CallbackRequest callback;
    if (const json::object* c =
            mark->if_contains("callback") ? mark->at("callback").if_object() : nullptr) {
      callback.url = Text(*c, "url");
      callback.email = Text(*c, "email");
      if (const json::value* t = c->if_contains("timeout"); t && t->is_number())
        callback.timeout_seconds = t->to_number<double>();
    }
    if (auto valid = callbacks.Validate(callback); !valid)
      spdlog::error("job {} on {} (taken over): its callback is no longer valid: {}", jobid,
                    task.system, valid.status().message());
    else if (Status s = callbacks.Register(task.system, jobid, Text(*mark, "client_id"), task.owner,
                                           *valid);
             !s.ok())
      spdlog::error("job {} on {} (taken over): its callback could not be registered: {}", jobid,
                    task.system, s.message());
    spdlog::warn("task {}: {}; job {} was found in the scheduler and taken over", task.id, why,
                 jobid);
    return TaskOutcome{"completed", SubmitTaskResult(jobid)};
  }
  const std::string from =
      " from " + script.path + " since " + FormatIso8601(TimePoint{std::chrono::seconds{since}});
  if (found->empty()) {
    // sbatch may still be on its way on the dead node's host: only a while later is "none" true.
    if (now < since + settle_seconds) return std::nullopt;
    return TaskOutcome{
        "failed", TaskFailure(why + ", and it did not reach the scheduler (no job of" + " yours" +
                              from + "): submit it again.")};
  }
  return TaskOutcome{"failed",
                     TaskFailure(why + "; jobs " + JoinedJobIds(*found) + " of yours" + from +
                                 " are in the scheduler and one of them may be this" +
                                 " submission: check them before submitting again.")};
}

}  // namespace sfapid
