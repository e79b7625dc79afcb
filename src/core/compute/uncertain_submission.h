// A submission whose sbatch was stopped at the command timeout (slurmctld hung: it holds the
// connection and answers nothing). slurmctld may still make the job from what it was sent once it
// wakes, so a failure reported now would be answered by a second submission and two jobs. Instead
// the task waits for the scheduler to answer again and looks for the user's jobs from that script
// since the submission began, as a takeover after a crash does (submission_takeover.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "backends/scheduler/scheduler.h"
#include "core/tasks/task_engine.h"

namespace sfapid {

struct UncertainSubmission {
  const JobScript* script = nullptr;
  std::string reservation;  // the script's, for the takeover's watch
  int64_t since = 0;        // unix seconds: when the submission began
  Status timed_out;         // what sbatch said
  // How long "no job" must hold after slurmctld answers again before it is believed (a request
  // slurmctld read before the answer may still be in its hands), and when to stop waiting.
  std::chrono::seconds settle{10};
  std::chrono::seconds give_up{600};
};

// The job id once exactly one job of the user's from the script is found. Otherwise a status
// whose message says what is known: none (submit again), several (check them), or slurmctld did
// not answer before give_up, the task was cancelled or sfapid stops (the job may still appear).
Result<std::string> AwaitUncertainSubmission(TaskContext& task, Scheduler& scheduler,
                                             const UncertainSubmission& submission);

}  // namespace sfapid
