// /task (spec §2.7): the caller's tasks — the IRI's own (filesystem operations, whose results are
// stored in the IRI's shape) and those made through the SFAPI (submissions, commands, ...), whose
// stored result is shown as the task's output.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "api/iri/iri_route.h"
#include "api/iri/iri_task.h"
#include "api/iri/problem.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

std::string TaskStatus(const TaskRecord& t, bool has_result) {
  if (t.status == "completed") return "completed";
  if (t.status == "failed") return "failed";
  if (t.status == "cancelled") return "canceled";
  // "new": queued, or running once its work has said what it does (its first partial result).
  return has_result ? "active" : "pending";
}

json::object TaskJson(const TaskRecord& t) {
  json::object o{{"id", t.id}};
  json::value stored;
  if (t.result) {
    boost::system::error_code ec;
    stored = json::parse(*t.result, ec);
  }
  o["status"] = TaskStatus(t, t.result.has_value());
  if (IsIriTask(t.kind) && stored.is_object()) {
    json::object& s = stored.as_object();
    if (auto* command = s.if_contains("command")) o["command"] = *command;
    if (auto* output = s.if_contains("output")) {
      o["result"] = json::object{{"output", *output}};
    } else if (auto* error = s.if_contains("error"); error && error->is_string()) {
      // Ended by the engine (sfapid stopped, the node died): TaskFailure's generic shape.
      o["result"] = json::object{{"output", "Error: " + std::string(error->as_string())}};
    }
  } else {
    o["command"] = json::object{
        {"router", "sfapi"}, {"command", t.kind}, {"args", json::object{{"system", t.system}}}};
    if (!stored.is_null()) o["result"] = json::object{{"output", std::move(stored)}};
  }
  return o;
}

}  // namespace

void AddTaskRoutes(IriContext& ctx) {
  const std::string tag = "task";
  AddRoute(ctx, Access::kRead,
           {.method = "GET",
            .path = "/task",
            .operation_id = "getTasks",
            .tag = tag,
            .summary = "The caller's tasks",
            .answer = ListOf("Task"),
            .execution = http::Execution::kBlocking,
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              auto tasks = ctx.tasks.List(req.principal->user);
              if (!tasks) return FromStatus(req, tasks.status());
              json::array out;
              for (const auto& t : *tasks) out.push_back(TaskJson(t));
              return http::Response::Json(std::move(out));
            }});
  AddRoute(ctx, Access::kRead,
           {.method = "GET",
            .path = "/task/{task_id}",
            .operation_id = "getTask",
            .tag = tag,
            .summary = "One of the caller's tasks",
            .path_params = {{"task_id", "The task's id"}},
            .answer = SchemaRef("Task"),
            .execution = http::Execution::kBlocking,
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              auto task = ctx.tasks.Get(req.PathParam("task_id"), req.principal->user);
              if (!task) return FromStatus(req, task.status());
              return http::Response::Json(TaskJson(*task));
            }});
  AddRoute(ctx, Access::kChange,
           {.method = "DELETE",
            .path = "/task/{task_id}",
            .operation_id = "deleteTask",
            .tag = tag,
            .summary = "Cancel a task (it stays readable, canceled, until it expires)",
            .path_params = {{"task_id", "The task's id"}},
            .answer = json::object{{"type", "string"}},
            .execution = http::Execution::kBlocking,
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              const std::string& id = req.PathParam("task_id");
              auto task = ctx.tasks.Get(id, req.principal->user);
              if (!task) return FromStatus(req, task.status());
              if (task->status != "new")
                return http::Response::Json(json::string("Task " + id + " had already ended (" +
                                                         TaskStatus(*task, true) + ")"));
              if (Status s = ctx.tasks.Cancel(id, req.principal->user); !s.ok())
                return FromStatus(req, s);
              return http::Response::Json(json::string("Task " + id + " canceled"));
            }});
}

}  // namespace sfapid::iri
