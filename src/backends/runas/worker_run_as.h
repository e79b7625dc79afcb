// The production RunAs: every request runs in a fresh `sfapid worker --account NAME` (worker.h),
// which drops to the user's uid, gid and groups before it reads the request, so the server itself
// never touches user files (docs/security.md, "Acting as users").
#pragma once

#include <atomic>
#include <cstdint>

#include "backends/runas/run_as.h"
#include "backends/runas/worker_exchange.h"
#include "config/config.h"

namespace sfapid {

class WorkerRunAs final : public RunAs {
 public:
  WorkerRunAs(std::string worker_binary, const RunAsConfig& config)
      : worker_binary_(std::move(worker_binary)),
        users_(config),
        timeout_seconds_(config.worker_timeout_seconds) {
    EndOrphanedTaskCgroups();
  }

  Result<UnixIdentity> Resolve(const std::string& api_user) const override {
    return users_.Resolve(api_user);
  }
  Result<WorkerReply> Call(const UnixIdentity& who, const boost::json::object& request,
                           std::string_view input, std::size_t body_size_limit) override;
  Result<RunningCommand> Start(const UnixIdentity& who, const std::string& command) override;
  Result<RunningCommand> StartProgram(const UnixIdentity& who, const std::vector<std::string>& argv,
                                      const boost::json::array& paths,
                                      const std::string& cwd = "") override;
  Result<RunningCommand> StartFileCopy(const UnixIdentity& who, const std::string& source,
                                       const boost::json::array& source_roots,
                                       const std::string& target,
                                       const boost::json::array& target_roots) override;
  Result<UserFile> OpenFile(const UnixIdentity& who, const std::string& path,
                            const boost::json::array& roots, fileops::OpenIntent intent) override;

 private:
  Result<pid_t> Spawn(const UnixIdentity& who, int stdin_fd, int stdout_fd, int stderr_fd,
                      const std::string& cgroup = "");
  Result<RunningCommand> StartWorker(const UnixIdentity& who, const boost::json::object& request);
  // What the commands of an earlier server that crashed left running in their cgroups ends now
  // (their tasks are failed as orphans).
  static void EndOrphanedTaskCgroups();
  WorkerDeadline Deadline() const;
  Status TimedOut() const;
  std::string worker_binary_;
  UserMap users_;
  double timeout_seconds_;
  std::atomic<uint64_t> started_{0};  // names the commands' cgroups
};

}  // namespace sfapid
