// Starting a program as a user straight from the server, without an intermediate process: a
// clone(CLONE_VM | CLONE_VFORK) child (as posix_spawn makes) that enters the task's cgroup, drops
// to the user's groups and gid, enters the folder with the user's filesystem uid, and only then
// takes the user's uid (from then on the user could signal it) and execs the program. Only
// safe with fs.suid_dumpable = 0 (docs/security.md, "Direct starts"); the caller checks. Starting
// the sfapid binary to do the same costs several milliseconds (its shared libraries and static
// initialisation) before the program even starts: this is what a command or an sbatch waited for.
//
// The child shares the server's memory until it execs, so it does nothing but system calls: no
// allocation, no locks, no glibc wrapper that acts on the other threads (setuid(2)'s wrapper
// would change every server thread's credentials); everything it needs is prepared before.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "backends/runas/group_list.h"
#include "util/status.h"

namespace sfapid {

struct UserSpawn {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups (getgrouplist: GroupsOf)
  std::string program;        // its full path; "" for argv[0]
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd;            // entered as the user
  bool cwd_required = false;  // false: "/" when cwd cannot be entered; true: the start fails
  int stdout_fd = -1, stderr_fd = -1;  // stdin is /dev/null
  int cgroup_procs_fd = -1;            // open for writing: the child moves itself into that cgroup
};

// The child's pid (in its own session, killed when the server dies, signals back to their
// defaults); Unavailable with the step that failed (e.g. "cannot enter /x: Permission denied"),
// in which case no process is left. Refuses uid or gid 0. A server that is not root starts
// programs only as its own uid, with its own credentials.
Result<pid_t> SpawnAsUser(const UserSpawn& spec);

}  // namespace sfapid
