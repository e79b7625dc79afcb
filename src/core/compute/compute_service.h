// Jobs on compute systems (spec §2.4), over whichever Scheduler each system has: submission and
// cancellation as tasks, queue and accounting queries answered at once. Scripts are read, and
// inline scripts written, as the user. Every job's end reaches the callback service, which
// charges usage and notifies.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "backends/runas/run_as.h"
#include "backends/scheduler/scheduler.h"
#include "config/config.h"
#include "core/accounts/account_service.h"
#include "core/callbacks/callback_service.h"
#include "core/compute/batch_job_spec.h"
#include "core/compute/submit_request.h"
#include "core/tasks/task_engine.h"
#include "store/auth_store.h"
#include "store/event_store.h"

namespace sfapid {

// Queue and accounting answers are in-band (QueueOutput): {"status","output","error"}.
struct JobsAnswer {
  bool ok = true;
  std::vector<SerializedRow> rows;
  std::string error;
  // Why not ok: the query's fault (kInvalidArgument, as an unknown job id), or the scheduler's
  // (kUnavailable: it does not answer), for an API that answers with a status code.
  Code error_code = Code::kOk;
};

class ComputeService {
 public:
  // systems: to tell a non-compute system from an unknown one, and each system's roots.
  // audit: where refused submissions are recorded (`sfapid audit`, outcome "job-refused").
  ComputeService(const std::vector<SystemConfig>& systems, RunAs& runas, TaskEngine& tasks,
                 std::map<std::string, Scheduler*> schedulers, CallbackService& callbacks,
                 AccountService& accounts, AuthStore& audit, EventStore& events)
      : systems_(systems),
        runas_(runas),
        tasks_(tasks),
        schedulers_(std::move(schedulers)),
        callbacks_(callbacks),
        accounts_(accounts),
        audit_(audit),
        events_(events) {}

  // Starts every scheduler, reporting ended jobs to the callback service (which records each end
  // and its event once) and job state changes to the event stream.
  void Start();
  void Stop();

  // The task id. InvalidField: a bad callback (checked first, by the callback service); NotFound:
  // unknown system; InvalidArgument: not a compute system; PermissionDenied: the user cannot be
  // acted as.
  Result<std::string> Submit(const SubmitRequest& request);
  Result<std::string> Cancel(const std::string& user, const std::string& system,
                             const std::string& jobid, const std::string& idempotency_token = "");
  // `single`: the job endpoint, where squeue's "Invalid job id" is an error, as with squeue -j.
  Result<JobsAnswer> Jobs(const std::string& user, const std::string& system, JobQuery query,
                          const std::string& single_jobid = "");
  // Jobs' answer when the scheduler can give it at once (Scheduler::QueryAtOnce), else nullopt.
  std::optional<Result<JobsAnswer>> JobsAtOnce(const std::string& user, const std::string& system,
                                               JobQuery query,
                                               const std::string& single_jobid = "");

  // --- IRI facility API v2 jobs (batch_job_spec.h) ---
  // The batch script the spec makes on that system (batch_script.h: its container runtime).
  // InvalidField: a field the system cannot run; NotFound/InvalidArgument: as SchedulerFor.
  Result<std::string> BatchScript(const std::string& system, const BatchJobSpec& spec) const;
  // Changes a pending job of the user's from a full JobSpec (job_changes.h: name, duration,
  // queue, account, node count), at once rather than as a task: it is one short scheduler call.
  // The account is checked as a submission's is. InvalidField: a value no job could take, or an
  // account the user may not charge (field "attributes.account"); NotFound: unknown system, or
  // no such job of the user's; FailedPrecondition: the job is not pending; PermissionDenied: the
  // user cannot be acted as, or the scheduler's limits forbid it; InvalidArgument: the
  // scheduler's refusal in its words.
  Status UpdateJob(const std::string& user, const std::string& system, const std::string& jobid,
                   const BatchJobSpec& spec);

 private:
  Result<Scheduler*> SchedulerFor(const std::string& system) const;
  Result<std::string> SubmitTask(const SubmitRequest& request);
  // A submission's work, checked as at its request (callback, system, user); run again from its
  // stored request after a restart stopped it before its checkpoint.
  Result<TaskWork> SubmitWork(const SubmitRequest& request);
  Result<TaskWork> CancelWork(const std::string& user, const std::string& system,
                              const std::string& jobid);
  TaskOutcome RunSubmit(TaskContext& task, const UnixIdentity& who, Scheduler& scheduler,
                        const SubmitRequest& r, const ValidCallbackRequest& callback);
  // One line in the audit log for a submission that made no job, and why.
  void AuditRefusal(const SubmitRequest& r, const std::string& why);
  // How a submit task a dead node left ends (submission_takeover.h).
  std::optional<TaskOutcome> EndOrphanedSubmit(const TaskRecord& task);
  // Reads the script (isPath) or writes it (inline) as the user: the JobScript, or sbatch's error.
  Result<JobScript> PrepareScript(const UnixIdentity& who, const SubmitRequest& r);

  const std::vector<SystemConfig>& systems_;
  RunAs& runas_;
  TaskEngine& tasks_;
  std::map<std::string, Scheduler*> schedulers_;
  CallbackService& callbacks_;
  AccountService& accounts_;
  AuthStore& audit_;
  EventStore& events_;
};

}  // namespace sfapid
