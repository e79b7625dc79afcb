// Acting as a Unix user: what core services ask of whoever runs file operations and commands on a
// user's behalf. Production is WorkerRunAs (worker_run_as.h), where every request runs in a worker
// process that has dropped to the user's uid, gid and groups; tests substitute a fake.
#pragma once

#include <sys/types.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "backends/runas/open_inside.h"
#include "backends/runas/unix_identity.h"
#include "util/status.h"
#include "util/unique_fd.h"

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
  // What a refusal means (the worker's "code"), with its words: NotFound, PermissionDenied,
  // InvalidArgument, else Unavailable. Ok for a reply that is ok().
  Status ToStatus() const;
  // A reply from the worker's header line and the body after it: Unavailable when the line is not
  // a JSON object with a boolean "ok"; Internal (the worker's words) for a request it refused
  // whole ("code": "internal").
  static Result<WorkerReply> Parse(std::string_view header_line, std::string body);
};

// A request as the worker reads it: the JSON line with "input_size", then the input's bytes.
std::string FramedRequest(boost::json::object request, std::string_view input);

// A user's command, running in its own session (process group = pid).
struct RunningCommand {
  pid_t pid = -1;
  int out_fd = -1;  // its stdout, non-blocking
  int err_fd = -1;  // its stderr, non-blocking
  // The cgroup every process it starts is in (util/process_cgroup.h); "" when not tracked so
  // (no cgroup v2): then its process group is what a signal reaches.
  std::string cgroup;
};

// A file the user opened (open_inside.h), handed to the server to stream through.
struct UserFile {
  UniqueFd fd;
  int64_t size = 0;
  int64_t dev = 0, ino = 0, mtime_ns = 0;  // what the file's ETag is made of
};

class RunAs {
 public:
  virtual ~RunAs() = default;

  // The account an API user acts as. PermissionDenied when it cannot be acted as (UserMap).
  virtual Result<UnixIdentity> Resolve(const std::string& api_user) const = 0;

  // One request ({"op": "ls" | "read" | "write" | ..., "roots": [...]}, see worker.h) as the
  // user. body_size_limit bounds what is read back.
  virtual Result<WorkerReply> Call(const UnixIdentity& who, const boost::json::object& request,
                                   std::string_view input, std::size_t body_size_limit) = 0;

  // Starts `bash -c command` as the user in their home.
  virtual Result<RunningCommand> Start(const UnixIdentity& who, const std::string& command) = 0;
  // Starts a program with these arguments (no shell) as the user, in `cwd` (default: their home),
  // once every path in `paths` ({"path", "roots"}) is found inside its roots; otherwise it exits
  // 126 with the reason on stderr.
  virtual Result<RunningCommand> StartProgram(const UnixIdentity& who,
                                              const std::vector<std::string>& argv,
                                              const boost::json::array& paths,
                                              const std::string& cwd = "") = 0;

  // Starts a copy of one regular file inside the kernel (see file_copy.h), once both paths are
  // found inside their roots.
  virtual Result<RunningCommand> StartFileCopy(const UnixIdentity& who, const std::string& source,
                                               const boost::json::array& source_roots,
                                               const std::string& target,
                                               const boost::json::array& target_roots) = 0;

  // Opens a file as the user once it is found inside the roots: an existing regular file to read,
  // or an upload's part file to write (made now, or opened again; open_inside.h). NotFound,
  // PermissionDenied and InvalidArgument (not a regular file) carry the worker's words.
  virtual Result<UserFile> OpenFile(const UnixIdentity& who, const std::string& path,
                                    const boost::json::array& roots,
                                    fileops::OpenIntent intent) = 0;

  // Signals a command's whole process group (and the process itself, in case it had not made its
  // group yet). Only while the process is not reaped, so its pid cannot have been reused.
  static void Signal(pid_t pid, int signal);
  // The same for a command, and every process in its cgroup (those that left its group too).
  static void Signal(const RunningCommand& command, int signal);
  // Kills whatever of the command still runs and removes its cgroup: at its end.
  static void EndAll(const RunningCommand& command);
};

}  // namespace sfapid
