// Acting as a Unix user: every file operation and command on a user's behalf runs in a worker
// process (see worker.h) that has dropped to the user's uid, gid and groups. The server itself
// never touches user files.
#pragma once

#include <sys/types.h>

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "backends/runas/unix_identity.h"
#include "util/status.h"

namespace sfapid {

struct WorkerReply {
  boost::json::object header;  // {"ok": true, ...} or {"ok": false, "code", "error"}
  std::string body;            // bytes after the header (download content)

  // RunAs::Call hands out only replies whose "ok" is a boolean.
  bool ok() const {
    const auto* v = header.if_contains("ok");
    return v && v->is_bool() && v->as_bool();
  }
  // The worker's words when !ok().
  std::string error() const {
    const auto* e = header.if_contains("error");
    return e && e->is_string() ? std::string(e->as_string()) : "the operation failed";
  }
};

// A user's command, running in its own session (process group = pid).
struct RunningCommand {
  pid_t pid = -1;
  int out_fd = -1;  // its stdout, non-blocking
  int err_fd = -1;  // its stderr, non-blocking
};

class RunAs {
 public:
  RunAs(std::string worker_binary, const RunAsConfig& config)
      : worker_binary_(std::move(worker_binary)), users_(config) {}

  Result<UnixIdentity> Resolve(const std::string& api_user) const {
    return users_.Resolve(api_user);
  }

  // One request to a fresh worker. body_size_limit bounds what is read back.
  Result<WorkerReply> Call(const UnixIdentity& who, const boost::json::object& request,
                           std::string_view input, std::size_t body_size_limit);

  // Starts `bash -c command` as the user in their home.
  Result<RunningCommand> Start(const UnixIdentity& who, const std::string& command);
  // Starts a program with these arguments (no shell) as the user, in `cwd` (default: their home),
  // once every path in `paths` ({"path", "roots"}) is found inside its roots; otherwise it exits
  // 126 with the reason on stderr.
  Result<RunningCommand> StartProgram(const UnixIdentity& who, const std::vector<std::string>& argv,
                                      const boost::json::array& paths, const std::string& cwd = "");

  // Starts a worker that copies one regular file inside the kernel (see file_copy.h), once both
  // paths are found inside their roots.
  Result<RunningCommand> StartFileCopy(const UnixIdentity& who, const std::string& source,
                                       const boost::json::array& source_roots,
                                       const std::string& target,
                                       const boost::json::array& target_roots);

  // Signals a command's whole process group (and the process itself, in case it had not made its
  // group yet). Only while the process is not reaped, so its pid cannot have been reused.
  static void Signal(pid_t pid, int signal);

 private:
  Result<pid_t> Spawn(const UnixIdentity& who, int stdin_fd, int stdout_fd, int stderr_fd);
  Result<RunningCommand> StartWorker(const UnixIdentity& who, const boost::json::object& request);
  std::string worker_binary_;
  UserMap users_;
};

}  // namespace sfapid
