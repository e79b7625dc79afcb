#include "backends/runas/spawn_as_user.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>

namespace sfapid {

namespace {

// What the child needs, all prepared by the parent: pointers into memory the parent keeps alive
// (it is suspended until the child execs or exits).
struct ChildPlan {
  const UserSpawn* spec;
  char* const* argv;
  char* const* envp;
  pid_t parent;
  bool as_root;  // the server runs as root: the child changes credentials (else it has the user's)
  int devnull;
  int error_pipe;  // close-on-exec: closes unwritten when the exec succeeds
};

// The step that failed and its errno, for the parent to report.
struct ChildError {
  int step;
  int error;
};
constexpr const char* kSteps[] = {"enter the cgroup", "start a session",  "redirect output",
                                  "set groups",       "set the gid",      "set the uid",
                                  "keep root away",   "watch the server", "enter the folder",
                                  "run the program"};

[[noreturn]] void Fail(const ChildPlan& plan, int step) {
  const ChildError e{step, errno};
  (void)!::write(plan.error_pipe, &e, sizeof e);
  ::_exit(127);
}

int ChildMain(void* arg) {
  const ChildPlan& plan = *static_cast<const ChildPlan*>(arg);
  const UserSpawn& s = *plan.spec;
  // Dispositions are the child's own copy (no CLONE_SIGHAND): handlers the server set must not
  // run here, and an ignored SIGPIPE would carry over to the program.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  if (s.cgroup_procs_fd >= 0 && ::write(s.cgroup_procs_fd, "0", 1) != 1) Fail(plan, 0);
  if (::setsid() < 0) Fail(plan, 1);
  if (::dup2(plan.devnull, 0) < 0 || ::dup2(s.stdout_fd >= 0 ? s.stdout_fd : plan.devnull, 1) < 0 ||
      ::dup2(s.stderr_fd >= 0 ? s.stderr_fd : plan.devnull, 2) < 0)
    Fail(plan, 2);
  // Raw system calls: they change this process alone.
  if (plan.as_root) {
    if (::syscall(SYS_setgroups, s.groups.size(), s.groups.data()) != 0) Fail(plan, 3);
    if (::syscall(SYS_setresgid, s.gid, s.gid, s.gid) != 0) Fail(plan, 4);
    if (::syscall(SYS_setresuid, s.uid, s.uid, s.uid) != 0) Fail(plan, 5);
    if (::syscall(SYS_setresuid, 0, 0, 0) == 0) {
      errno = EPERM;
      Fail(plan, 6);
    }
  }
  // Set after the uid change, which clears it; a server already gone leaves no program behind.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != plan.parent) Fail(plan, 7);
  if (::chdir(s.cwd.c_str()) != 0 && (s.cwd_required || ::chdir("/") != 0)) Fail(plan, 8);
  // Nothing of the server's goes with the program: every descriptor above 2 closes at exec.
  ::syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(plan.argv[0], plan.argv, plan.envp);
  Fail(plan, 9);
}

}  // namespace

Result<std::vector<gid_t>> GroupsOf(const std::string& account, gid_t gid) {
  std::vector<gid_t> groups(64);
  for (int tries = 0; tries < 8; ++tries) {
    int n = static_cast<int>(groups.size());
    if (::getgrouplist(account.c_str(), gid, groups.data(), &n) >= 0) {
      groups.resize(static_cast<std::size_t>(n));
      return groups;
    }
    groups.resize(static_cast<std::size_t>(n) > groups.size() ? static_cast<std::size_t>(n)
                                                              : groups.size() * 2);
  }
  return Status::Unavailable("cannot read the groups of " + account);
}

Result<pid_t> SpawnAsUser(const UserSpawn& spec) {
  if (spec.uid == 0 || spec.gid == 0) return Status::PermissionDenied("refusing to act as root");
  if (spec.argv.empty()) return Status::Internal("spawn: no program");
  const bool as_root = ::geteuid() == 0;
  if (!as_root && spec.uid != ::geteuid())
    return Status::PermissionDenied("not root and not uid " + std::to_string(spec.uid));
  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0) return Status::Unavailable(std::string("/dev/null: ") + std::strerror(errno));
  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) != 0) {
    ::close(devnull);
    return Status::Unavailable(std::string("pipe: ") + std::strerror(errno));
  }
  constexpr std::size_t kStack = 256 * 1024;
  void* stack = ::mmap(nullptr, kStack, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    ::close(devnull);
    ::close(error_pipe[0]);
    ::close(error_pipe[1]);
    return Status::Unavailable(std::string("mmap: ") + std::strerror(errno));
  }
  ChildPlan plan{&spec, argv.data(), envp.data(), ::getpid(), as_root, devnull, error_pipe[1]};
  // No signal handler may run in the child while it shares the server's memory.
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid = ::clone(ChildMain, static_cast<char*>(stack) + kStack,
                            CLONE_VM | CLONE_VFORK | SIGCHLD, &plan);
  const int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::munmap(stack, kStack);
  ::close(devnull);
  ::close(error_pipe[1]);
  if (pid < 0) {
    ::close(error_pipe[0]);
    return Status::Unavailable(std::string("clone: ") + std::strerror(clone_errno));
  }
  // The child has exec'd (the pipe closed unwritten) or failed (it wrote why and exited).
  ChildError e{};
  ssize_t n;
  while ((n = ::read(error_pipe[0], &e, sizeof e)) < 0 && errno == EINTR) {
  }
  ::close(error_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof e)) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const char* step =
        e.step >= 0 && e.step < static_cast<int>(std::size(kSteps)) ? kSteps[e.step] : "start";
    std::string what = std::string("cannot ") + step;
    if (e.step == 8) what = "cannot enter " + spec.cwd;
    if (e.step == 9) what = "cannot run " + spec.argv[0];
    return Status::Unavailable(what + ": " + std::strerror(e.error));
  }
  return pid;
}

}  // namespace sfapid
