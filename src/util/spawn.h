// Starting a child program with nothing of the server's: every descriptor above 2 closed (the
// database, keys and listening sockets stay with the server; one may be passed on purpose), every
// signal back to its default and none blocked (the server ignores SIGPIPE and blocks signals in its
// threads). One place for what every process sfapid starts needs.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/status.h"

namespace sfapid {

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0]: the program's path (or name, with search_path)
  std::vector<std::string> env;   // "NAME=value"
  int stdin_fd = -1;              // -1: /dev/null
  int stdout_fd = -1;             // -1: /dev/null
  int stderr_fd = -1;             // -1: /dev/null; kSameAsStdout: the stdout descriptor
  bool new_session = false;       // its own session and process group (setsid)
  bool search_path = false;       // look argv[0] up in PATH
  int pass_fd = -1;               // given to the child as descriptor 3 (kPassedFd)
};
inline constexpr int kPassedFd = 3;
inline constexpr int kSameAsStdout = -2;

// The child's pid; Unavailable with the reason when it cannot start.
Result<pid_t> Spawn(const SpawnSpec& spec);

// A child whose stdout and stderr come back through pipes.
struct PipedChild {
  pid_t pid = -1;
  int out_fd = -1;  // the read ends, non-blocking and close-on-exec: the caller closes them
  int err_fd = -1;
};
// Spawn with spec's stdout and stderr replaced by new pipes.
Result<PipedChild> SpawnPiped(SpawnSpec spec);

}  // namespace sfapid
