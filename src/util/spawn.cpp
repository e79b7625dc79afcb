#include "util/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sfapid {

Result<pid_t> Spawn(const SpawnSpec& spec) {
  if (spec.argv.empty()) return Status::Internal("spawn: no program");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (spec.stdin_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, spec.stdin_fd, 0);
  else
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (spec.stdout_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, spec.stdout_fd, 1);
  else
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  if (spec.stderr_fd == kSameAsStdout)
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  else if (spec.stderr_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, spec.stderr_fd, 2);
  else
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  // dup2 clears close-on-exec on the copy (also when pass_fd is 3 itself: glibc >= 2.29).
  if (spec.pass_fd >= 0) posix_spawn_file_actions_adddup2(&actions, spec.pass_fd, kPassedFd);
  posix_spawn_file_actions_addclosefrom_np(&actions, spec.pass_fd >= 0 ? kPassedFd + 1 : 3);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
  if (spec.new_session) flags |= POSIX_SPAWN_SETSID;
  posix_spawnattr_setflags(&attr, flags);

  std::vector<char*> argv, env;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : spec.env) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);
  pid_t pid = -1;
  const int rc = spec.search_path
                     ? ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), env.data())
                     : ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), env.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return Status::Unavailable("cannot start " + spec.argv[0] + ": " + std::strerror(rc));
  return pid;
}

Result<PipedChild> SpawnPiped(SpawnSpec spec) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Status::Unavailable(std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return Status::Unavailable(std::strerror(errno));
  }
  spec.stdout_fd = out[1];
  spec.stderr_fd = err[1];
  auto pid = Spawn(spec);
  ::close(out[1]);
  ::close(err[1]);
  if (!pid) {
    ::close(out[0]);
    ::close(err[0]);
    return pid.status();
  }
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  ::fcntl(err[0], F_SETFL, O_NONBLOCK);
  return PipedChild{*pid, out[0], err[0]};
}

}  // namespace sfapid
