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
  CommandService(const std::vector<SystemConfig>& systems, const UtilitiesConfig& utilities,
                 RunAs& runas, TaskEngine& tasks)
      : systems_(systems), utilities_(utilities), runas_(runas), tasks_(tasks) {}

  // The task id. NotFound: unknown system; InvalidArgument: a system without a shell, or an empty
  // command; PermissionDenied: the user cannot be acted as.
  Result<std::string> Run(const std::string& user, const std::string& system,
                          const std::string& command);

 private:
  TaskOutcome Execute(const UnixIdentity& who, const std::string& command, TaskContext& ctx);
  const std::vector<SystemConfig>& systems_;
  const UtilitiesConfig& utilities_;
  RunAs& runas_;
  TaskEngine& tasks_;
};

}  // namespace sfapid
