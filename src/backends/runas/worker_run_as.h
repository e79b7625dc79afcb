// The production RunAs: the server itself never touches user files (docs/security.md, "Acting as
// users"). With [runas] workers = "per_user" (the default), file requests go to the user's
// long-lived worker (user_worker_pool.h), and commands and programs start straight from the
// server as the user (spawn_as_user.h), a program's paths checked first by the user's worker.
// With "per_operation" (and whenever those cannot serve) every request runs in a fresh
// `sfapid worker --account NAME` (worker.h), which drops to the user's uid, gid and groups
// before it reads the request; file copies always do.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "backends/runas/run_as.h"
#include "backends/runas/user_worker_pool.h"
#include "backends/runas/worker_exchange.h"
#include "config/config.h"
#include "util/process_cgroup.h"

namespace sfapid {

class WorkerRunAs final : public RunAs {
 public:
  WorkerRunAs(std::string worker_binary, const RunAsConfig& config)
      : worker_binary_(std::move(worker_binary)),
        users_(config),
        timeout_seconds_(config.worker_timeout_seconds) {
    EndOrphanedTaskCgroups();
    if (config.workers == "per_user") direct_starts_ = DirectStartsAreSafe();
    if (config.workers == "per_user")
      pool_ = std::make_unique<UserWorkerPool>(
          worker_binary_,
          WorkerPoolLimits{.timeout_seconds = config.worker_timeout_seconds,
                           .idle_seconds = config.worker_idle_seconds,
                           .max_age_seconds = config.worker_max_age_seconds,
                           .max_workers = static_cast<std::size_t>(config.max_workers),
                           .per_user = static_cast<std::size_t>(config.workers_per_user)});
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
  // A program started straight from the server as the user (spawn_as_user.h), in a cgroup of its
  // own: no worker process in between.
  Result<RunningCommand> StartDirect(const UnixIdentity& who, std::string program,
                                     std::vector<std::string> argv, std::vector<std::string> env,
                                     const std::string& cwd, bool cwd_required);
  ProcessCgroup NewTaskCgroup();
  // A file request in a fresh worker: its reply, and the descriptor it sent (when `fd`).
  Result<WorkerReply> CallOnce(const UnixIdentity& who, const boost::json::object& request,
                               std::string_view input, std::size_t body_size_limit);
  Result<WorkerReply> OpenOnce(const UnixIdentity& who, const boost::json::object& request,
                               UniqueFd& fd);
  // What the commands of an earlier server that crashed left running in their cgroups ends now
  // (their tasks are failed as orphans).
  static void EndOrphanedTaskCgroups();
  WorkerDeadline Deadline() const;
  Status TimedOut() const;
  std::string worker_binary_;
  UserMap users_;
  double timeout_seconds_;
  std::atomic<uint64_t> started_{0};      // names the commands' cgroups
  std::unique_ptr<UserWorkerPool> pool_;  // null: a fresh worker for every request
  bool direct_starts_ = false;            // commands and programs start from the server itself
  // Whether a direct start's child, which shares the server's memory from its uid change to its
  // exec, is safe from its user: only when fs.suid_dumpable is 0 (the kernel then makes that
  // memory non-dumpable, so the user cannot trace the child); logs why not otherwise.
  static bool DirectStartsAreSafe();
};

}  // namespace sfapid
