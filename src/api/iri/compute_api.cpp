// /compute (spec §2.4): jobs on the compute systems through the same ComputeService as the
// SFAPI's /compute/jobs — the same tasks, audit, account checks and charging — so a job submitted
// through either API is one job to both. launchJob is synchronous as the spec has it: it waits
// for its submission task, so the answer carries the scheduler's job id. Only the caller's own
// jobs exist for them here (the SFAPI lists the whole queue, as squeue does).
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "api/iri/base_url.h"
#include "api/iri/iri_route.h"
#include "api/iri/job_spec_json.h"
#include "api/iri/job_view.h"
#include "api/iri/problem.h"
#include "api/iri/status_model.h"
#include "backends/scheduler/job_fields.h"
#include "util/interval_gate.h"
#include "util/secret_tokens.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

// How long launchJob waits for sbatch before answering 504 (the task goes on; its outcome is
// then read at /task/{id}).
constexpr auto kSubmitWait = std::chrono::seconds(60);

std::optional<http::Response> UnknownComputeResource(IriContext& ctx, const http::Request& req) {
  const std::string& id = req.PathParam("resource_id");
  const SystemConfig* s = FindSystem(ctx.systems, id);
  if (!s || s->system_type != SystemType::kCompute)
    return Problem(req, 404, "no compute resource '" + id + "'");
  return std::nullopt;
}

// The body's JobSpec; a 400 for a body that is not JSON or not a valid JobSpec.
std::variant<BatchJobSpec, http::Response> BodySpec(const http::Request& req) {
  boost::system::error_code ec;
  const json::value body = json::parse(req.body, ec);
  if (ec) return InvalidParams(req, {{"body", "is not valid JSON: " + ec.message()}});
  auto parsed = ParseJobSpec(body);
  if (auto* bad = std::get_if<std::vector<InvalidParam>>(&parsed)) return InvalidParams(req, *bad);
  return std::get<BatchJobSpec>(std::move(parsed));
}

// The account a job is charged to, from exactly one of attributes.account and the
// X-IRI-Facility-Project header — the header only when a trusted proxy set it (spec §3, §9.1).
std::optional<http::Response> ApplyProjectHeader(const http::Request& req, BatchJobSpec& spec) {
  const std::string* project = req.Header("x-iri-facility-project");
  if (!project || !req.via_trusted_proxy) return std::nullopt;
  if (spec.attributes.account)
    return InvalidParams(req, {{"body.attributes.account",
                                "the X-IRI-Facility-Project header names the project already: "
                                "give one of the two"}});
  if (!project->empty()) spec.attributes.account = *project;
  return std::nullopt;
}

// Validation and lookup in the spec's order, before the Idempotency-Key is looked at (§6).
std::variant<BatchJobSpec, http::Response> CheckedSpec(IriContext& ctx, http::Request& req) {
  auto spec = BodySpec(req);
  if (auto* refused = std::get_if<http::Response>(&spec)) return std::move(*refused);
  if (auto refused = UnknownComputeResource(ctx, req)) return std::move(*refused);
  if (auto refused = ApplyProjectHeader(req, std::get<BatchJobSpec>(spec)))
    return std::move(*refused);
  return spec;
}

// The key's refusals as problems: 409 with Retry-After (in flight), 422 (another body).
api::IdempotencyErrors IriIdempotencyErrors() {
  auto problem = [](int status) {
    return [status](const http::Request& req, const std::string& why) {
      http::Response r = Problem(req, status, why);
      if (status == 409) r.headers.emplace_back("Retry-After", "2");
      return r;
    };
  };
  return {.in_flight = problem(409),
          .mismatch = problem(422),
          .bad_key =
              [](const http::Request& req, const std::string& why) {
                return InvalidParams(req, {{"Idempotency-Key", why}});
              },
          .store = problem(503),
          // launchJob finds its task again and updateJob sets the same values: neither refuses.
          .interrupted = problem(409)};
}

// A scheduler's refusal of a submission: it could not be run as written (422), or the scheduler
// could not be reached (503).
http::Response SubmissionRefused(const http::Request& req, const std::string& why) {
  if (why.find("Unable to contact") != std::string::npos ||
      why.find("not responding") != std::string::npos)
    return Problem(req, 503, why);
  return Problem(req, 422, why);
}

struct Caller {
  std::string user;
  std::string uid;  // the Unix uid jobs of theirs carry, "" when they have none
};

Caller CallerOf(IriContext& ctx, const http::Request& req) {
  Caller c{req.principal->user, ""};
  if (auto info = ctx.accounts.User(c.user, true); info && info->uid >= 0)
    c.uid = std::to_string(info->uid);
  return c;
}

bool Mine(const Caller& c, const JobRow& row) {
  return !c.uid.empty() && RowField(row, "uid") == c.uid;
}

// The spec the caller submitted the job with through this API, if they did.
std::optional<json::object> SubmittedSpec(IriContext& ctx, const std::string& system,
                                          const std::string& jobid, const std::string& user) {
  auto stored = ctx.job_specs.JobSpecOf(system, jobid, user);
  if (!stored || !*stored) return std::nullopt;
  boost::system::error_code ec;
  json::value spec = json::parse(**stored, ec);
  if (ec || !spec.is_object()) return std::nullopt;
  return std::move(spec.as_object());
}

// Keeps the spec a job was submitted with, and forgets old ones now and then.
void RememberSpec(IriContext& ctx, const std::string& system, const std::string& jobid,
                  const std::string& user, const BatchJobSpec& spec) {
  static IntervalGate purge_gate(std::chrono::hours(1));
  const int64_t now = NowUnixMs();
  if (Status s = ctx.job_specs.SaveJobSpec(system, jobid, user, CanonicalJobSpec(spec), now);
      !s.ok())
    spdlog::warn("job {} on {}: its IRI JobSpec was not kept (include_spec shows less): {}", jobid,
                 system, s.message());
  if (purge_gate.Due())
    if (auto purged = ctx.job_specs.PurgeJobSpecs(now - int64_t{kJobSpecKeepDays} * 86400000);
        !purged)
      spdlog::warn("IRI job specs: purging old ones: {}", purged.status().message());
}

// The caller's job, as the queue has it, else (historical) as accounting has it; nullopt when the
// caller has no such job.
Result<std::optional<json::object>> FindJob(IriContext& ctx, const Caller& caller,
                                            const std::string& system, const std::string& jobid,
                                            bool historical, bool include_spec) {
  for (bool sacct : {false, true}) {
    if (sacct && !historical) break;
    auto answer = ctx.compute.Jobs(caller.user, system, JobQuery{.sacct = sacct}, jobid);
    if (!answer) return answer.status();
    if (!answer->ok) continue;  // squeue's "Invalid job id": it has left the queue
    for (const auto& text : answer->rows) {
      const json::value row = json::parse(*text);
      if (!row.is_object() || RowField(row.as_object(), "jobid") != jobid ||
          !Mine(caller, row.as_object()))
        continue;
      // A job that has ended may linger in the queue; its exit code is in accounting.
      if (!sacct && historical && slurm::IsTerminalState(RowField(row.as_object(), "state"))) break;
      std::optional<json::object> submitted;
      if (include_spec) submitted = SubmittedSpec(ctx, system, jobid, caller.user);
      return std::optional<json::object>(
          JobFromRow(row.as_object(), sacct, include_spec, submitted ? &*submitted : nullptr));
    }
  }
  return std::optional<json::object>();
}

http::Response JobAnswer(IriContext& ctx, http::Request& req, const std::string& jobid,
                         bool historical, bool include_spec) {
  auto job = FindJob(ctx, CallerOf(ctx, req), req.PathParam("resource_id"), jobid, historical,
                     include_spec);
  if (!job) return FromStatus(req, job.status());
  if (!*job)
    return Problem(req, 404, "no job " + jobid + " of yours on " + req.PathParam("resource_id"));
  return http::Response::Json(std::move(**job));
}

http::Response Launch(IriContext& ctx, http::Request& req) {
  auto checked = CheckedSpec(ctx, req);
  if (auto* refused = std::get_if<http::Response>(&checked)) return std::move(*refused);
  const BatchJobSpec& spec = std::get<BatchJobSpec>(checked);
  const std::string& system = req.PathParam("resource_id");
  auto script = ctx.compute.BatchScript(system, spec);
  if (!script) {
    if (!script.status().field().empty())
      return Problem(req, 422, script.status().field() + ": " + script.status().message());
    return FromStatus(req, script.status());
  }
  SubmitRequest submit{.user = req.principal->user,
                       .client_id = req.principal->client_id,
                       .system = system,
                       .client_ip = req.remote_ip,
                       .job = std::move(*script),
                       .idempotency_token = req.idempotency_token};
  auto task_id = ctx.compute.Submit(submit);
  if (!task_id) return FromStatus(req, task_id.status());
  auto task = ctx.tasks.WaitForEnd(*task_id, req.principal->user, kSubmitWait);
  if (!task) return FromStatus(req, task.status());
  if (task->status == "new")
    return Problem(req, 504,
                   "the scheduler has not answered yet; the submission goes on as task " +
                       *task_id + " (" + BaseUrl(req, ctx.server) + "/task/" + *task_id + ")");
  boost::system::error_code ec;
  const json::value result = json::parse(task->result.value_or("{}"), ec);
  const json::object* r = result.if_object();
  if (task->status != "completed" || !r || !r->contains("jobid") || !(*r).at("jobid").is_string()) {
    std::string why = "the submission failed";
    if (r && r->contains("error") && r->at("error").is_string()) why = r->at("error").as_string();
    return SubmissionRefused(req, why);
  }
  const std::string jobid(r->at("jobid").as_string());
  RememberSpec(ctx, system, jobid, req.principal->user, spec);
  // Accepted by the scheduler: queued (or held) from here on; getJob follows it.
  return http::Response::Json(json::object{
      {"id", jobid},
      {"status", json::object{{"state", "queued"}, {"time", Now().time_since_epoch().count()}}}});
}

http::Response Update(IriContext& ctx, http::Request& req) {
  auto checked = CheckedSpec(ctx, req);
  if (auto* refused = std::get_if<http::Response>(&checked)) return std::move(*refused);
  const std::string& system = req.PathParam("resource_id");
  const std::string& jobid = req.PathParam("job_id");
  // Only the caller's job can be changed; another's is as unknown as a missing one.
  auto job = FindJob(ctx, CallerOf(ctx, req), system, jobid, false, false);
  if (!job) return FromStatus(req, job.status());
  if (!*job) return Problem(req, 404, "no job " + jobid + " of yours in the queue of " + system);
  Status s =
      ctx.compute.UpdateJob(req.principal->user, system, jobid, std::get<BatchJobSpec>(checked));
  if (!s.ok()) {
    if (s.code() == Code::kInvalidArgument)
      return Problem(req, 422, (s.field().empty() ? "" : s.field() + ": ") + s.message());
    return FromStatus(req, s);
  }
  return JobAnswer(ctx, req, jobid, true, true);
}

http::Response List(IriContext& ctx, http::Request& req, const QueryValues& q) {
  if (auto refused = UnknownComputeResource(ctx, req)) return std::move(*refused);
  JobQuery query{.sacct = q.Bool("historical", false)};
  if (!req.body.empty()) {
    boost::system::error_code ec;
    const json::value body = json::parse(req.body, ec);
    if (ec) return InvalidParams(req, {{"body", "is not valid JSON: " + ec.message()}});
    if (!body.is_null() && !body.is_object())
      return InvalidParams(req, {{"body", "must be an object of filters or null"}});
    if (body.is_object())
      for (const auto& [key, value] : body.as_object()) {
        if (value.is_string())
          query.filters.push_back({std::string(key), std::string(value.as_string())});
        else if (value.is_number() || value.is_bool())
          query.filters.push_back({std::string(key), json::serialize(value)});
        else
          return InvalidParams(req, {{"body." + std::string(key), "must be a string or number"}});
      }
  }
  const Caller caller = CallerOf(ctx, req);
  auto answer = ctx.compute.Jobs(caller.user, req.PathParam("resource_id"), query);
  if (!answer) return FromStatus(req, answer.status());
  if (!answer->ok) {
    // A scheduler that does not answer is not the caller's fault.
    if (answer->error_code == Code::kUnavailable || answer->error_code == Code::kDeadlineExceeded)
      return Problem(req, 503, answer->error);
    return Problem(req, 400, answer->error);
  }
  std::vector<json::object> jobs;
  const bool include_spec = q.Bool("include_spec", false);
  for (const auto& text : answer->rows) {
    const json::value row = json::parse(*text);
    if (!row.is_object() || !Mine(caller, row.as_object())) continue;
    std::optional<json::object> submitted;
    if (include_spec)
      submitted = SubmittedSpec(ctx, req.PathParam("resource_id"),
                                RowField(row.as_object(), "jobid"), caller.user);
    jobs.push_back(
        JobFromRow(row.as_object(), query.sacct, include_spec, submitted ? &*submitted : nullptr));
  }
  json::array out;
  for (auto& j : Page(std::move(jobs), q)) out.push_back(std::move(j));
  return http::Response::Json(std::move(out));
}

// Cancels at once, as the spec has it: the scancel runs as a task and the job's end shows in its
// status. A job that is not the caller's is 404.
http::Response Cancel(IriContext& ctx, http::Request& req) {
  if (auto refused = UnknownComputeResource(ctx, req)) return std::move(*refused);
  const std::string& system = req.PathParam("resource_id");
  const std::string& jobid = req.PathParam("job_id");
  auto job = FindJob(ctx, CallerOf(ctx, req), system, jobid, true, false);
  if (!job) return FromStatus(req, job.status());
  if (!*job) return Problem(req, 404, "no job " + jobid + " of yours on " + system);
  auto task = ctx.compute.Cancel(req.principal->user, system, jobid);
  if (!task) return FromStatus(req, task.status());
  return http::Response::Text(204, "", "application/json");
}

// The Idempotency-Key's identity for a JobSpec operation: the spec's scope and fingerprint (§6).
api::IdempotencyIdentity SpecIdentity(IriContext& ctx, bool update) {
  return {.operation =
              [update](const http::Request& req) {
                return update ? "update_job:" + req.PathParam("job_id") : std::string("submit_job");
              },
          .fingerprint = [&ctx](http::Request& req) -> std::variant<std::string, http::Response> {
            auto checked = CheckedSpec(ctx, req);
            if (auto* refused = std::get_if<http::Response>(&checked)) return std::move(*refused);
            return Sha256Hex(CanonicalJobSpec(std::get<BatchJobSpec>(checked)));
          }};
}

}  // namespace

void AddComputeRoutes(IriContext& ctx) {
  const std::string tag = "compute";
  const std::vector<std::pair<std::string, std::string>> resource = {
      {"resource_id", "The compute resource (a system's name)"}};
  const std::vector<std::pair<std::string, std::string>> resource_and_job = {
      {"resource_id", "The compute resource (a system's name)"},
      {"job_id", "The scheduler's job id"}};
  auto flag = [](const char* name, bool fallback, const char* description) {
    QueryParam p{.name = name, .type = ParamType::kBool, .description = description};
    p.default_value = fallback;
    return p;
  };
  AddRoute(ctx, Access::kPublic,
           {.method = "GET",
            .path = "/compute/resources",
            .operation_id = "getComputeResources",
            .tag = tag,
            .summary = "The resources that run jobs",
            .answer = ListOf("Resource"),
            .maturity = "planned",
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              json::array out;
              for (const auto& r : ResourcesWith(ctx, req, "compute")) out.push_back(r);
              return http::Response::Json(std::move(out));
            }});
  AddRoute(ctx, Access::kChange,
           {.method = "POST",
            .path = "/compute/job/{resource_id}",
            .operation_id = "launchJob",
            .tag = tag,
            .summary = "Submit a job; the answer carries the scheduler's job id",
            .path_params = resource,
            .body = SchemaRef("JobSpec"),
            .answer = SchemaRef("Job"),
            .idempotency_key = true,
            .execution = http::Execution::kBlocking,
            .handler = [&ctx](http::Request& req, const QueryValues&) { return Launch(ctx, req); },
            .wrap =
                [&ctx](http::Route& route) {
                  ctx.idempotent.Wrap(route, IriIdempotencyErrors(), SpecIdentity(ctx, false));
                }});
  AddRoute(ctx, Access::kChange,
           {.method = "PUT",
            .path = "/compute/job/{resource_id}/{job_id}",
            .operation_id = "updateJob",
            .tag = tag,
            .summary = "Change a pending job: name, duration, queue, account, node count",
            .path_params = resource_and_job,
            .body = SchemaRef("JobSpec"),
            .answer = SchemaRef("Job"),
            .idempotency_key = true,
            .execution = http::Execution::kBlocking,
            .handler = [&ctx](http::Request& req, const QueryValues&) { return Update(ctx, req); },
            .wrap =
                [&ctx](http::Route& route) {
                  ctx.idempotent.Wrap(route, IriIdempotencyErrors(), SpecIdentity(ctx, true));
                }});
  AddRoute(ctx, Access::kRead,
           {.method = "GET",
            .path = "/compute/status/{resource_id}/{job_id}",
            .operation_id = "getJob",
            .tag = tag,
            .summary = "One of the caller's jobs",
            .path_params = resource_and_job,
            .query = {flag("historical", true, "Also finished jobs (from accounting)"),
                      flag("include_spec", false, "Add the job's spec as the scheduler holds it")},
            .answer = SchemaRef("Job"),
            .execution = http::Execution::kBlocking,
            .handler = [&ctx](http::Request& req, const QueryValues& q) {
              if (auto refused = UnknownComputeResource(ctx, req)) return std::move(*refused);
              return JobAnswer(ctx, req, req.PathParam("job_id"), q.Bool("historical", true),
                               q.Bool("include_spec", false));
            }});
  std::vector<QueryParam> list_query = PagingParams();
  list_query.push_back(flag("historical", false, "Also finished jobs (from accounting)"));
  list_query.push_back(flag("include_spec", false, "Add each job's spec"));
  AddRoute(
      ctx, Access::kRead,
      {.method = "POST",
       .path = "/compute/status/{resource_id}",
       .operation_id = "getJobs",
       .tag = tag,
       .summary = "The caller's jobs, filtered by the scheduler's fields ({\"name\": ...})",
       .path_params = resource,
       .query = std::move(list_query),
       .body = json::object{{"anyOf", json::array{json::object{{"type", "object"}},
                                                  json::object{{"type", "null"}}}}},
       .body_required = false,
       .answer = ListOf("Job"),
       .execution = http::Execution::kBlocking,
       .handler = [&ctx](http::Request& req, const QueryValues& q) { return List(ctx, req, q); }});
  AddRoute(
      ctx, Access::kChange,
      {.method = "DELETE",
       .path = "/compute/cancel/{resource_id}/{job_id}",
       .operation_id = "cancelJob",
       .tag = tag,
       .summary = "Cancel a job; its end shows in getJob",
       .path_params = resource_and_job,
       .success = 204,
       .execution = http::Execution::kBlocking,
       .handler = [&ctx](http::Request& req, const QueryValues&) { return Cancel(ctx, req); }});
}

}  // namespace sfapid::iri
