// /tasks: the caller's asynchronous tasks (spec §2.6). Another user's task is a 404.
#include <boost/json.hpp>

#include "api/openapi/operation.h"
#include "api/sfapi/long_poll.h"
#include "api/sfapi/sfapi_api.h"
#include "http/errors.h"

namespace sfapid::sfapi {

namespace json = boost::json;
using openapi::Operation;
using openapi::Ref;

namespace {

json::object TaskJson(const TaskRecord& t) {
  return {{"id", t.id},
          {"status", t.status},
          {"result", t.result ? json::value(*t.result) : json::value(nullptr)}};
}

http::Response TaskNotFound(const std::string& id) {
  return http::NotFound("Task " + id + " not found");
}

}  // namespace

void AddTasksRoutes(ApiContext& ctx) {
  ctx.schemas["Task"] = json::object{
      {"type", "object"},
      {"required", json::array{"id", "status", "result"}},
      {"properties",
       {{"id", {{"type", "string"}}},
        {"status", openapi::EnumSchema({"new", "completed", "failed", "cancelled"})},
        {"result",
         {{"anyOf", json::array{json::object{{"type", "string"}}, json::object{{"type", "null"}}}},
          {"description", "A JSON document, as a string; present while the task runs"}}}}}};
  ctx.schemas["Tasks"] = json::object{{"type", "object"},
                                      {"required", json::array{"tasks"}},
                                      {"properties", {{"tasks", openapi::ArrayOf(Ref("Task"))}}}};
  TaskEngine& tasks = ctx.tasks;
  EventHub& events = ctx.events;
  const EventsConfig& events_config = ctx.events_config;
  const std::string p = std::string(kPrefix) + "/tasks";

  ctx.router.Add(
      {.method = "GET",
       .pattern = p,
       .handler =
           [&tasks](http::Request& req) {
             auto list = tasks.List(req.principal->user);
             if (!list) return http::FromStatus(list.status());
             json::array out;
             for (const auto& t : *list) out.push_back(TaskJson(t));
             return http::Response::Json(json::object{{"tasks", out}});
           },
       .execution = http::Execution::kBlocking,
       .operation =
           Operation("Read Tasks", "tasks", "read_tasks_tasks_get").Returns(Ref("Tasks")).Build()});

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/{id}",
       .handler =
           [&tasks, &events, &events_config](http::Request& req) {
             auto poll = ReadLongPoll(req, events_config.max_wait_seconds);
             if (auto* bad = std::get_if<http::Response>(&poll)) return std::move(*bad);
             const std::string id = req.PathParam("id");
             const std::string user = req.principal->user;
             auto read = [&tasks, id, user]() -> PollSnapshot {
               auto t = tasks.Get(id, user);
               if (!t)
                 return {t.status().code() == Code::kNotFound ? TaskNotFound(id)
                                                              : http::FromStatus(t.status()),
                         "", true};
               return {http::Response::Json(TaskJson(*t)), t->status, t->status != "new"};
             };
             const auto& params = std::get<std::optional<LongPollParams>>(poll);
             if (!params) return read().response;
             return LongPoll(events, user, "task", id, *params, read);
           },
       .execution = http::Execution::kBlocking,
       // A client polling its task while it waits: a task this node ran or runs is answered
       // from memory, without the hop to the pool; the rest (a long poll too) by the handler.
       .at_once = [&tasks](http::Request& req) -> std::optional<http::Response> {
         if (!req.principal || req.Query("wait") || req.Query("until")) return std::nullopt;
         auto t = tasks.GetAtOnce(req.PathParam("id"), req.principal->user);
         if (!t) return std::nullopt;
         return http::Response::Json(TaskJson(*t));
       },
       .operation = WithLongPoll(Operation("Read Task", "tasks", "read_task_tasks__id__get")
                                     .PathParam("id", "The task id"),
                                 "new, completed, failed or cancelled")
                        .Returns(Ref("Task"))
                        .Build()});

  ctx.router.Add(
      {.method = "DELETE",
       .pattern = p + "/{id}",
       .handler =
           [&tasks](http::Request& req) {
             const std::string& id = req.PathParam("id");
             Status s = tasks.Cancel(id, req.principal->user);
             if (!s.ok())
               return s.code() == Code::kNotFound ? TaskNotFound(id) : http::FromStatus(s);
             auto t = tasks.Get(id, req.principal->user);
             if (!t) return http::FromStatus(t.status());
             return http::Response::Json(TaskJson(*t));
           },
       .execution = http::Execution::kBlocking,
       .operation =
           Operation("Cancel Task", "tasks", "cancel_task_tasks__id__delete")
               .Description(
                   "Stops a running task (its whole process group); it then reports 'cancelled'.")
               .PathParam("id", "The task id")
               .Returns(Ref("Task"))
               .Build()});
}

}  // namespace sfapid::sfapi
