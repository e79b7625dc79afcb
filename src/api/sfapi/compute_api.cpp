// /compute/jobs: submit, list, read and cancel batch jobs on a compute system (spec §2.4, §3).
// Queue and accounting answers are in-band ({"status": "ERROR", "output": [], "error"}) as the
// clients expect; only a bad request or an unknown machine is an HTTP error.
#include <boost/json.hpp>

#include "api/openapi/operation.h"
#include "api/request_model.h"
#include "api/sfapi/long_poll.h"
#include "api/sfapi/params.h"
#include "api/sfapi/sfapi_api.h"
#include "api/sfapi/task_accepted.h"
#include "backends/scheduler/job_fields.h"
#include "domain/job_state.h"

namespace sfapid::sfapi {

namespace json = boost::json;
using openapi::Operation;
using openapi::Ref;

namespace {

// The submission form. callbackUrl, callbackEmail and callbackTimeout are read here and judged by
// the callback service (ComputeService::Submit asks it), whose InvalidField becomes the 422.
const api::RequestModel& SubmitJobForm() {
  static const api::RequestModel model(
      "Body_submit_job_compute_jobs__machine__post",
      {{.name = "job",
        .required = true,
        .description = "A path to the batch script, or the script"},
       {.name = "isPath",
        .type = api::FieldType::kBoolean,
        .required = true,
        .description = "Whether `job` is a path"},
       {.name = "args",
        .type = api::FieldType::kStringList,
        .description = "Arguments of the script (repeat the field for each)",
        .default_value = json::array{}},
       {.name = "callbackTimeout",
        .type = api::FieldType::kInteger,
        .description = "Seconds to keep retrying the callback"},
       {.name = "callbackEmail", .description = "Mailed when the job ends"},
       {.name = "callbackUrl",
        .description =
            "POSTed (signed: X-Sfapi-Signature) when the job ends; see docs/callbacks.md"}});
  return model;
}

void AddSchemas(json::object& schemas) {
  json::array states;
  for (std::string_view s : slurm::JobStates()) states.emplace_back(s);
  schemas["JobState"] =
      json::object{{"type", "string"},
                   {"enum", std::move(states)},
                   {"description",
                    "A job's state. sacct also shows \"CANCELLED by <uid>\" for cancelled jobs."}};
  auto rows = [](std::span<const std::string_view> fields, const char* what) {
    json::object props;
    for (std::string_view f : fields) props[f] = json::object{{"type", "string"}};
    return json::object{{"type", "object"},
                        {"description", what},
                        {"properties", std::move(props)},
                        {"additionalProperties", {{"type", "string"}}}};
  };
  schemas["JobStatusResponseSqueue"] =
      rows(slurm::SqueueFields(), "One job as squeue shows it; every value is a string");
  schemas["JobStatusResponseSacct"] =
      rows(slurm::SacctFields(), "One job as sacct shows it; every value is a string");
  schemas["QueueOutput"] = json::object{
      {"type", "object"},
      {"required", json::array{"status", "output"}},
      {"properties",
       {{"status", openapi::EnumSchema({"OK", "ERROR"})},
        {"output",
         openapi::ArrayOf(json::object{{"anyOf", json::array{Ref("JobStatusResponseSqueue"),
                                                             Ref("JobStatusResponseSacct")}}})},
        {"error", openapi::NullableString()}}}};
  SubmitJobForm().Document(schemas);
  schemas["SubmitJobResponse"] =
      json::object{{"type", "object"},
                   {"required", json::array{"task_id", "status", "error"}},
                   {"properties",
                    {{"task_id", {{"type", "string"}}},
                     {"status", openapi::EnumSchema({"OK", "ERROR"})},
                     {"error", openapi::NullableString()}}}};
}

// QueueOutput, assembled from rows the scheduler serialised (once per snapshot for Slurm).
http::Response JobsReply(const Result<JobsAnswer>& answer) {
  if (!answer) return http::FromStatus(answer.status());
  std::size_t size = 64;
  for (const auto& row : answer->rows) size += row->size() + 1;
  std::string body;
  body.reserve(size + answer->error.size());
  body += answer->ok ? R"({"status":"OK","output":[)" : R"({"status":"ERROR","output":[)";
  for (std::size_t i = 0; i < answer->rows.size(); ++i) {
    if (i > 0) body += ',';
    body += *answer->rows[i];
  }
  body += R"(],"error":)";
  body += answer->ok ? "null" : json::serialize(json::value(answer->error));
  body += '}';
  return http::Response::Text(200, std::move(body), "application/json");
}

// The state a long-poll waits on: every row's state (an array has one per task), and whether all
// have ended. An error answer has none (nothing to wait on).
struct JobsState {
  std::string states;
  bool ended = true;
};
JobsState StateOfJobs(const Result<JobsAnswer>& answer) {
  JobsState out;
  if (!answer || !answer->ok || answer->rows.empty()) return out;
  for (const auto& row : answer->rows) {
    boost::system::error_code ec;
    const json::value v = json::parse(*row, ec);
    const json::value* state = !ec && v.is_object() ? v.as_object().if_contains("state") : nullptr;
    const std::string text = state && state->is_string() ? std::string(state->as_string()) : "";
    const auto parsed = ParseSacctJobState(text);
    const std::string name = parsed ? std::string(JobStateName(*parsed)) : text;
    out.states += (out.states.empty() ? "" : ",") + name;
    out.ended = out.ended && parsed && IsTerminal(*parsed);
  }
  return out;
}

// kwargs=name=value, each item exactly one '=' with something on both sides (spec §3).
std::optional<http::Response> ReadFilters(const http::Request& req, JobQuery& q) {
  for (const auto& kv : http::AllParams(req.query, "kwargs")) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size() ||
        kv.find('=', eq + 1) != std::string::npos)
      return http::ValidationError({{"query", "kwargs"},
                                    "Each kwargs item must be name=value, e.g. kwargs=user=alice",
                                    "value_error"});
    q.filters.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
  }
  return std::nullopt;
}

std::optional<http::Response> ReadViewFlags(const http::Request& req, JobQuery& q) {
  std::optional<http::Response> bad;
  q.sacct = QueryBool(req, "sacct", false, bad);
  if (bad) return bad;
  q.fresh = !QueryBool(req, "cached", true, bad);
  return bad;
}

// The list endpoint's query: view flags, kwargs filters, index and limit.
std::optional<http::Response> ReadJobsQuery(const http::Request& req, JobQuery& q) {
  if (auto bad = ReadViewFlags(req, q)) return bad;
  if (auto bad = ReadFilters(req, q)) return bad;
  std::optional<http::Response> bad;
  auto index = QueryInt(req, "index", 0, bad);
  if (bad) return bad;
  auto limit = QueryInt(req, "limit", 0, bad);
  if (bad) return bad;
  q.index = static_cast<std::size_t>(index.value_or(0));
  if (limit) q.limit = static_cast<std::size_t>(*limit);
  return std::nullopt;
}

Operation JobsOp(const char* summary, const char* id) {
  return Operation(summary, "compute", id)
      .PathParam("machine", "The compute system, e.g. perlmutter");
}

}  // namespace

void AddComputeRoutes(ApiContext& ctx) {
  AddSchemas(ctx.schemas);
  const std::string p = std::string(kPrefix) + "/compute/jobs/{machine}";
  ComputeService& compute = ctx.compute;
  EventHub& events = ctx.events;
  const EventsConfig& events_config = ctx.events_config;
  const TaskAnswerWait answer_wait = AnswerWaitOf(ctx);

  ctx.router.Add(
      {.method = "GET",
       .pattern = p,
       .handler =
           [&compute](http::Request& req) {
             JobQuery q;
             if (auto bad = ReadJobsQuery(req, q)) return *bad;
             return JobsReply(compute.Jobs(req.principal->user, req.PathParam("machine"), q));
           },
       .execution = http::Execution::kBlocking,
       // Bad input is the handler's to answer; a query the scheduler has in memory is answered
       // here, without the hop to the pool.
       .at_once = [&compute](http::Request& req) -> std::optional<http::Response> {
         JobQuery q;
         if (!req.principal || ReadJobsQuery(req, q)) return std::nullopt;
         auto answer = compute.JobsAtOnce(req.principal->user, req.PathParam("machine"), q);
         if (!answer) return std::nullopt;
         return JobsReply(*answer);
       },
       .operation =
           JobsOp("Read Jobs", "read_jobs_compute_jobs__machine__get")
               .Description("The queue (squeue) or, with sacct=true, accounting (sacct) rows of "
                            "the system's jobs, filtered by kwargs")
               .QueryParam("index", {{"type", "integer"}, {"default", 0}, {"minimum", 0}},
                           "Index of the first job info to retrieve")
               .QueryParam("limit", {{"type", "integer"}, {"minimum", 0}},
                           "How many job infos to retrieve")
               .QueryParam("sacct", {{"type", "boolean"}, {"default", false}},
                           "If true, use sacct, otherwise squeue")
               .QueryParam("cached", {{"type", "boolean"}, {"default", true}},
                           "If false, nothing older than the request is returned")
               .QueryParam("kwargs", openapi::ArrayOf(json::object{{"type", "string"}}),
                           "Filters, name=value: jobid (comma list), user, partition, state, "
                           "name, account, or any output field")
               .Returns(Ref("QueueOutput"))
               .Build()});

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/{jobid}",
       .handler =
           [&compute, &events, &events_config](http::Request& req) {
             JobQuery q;
             if (auto bad = ReadViewFlags(req, q)) return *bad;
             auto poll = ReadLongPoll(req, events_config.max_wait_seconds);
             if (auto* bad = std::get_if<http::Response>(&poll)) return std::move(*bad);
             const std::string user = req.principal->user;
             const std::string machine = req.PathParam("machine");
             const std::string jobid = req.PathParam("jobid");
             auto read = [&compute, user, machine, jobid, q]() -> PollSnapshot {
               auto answer = compute.Jobs(user, machine, q, jobid);
               const JobsState state = StateOfJobs(answer);
               return {JobsReply(answer), state.states, state.ended};
             };
             const auto& params = std::get<std::optional<LongPollParams>>(poll);
             if (!params) return read().response;
             // A job's events name it machine/jobid; an array task's are its array's.
             return LongPoll(events, user, "job", machine + "/" + jobid.substr(0, jobid.find('_')),
                             *params, read);
           },
       .execution = http::Execution::kBlocking,
       // A plain read (no long poll) of a job the scheduler has in memory: answered here.
       .at_once = [&compute, &events_config](http::Request& req) -> std::optional<http::Response> {
         JobQuery q;
         if (!req.principal || ReadViewFlags(req, q)) return std::nullopt;
         auto poll = ReadLongPoll(req, events_config.max_wait_seconds);
         const auto* params = std::get_if<std::optional<LongPollParams>>(&poll);
         if (!params || *params) return std::nullopt;
         auto answer = compute.JobsAtOnce(req.principal->user, req.PathParam("machine"), q,
                                          req.PathParam("jobid"));
         if (!answer) return std::nullopt;
         return JobsReply(*answer);
       },
       .operation =
           WithLongPoll(JobsOp("Read Job", "read_job_compute_jobs__machine___jobid__get")
                            .PathParam("jobid", "The job id, e.g. 123 or 123_4 (an array task)")
                            .QueryParam("sacct", {{"type", "boolean"}, {"default", false}},
                                        "If true, use sacct, otherwise squeue")
                            .QueryParam("cached", {{"type", "boolean"}, {"default", true}},
                                        "If false, nothing older than the request is returned"),
                        "a Slurm state name such as RUNNING or COMPLETED")
               .Returns(Ref("QueueOutput"))
               .Build()});

  ctx.router.Add(
      {.method = "POST",
       .pattern = p,
       .handler =
           [&compute, answer_wait](http::Request& req) {
             const api::RequestModel& model = SubmitJobForm();
             auto form = model.Parse(req);
             if (!form) return form.refusal();
             SubmitRequest r;
             r.user = req.principal->user;
             r.client_id = req.principal->client_id;
             r.system = req.PathParam("machine");
             r.client_ip = req.remote_ip;
             r.idempotency_token = req.idempotency_token;
             r.job = form->String("job");
             r.is_path = form->Bool("isPath").value_or(false);
             r.args = form->Strings("args");
             r.callback.url = form->String("callbackUrl");
             r.callback.email = form->String("callbackEmail");
             if (auto t = form->Int("callbackTimeout"))
               r.callback.timeout_seconds = static_cast<double>(*t);
             auto task = compute.Submit(r);
             if (!task) return model.Refusal(task.status());
             return TaskAccepted(answer_wait, r.user, task);
           },
       .execution = http::Execution::kBlocking,
       .operation = JobsOp("Submit Job", "submit_job_compute_jobs__machine__post")
                        .Description(std::string("Submits a batch script as the user (sbatch); "
                                                 "the task's result is "
                                                 "{\"status\",\"jobid\",\"error\"}. ") +
                                     kAnsweredOnceEnded)
                        .FormBody(SubmitJobForm().name())
                        .Returns(Ref("SubmitJobResponse"))
                        .Build()});

  // An sfapid extension: the calling client's callback signing secret, so users need not ask the
  // operator for it. Yellow, like job submission, which is what it serves.
  CallbackService& callbacks = ctx.callbacks;
  ctx.router.Add(
      {.method = "GET",
       .pattern = std::string(kPrefix) + "/compute/callbacks/secret",
       .handler =
           [&callbacks](http::Request& req) {
             auto secret = callbacks.SecretFor(req.principal->client_id);
             if (!secret) return http::FromStatus(secret.status());
             return http::Response::Json(json::object{
                 {"client_id", req.principal->client_id},
                 {"secret", *secret},
                 {"header", "X-Sfapi-Signature"},
                 {"algorithm",
                  "sha256=<lowercase hex HMAC-SHA256 of the body, keyed with secret>"}});
           },
       .execution = http::Execution::kBlocking,
       .operation = Operation("Read Callback Secret", "compute",
                              "read_callback_secret_compute_callbacks_secret_get")
                        .Description("sfapid extension: the secret this client's job callbacks "
                                     "are signed with (docs/callbacks.md)")
                        .Returns(json::object{{"type", "object"}})
                        .Build()});

  ctx.router.Add(
      {.method = "DELETE",
       .pattern = p + "/{jobid}",
       .handler =
           [&compute, answer_wait](http::Request& req) {
             const std::string& user = req.principal->user;
             return TaskAccepted(
                 answer_wait, user,
                 compute.Cancel(user, req.PathParam("machine"), req.PathParam("jobid")));
           },
       .execution = http::Execution::kBlocking,
       .operation = JobsOp("Cancel Job", "cancel_job_compute_jobs__machine___jobid__delete")
                        .PathParam("jobid", "The job id, e.g. 123 or 123_4 (an array task)")
                        .Description(std::string("Cancels the job as the user (scancel); the "
                                                 "task's result is "
                                                 "{\"status\",\"jobid\",\"error\"}. ") +
                                     kAnsweredOnceEnded)
                        .Returns(Ref("SubmitJobResponse"))
                        .Build()});
}

}  // namespace sfapid::sfapi
