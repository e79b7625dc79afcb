// Starting a job and learning how it ended. Each job runs under its own supervisor process
// (`sfapid job-supervisor DIR`, see job_supervisor.h) in a new session and without a parent-death
// signal, so jobs outlive a restart of sfapid. The supervisor leaves `result.json` in the job's
// folder in the spool; the scheduler reads it whenever it looks, including after a restart.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "backends/scheduler/local/launch_spec.h"
#include "domain/job_state.h"
#include "util/status.h"

namespace sfapid::local {

// Creates the job's folder (root only, 0700), writes job.json and starts the supervisor.
Result<pid_t> LaunchJob(const std::string& job_dir, const LaunchSpec& spec);

struct JobResult {
  JobState state = JobState::kFailed;  // COMPLETED, FAILED, CANCELLED or TIMEOUT
  int exit_code = 0;
  int exit_signal = 0;
  int64_t start_time = 0;
  int64_t end_time = 0;
};

// The result the supervisor left, if it has finished.
std::optional<JobResult> ReadJobResult(const std::string& job_dir);

// Whether the supervisor of this job folder is still running (a process that exists, is not a
// zombie and is the supervisor of this folder: after a reboot the pid may belong to another).
bool SupervisorAlive(pid_t pid, const std::string& job_dir);

// Reaps the supervisor if it is a child of this process that has exited (no zombies), and says
// what it found. A child still running counts as alive even before it has exec'd (its command
// line is not the supervisor's yet, so SupervisorAlive cannot tell).
enum class SupervisorWait { kRunning, kEnded, kNotChild };
SupervisorWait ReapSupervisor(pid_t pid);

// Asks the supervisor to stop the job (SIGTERM; it kills the job's processes).
void SignalSupervisor(pid_t pid, const std::string& job_dir);

void RemoveJobDir(const std::string& job_dir);

}  // namespace sfapid::local
