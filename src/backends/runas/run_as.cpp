#include "backends/runas/run_as.h"

#include <signal.h>

#include "util/process_cgroup.h"

namespace sfapid {

Status WorkerReply::ToStatus() const {
  if (ok()) return Status::Ok();
  const auto* code = header.if_contains("code");
  if (code && *code == "not_found") return Status::NotFound(error());
  if (code && *code == "permission_denied") return Status::PermissionDenied(error());
  if (code && *code == "invalid_argument") return Status::InvalidArgument(error());
  return Status::Unavailable(error());
}

void RunAs::Signal(pid_t pid, int signal) {
  if (pid <= 0) return;
  ::kill(-pid, signal);
  ::kill(pid, signal);
}

void RunAs::Signal(const RunningCommand& command, int signal) {
  Signal(command.pid, signal);
  if (!command.cgroup.empty()) ProcessCgroup::Existing(command.cgroup).Signal(signal);
}

void RunAs::EndAll(const RunningCommand& command) {
  Signal(command.pid, SIGKILL);
  if (!command.cgroup.empty()) ProcessCgroup::Existing(command.cgroup).KillAndRemove();
}

}  // namespace sfapid
