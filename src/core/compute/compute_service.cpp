#include "core/compute/compute_service.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <random>
#include <regex>

#include "backends/scheduler/sbatch_directives.h"
#include "core/compute/batch_script.h"
#include "core/compute/job_changes.h"
#include "core/compute/job_task_result.h"
#include "core/compute/submission_takeover.h"
#include "core/compute/uncertain_submission.h"
#include "store/job_events.h"
#include "util/one_line.h"

namespace sfapid {

namespace json = boost::json;

namespace {

// sbatch refuses scripts over 4 MB (Slurm's default max_script_size).
constexpr std::size_t kMaxScriptBytes = 4 * 1024 * 1024;

// What a job id may be on its way to a scheduler command: "123" or "123_4", never an option.
bool IsJobId(const std::string& jobid) {
  static const std::regex kJobId("[0-9]{1,19}(_[0-9]{1,19})?");
  return std::regex_match(jobid, kJobId);
}

json::array Roots(const SystemConfig& system) {
  json::array roots;
  for (const auto& r : system.roots) roots.emplace_back(r);
  return roots;
}

std::string Dirname(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

// "~/.sfapid/jobs/sfapi-20261127-210304-1a2b3c.sh": unique, sortable, and recognisable.
std::string InlineScriptPath(const std::string& home) {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char tag[16];
  std::snprintf(tag, sizeof tag, "%06llx", static_cast<unsigned long long>(rng() & 0xffffff));
  return home + "/.sfapid/jobs/sfapi-" + stamp + "-" + tag + ".sh";
}

// How long after a submission began "no job from it" can be believed: sbatch may run (and the
// scheduler still read what it sent) until the system's command timeout, and a margin.
int64_t SubmissionSettleSeconds(const SystemConfig& system) {
  return static_cast<int64_t>(system.scheduler.command_timeout_seconds) + 5;
}

}  // namespace

std::optional<TaskOutcome> ComputeService::EndOrphanedSubmit(const TaskRecord& task) {
  auto scheduler = SchedulerFor(task.system);
  const SystemConfig* system = FindSystem(systems_, task.system);
  if (!scheduler || !system) return std::nullopt;
  return TakeOverSubmission(task, **scheduler, runas_, callbacks_, Now().time_since_epoch().count(),
                            SubmissionSettleSeconds(*system));
}

void ComputeService::Start() {
  tasks_.OnOrphan("submit_job", [this](const TaskRecord& task) { return EndOrphanedSubmit(task); });
  tasks_.OnResume("submit_job", [this](const TaskRecord& task) -> Result<TaskWork> {
    auto request = SubmitRequestFrom(task.owner, task.system, task.request);
    if (!request) return request.status();
    return SubmitWork(*request);
  });
  tasks_.OnResume("cancel_job", [this](const TaskRecord& task) -> Result<TaskWork> {
    auto jobid = CancelJobIdFrom(task.request);
    if (!jobid) return jobid.status();
    return CancelWork(task.owner, task.system, *jobid);
  });
  for (auto& [name, scheduler] : schedulers_) {
    scheduler->SetJobEndedHandler([this](const FinishedJob& job) {
      if (Status s = callbacks_.JobEnded(job); !s.ok())
        spdlog::error("job {} on {} ended but could not be recorded: {}", job.jobid, job.system,
                      s.message());
    });
    scheduler->SetJobStateHandler([this](const JobStateChange& change) {
      auto appended =
          events_.AppendEvent(JobEvent(change.system, change.jobid, change.user, change.state, ""));
      if (!appended)
        spdlog::warn("job {} on {} is {}, but its event was not recorded: {}", change.jobid,
                     change.system, change.state, appended.status().message());
    });
    scheduler->Start();
  }
}

void ComputeService::Stop() {
  for (auto& [name, scheduler] : schedulers_) scheduler->Stop();
}

Result<Scheduler*> ComputeService::SchedulerFor(const std::string& system) const {
  auto it = schedulers_.find(system);
  if (it != schedulers_.end()) return it->second;
  std::string known;
  for (const auto& [name, s] : schedulers_) known += (known.empty() ? "" : ", ") + name;
  if (const SystemConfig* s = FindSystem(systems_, system))
    return Status::InvalidArgument("'" + system + "' is a " + ToString(s->system_type) +
                                   " resource, not a compute system. Compute systems: " + known);
  return Status::NotFound("Unknown machine '" + system + "'. Compute systems: " + known);
}

Result<std::string> ComputeService::Submit(const SubmitRequest& r) {
  Result<std::string> task = SubmitTask(r);
  if (!task) AuditRefusal(r, task.status().message());
  return task;
}

Result<std::string> ComputeService::SubmitTask(const SubmitRequest& r) {
  auto work = SubmitWork(r);
  if (!work) return work.status();
  return tasks_.Submit(r.user, "submit_job", r.system, std::move(*work),
                       {StoredSubmitRequest(r), r.idempotency_token});
}

Result<TaskWork> ComputeService::SubmitWork(const SubmitRequest& r) {
  // The callback first: a bad one is the submitter's mistake whatever the machine.
  auto callback = callbacks_.Validate(r.callback);
  if (!callback) return callback.status();
  auto scheduler = SchedulerFor(r.system);
  if (!scheduler) return scheduler.status();
  auto who = runas_.Resolve(r.user);
  if (!who) return who.status();
  return TaskWork(
      [this, who = *who, scheduler = *scheduler, r, callback = *callback](TaskContext& task) {
        TaskOutcome outcome = RunSubmit(task, who, *scheduler, r, callback);
        if (const json::object* result = outcome.result.if_object())
          if (const json::value* error = result->if_contains("error"); error && error->is_string())
            AuditRefusal(r, std::string(error->as_string()));
        return outcome;
      });
}

void ComputeService::AuditRefusal(const SubmitRequest& r, const std::string& why) {
  std::string reason = r.system;
  reason += ": ";
  reason += why;
  reason = OneLine(std::move(reason));  // it quotes the user's input (a path, an option)
  spdlog::info("job submission refused: user={} client={} {}", r.user, r.client_id, reason);
  if (Status s =
          audit_.AppendAudit({Now(), r.client_id, r.user, r.client_ip, "job-refused", reason});
      !s.ok())
    spdlog::error("audit write failed: {}", s.message());
}

Result<JobScript> ComputeService::PrepareScript(const UnixIdentity& who, const SubmitRequest& r) {
  const SystemConfig& system = *FindSystem(systems_, r.system);
  JobScript script;
  script.who = who;
  script.args = r.args;
  if (r.is_path) {
    script.path = r.job.starts_with('/') ? r.job : who.home + "/" + r.job;  // "" too
    auto reply = runas_.Call(who,
                             json::object{{"op", "read"},
                                          {"path", script.path},
                                          {"roots", Roots(system)},
                                          {"max_bytes", static_cast<int64_t>(kMaxScriptBytes)}},
                             "", kMaxScriptBytes);
    if (!reply) return Status::InvalidArgument("sbatch: error: " + reply.status().message());
    if (!reply->ok())
      return Status::InvalidArgument("sbatch: error: Unable to open file " + script.path);
    script.text = std::move(reply->body);
    script.submit_dir = Dirname(script.path);
    return script;
  }
  // An inline script becomes a file of the user's, as if they had written it and run sbatch on it
  // from their home.
  script.text = r.job;
  script.path = InlineScriptPath(who.home);
  script.submit_dir = who.home;
  auto reply = runas_.Call(who,
                           json::object{{"op", "write_script"},
                                        {"path", script.path},
                                        {"roots", Roots(system)},
                                        {"size", static_cast<int64_t>(script.text.size())}},
                           script.text, 4096);
  if (!reply) return Status::InvalidArgument("sbatch: error: " + reply.status().message());
  if (!reply->ok())
    return Status::InvalidArgument("sbatch: error: cannot write the script to " + script.path +
                                   ": " + reply->error());
  return script;
}

TaskOutcome ComputeService::RunSubmit(TaskContext& task, const UnixIdentity& who,
                                      Scheduler& scheduler, const SubmitRequest& r,
                                      const ValidCallbackRequest& callback) {
  // Arguments are stored with every job (every task of an array): bounded like a command line.
  std::size_t arg_bytes = 0;
  for (const auto& a : r.args) arg_bytes += a.size() + 1;
  if (r.args.size() > 4096 || arg_bytes > 128 * 1024)
    return {"completed", SubmitTaskResult(Status::InvalidArgument(
                             "sbatch: error: the script's arguments are too long (at most 4096 "
                             "arguments and 128 KiB)"))};
  auto script = PrepareScript(who, r);
  if (!script) return {"completed", SubmitTaskResult(script.status())};
  // The account charged must be one of the user's projects with hours left (when projects are
  // configured at all). Read without judging the script's other options: one this server's
  // parser does not know must not skip the check (Slurm accepts many it would not).
  auto enforced = accounts_.EnforcesAccounts();
  if (!enforced) return {"completed", SubmitTaskResult(enforced.status())};
  if (*enforced) {
    std::optional<std::string> account = DirectiveAccount(script->text);
    if (!account) {
      auto fallback = scheduler.DefaultAccount(who);
      if (!fallback)
        return {"completed",
                SubmitTaskResult(Status::Unavailable(
                    "sbatch: error: Batch job submission failed: " + fallback.status().message()))};
      account = *fallback;
    }
    if (Status s = accounts_.CheckCanCharge(r.user, *account); !s.ok())
      return {"completed", SubmitTaskResult(s)};
    // What was checked is what is charged.
    script->charge_account = *account;
  }
  if (r.is_path == false && r.job.size() > kMaxScriptBytes)
    return {"completed",
            SubmitTaskResult(Status::InvalidArgument("sbatch: error: Batch script is too large"))};
  // Past this point the submission cannot be taken back: should this node die before the end is
  // recorded, whoever ends the task finds out from the scheduler what became of it.
  const int64_t since = Now().time_since_epoch().count();
  if (Status s = task.Checkpoint(SubmissionCheckpoint(*script, r, since)); !s.ok())
    return {"completed", SubmitTaskResult(Status::Unavailable(
                             "sbatch: error: Batch job submission failed: " + s.message()))};
  auto jobid = scheduler.Submit(*script);
  if (!jobid && jobid.status().code() == Code::kDeadlineExceeded) {
    jobid = AwaitUncertainSubmission(
        task, scheduler,
        {.script = &*script,
         .reservation = DirectiveValue(script->text, '\0', "reservation").value_or(""),
         .since = since,
         .timed_out = jobid.status(),
         .settle = std::chrono::seconds(SubmissionSettleSeconds(*FindSystem(systems_, r.system)))});
  }
  if (!jobid) {
    const std::string& why = jobid.status().message();
    if (jobid.status().code() != Code::kInvalidArgument && why.rfind("sbatch: error:", 0) != 0)
      return {"completed", SubmitTaskResult(Status::Unavailable(
                               "sbatch: error: Batch job submission failed: " + why))};
    return {"completed", SubmitTaskResult(jobid)};
  }
  if (Status s = callbacks_.Register(r.system, *jobid, r.client_id, r.user, callback); !s.ok())
    spdlog::error("job {} on {}: its callback could not be registered: {}", *jobid, r.system,
                  s.message());
  spdlog::info("job {} submitted on {} by {}", *jobid, r.system, r.user);
  return {"completed", SubmitTaskResult(jobid)};
}

Result<std::string> ComputeService::Cancel(const std::string& user, const std::string& system,
                                           const std::string& jobid,
                                           const std::string& idempotency_token) {
  auto work = CancelWork(user, system, jobid);
  if (!work) return work.status();
  return tasks_.Submit(user, "cancel_job", system, std::move(*work),
                       {StoredCancelRequest(jobid), idempotency_token});
}

Result<TaskWork> ComputeService::CancelWork(const std::string& user, const std::string& system,
                                            const std::string& jobid) {
  auto scheduler = SchedulerFor(system);
  if (!scheduler) return scheduler.status();
  auto who = runas_.Resolve(user);
  if (!who) return who.status();
  return TaskWork([who = *who, scheduler = *scheduler, jobid](TaskContext& task) {
    // Only a job id reaches scancel: "--user=x" would be an option, not a job.
    if (!IsJobId(jobid))
      return TaskOutcome{"completed",
                         CancelTaskResult(jobid, Status::InvalidArgument(
                                                     "scancel: error: Invalid job id " + jobid))};
    // A second scancel after a restart would report a job it ended as already ended.
    if (Status noted = task.Checkpoint("cancelling"); !noted.ok())
      return TaskOutcome{
          "completed",
          CancelTaskResult(jobid, Status::Unavailable("scancel: error: " + noted.message()))};
    return TaskOutcome{"completed", CancelTaskResult(jobid, scheduler->Cancel(who, jobid))};
  });
}

namespace {

// The scheduler's rows as the API answers them: squeue's "Invalid job id" for one job it does not
// list (the job endpoint, as squeue -j), the scheduler's refusal as an error answer.
Result<JobsAnswer> AnswerOf(Result<std::vector<SerializedRow>> rows, const JobQuery& query,
                            const std::string& single_jobid) {
  if (!rows) return JobsAnswer{false, {}, rows.status().message(), rows.status().code()};
  if (!single_jobid.empty() && !query.sacct && rows->empty())
    return JobsAnswer{
        false, {}, "slurm_load_jobs error: Invalid job id specified", Code::kInvalidArgument};
  return JobsAnswer{true, std::move(*rows), ""};
}

void Complete(JobQuery& query, const std::string& user, const std::string& single_jobid) {
  query.requester = user;
  if (!single_jobid.empty()) query.filters.push_back({"jobid", single_jobid});
}

}  // namespace

Result<JobsAnswer> ComputeService::Jobs(const std::string& user, const std::string& system,
                                        JobQuery query, const std::string& single_jobid) {
  auto scheduler = SchedulerFor(system);
  if (!scheduler) return scheduler.status();
  Complete(query, user, single_jobid);
  return AnswerOf((*scheduler)->Query(query), query, single_jobid);
}

std::optional<Result<JobsAnswer>> ComputeService::JobsAtOnce(const std::string& user,
                                                             const std::string& system,
                                                             JobQuery query,
                                                             const std::string& single_jobid) {
  auto scheduler = SchedulerFor(system);
  if (!scheduler) return Result<JobsAnswer>(scheduler.status());
  Complete(query, user, single_jobid);
  auto rows = (*scheduler)->QueryAtOnce(query);
  if (!rows) return std::nullopt;
  return AnswerOf(std::move(*rows), query, single_jobid);
}

Result<std::string> ComputeService::BatchScript(const std::string& system,
                                                const BatchJobSpec& spec) const {
  if (auto scheduler = SchedulerFor(system); !scheduler) return scheduler.status();
  return RenderBatchScript(spec, FindSystem(systems_, system)->scheduler.container_runtime);
}

Status ComputeService::UpdateJob(const std::string& user, const std::string& system,
                                 const std::string& jobid, const BatchJobSpec& spec) {
  auto scheduler = SchedulerFor(system);
  if (!scheduler) return scheduler.status();
  // Only a job id reaches the scheduler's command line.
  if (!IsJobId(jobid)) return Status::NotFound("Invalid job id specified for job " + jobid);
  auto changes = JobChangesFrom(spec);
  if (!changes) return changes.status();
  if (changes->account)
    if (Status s = accounts_.CheckCanCharge(user, *changes->account); !s.ok()) {
      if (s.code() != Code::kInvalidArgument) return s;
      // Its words are sbatch's; the reason alone fits a change.
      std::string why = s.message();
      constexpr std::string_view kSbatch = "sbatch: error: Batch job submission failed: ";
      if (why.starts_with(kSbatch)) why.erase(0, kSbatch.size());
      return Status::InvalidField("attributes.account", why);
    }
  auto who = runas_.Resolve(user);
  if (!who) return who.status();
  Status s = (*scheduler)->UpdateJob(*who, jobid, *changes);
  if (s.ok()) spdlog::info("job {} on {} changed by {}", jobid, system, user);
  return s;
}

}  // namespace sfapid
