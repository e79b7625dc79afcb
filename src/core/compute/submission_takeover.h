// A job submission whose sfapid node died while it ran (several nodes, or one that crashed and
// restarted): sbatch may or may not have reached the scheduler. Before it runs sbatch, the
// submission notes in its task (a checkpoint) which script it submits and when; whoever ends the
// orphaned task looks in the scheduler for the user's jobs from that script since then, and ends
// the task with what it found: the job (taken over: watched, its callback registered, as if
// submitted here), or that none reached the scheduler, or the candidates when it cannot tell
// which. Nothing is submitted again: that is the caller's decision, on true information.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/runas/run_as.h"
#include "backends/scheduler/scheduler.h"
#include "core/callbacks/callback_service.h"
#include "core/compute/compute_service.h"
#include "core/tasks/task_engine.h"

namespace sfapid {

// "1, 2, 3": job ids as the messages about a submission's candidates list them.
std::string JoinedJobIds(const std::vector<std::string>& ids);

// The checkpoint a submission writes before sbatch (JSON text).
std::string SubmissionCheckpoint(const JobScript& script, const SubmitRequest& request,
                                 int64_t now);

// How the orphaned submit task `task` ends, or nullopt when it cannot be told (the generic
// "check its effects" failure then): the scheduler cannot look, does not answer, or so little
// time passed that sbatch may still be running on the dead node's host (settle_seconds: the
// scheduler's command timeout and a margin).
std::optional<TaskOutcome> TakeOverSubmission(const TaskRecord& task, Scheduler& scheduler,
                                              RunAs& runas, CallbackService& callbacks, int64_t now,
                                              int64_t settle_seconds);

}  // namespace sfapid
