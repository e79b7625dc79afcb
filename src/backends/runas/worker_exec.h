// The worker's requests that become a process of the user's (a command, a program, a file copy):
// each replaces or ends the worker process, so only a one-request worker takes them.
#pragma once

#include <pwd.h>

#include <boost/json/object.hpp>
#include <string>

#include "util/status.h"

namespace sfapid::worker {

// `bash -c command` in the user's home, with a clean environment and its own session, so the
// server can stop the whole process group.
[[noreturn]] void Exec(const passwd& pw, const std::string& command);
// Whether every {"path", "roots"} of the request's "paths" is inside its roots: the first that is
// not, else Ok.
Status CheckPaths(const boost::json::object& req);
// A program run directly (no shell: its arguments are data, never parsed), after checking that
// every path it will touch is inside that path's roots.
[[noreturn]] void ExecArgv(const passwd& pw, const boost::json::object& req);
// A same-host file copy: progress lines "progress <bytes>" on stdout, errors on stderr (exit 1).
[[noreturn]] void CopyFileOp(const boost::json::object& req);

}  // namespace sfapid::worker
