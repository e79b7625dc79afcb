// Runs a user's shell command on a system as a task (POST /utilities/command): `bash -c` as the
// user, in their home, with the configured time limit and output cap; stdout and stderr are
// visible in the task's result while it runs.
#pragma once

#include <string>
#include <vector>

#include "backends/runas/run_as.h"
#include "config/config.h"
#include "core/tasks/task_engine.h"

namespace sfapid {

class CommandService {
 public:
  // systems: where commands may run; utilities: their time limit and output cap.
  // Tells the task engine how to run a command again that a restart stopped before it started.
  CommandService(const std::vector<SystemConfig>& systems, const UtilitiesConfig& utilities,
                 RunAs& runas, TaskEngine& tasks);

  // The task id. NotFound: unknown system; InvalidArgument: a system without a shell, or an empty
  // command; PermissionDenied: the user cannot be acted as. idempotency_token: the HTTP
  // request's (TaskLaunch).
  Result<std::string> Run(const std::string& user, const std::string& system,
                          const std::string& command, const std::string& idempotency_token = "");

 private:
  // The work of a command task of user's; PermissionDenied when the user cannot be acted as.
  Result<TaskWork> WorkFor(const std::string& user, const std::string& command);
  TaskOutcome Execute(const UnixIdentity& who, const std::string& command, TaskContext& ctx);
  const std::vector<SystemConfig>& systems_;
  const UtilitiesConfig& utilities_;
  RunAs& runas_;
  TaskEngine& tasks_;
};

}  // namespace sfapid
