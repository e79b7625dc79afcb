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

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace sfapid {

namespace {

// How long a start may take before the watch kills it: a child past its uid change can be
// stopped by its user (kill -STOP -1), and the thread that cloned it waits until it execs.
constexpr auto kStartPatience = std::chrono::seconds(10);

// What the child needs, all prepared by the parent: pointers into memory the parent keeps alive
// (it is suspended until the child execs or exits). The child reports a failed step here, in the
// memory it shares with the parent, rather than through a pipe: a pipe's write end would be
// copied into every other child cloned meanwhile, and one stopped child would hold it open.
struct ChildPlan {
  const UserSpawn* spec;
  const char* program;
  char* const* argv;
  char* const* envp;
  pid_t parent;
  bool as_root;  // the server runs as root: the child changes credentials (else it has the user's)
  int devnull;
  volatile int failed_step = -1;
  volatile int failed_errno = 0;
};

constexpr const char* kSteps[] = {
    "enter the cgroup", "start a session",  "redirect output",          "set groups",
    "set the gid",      "enter the folder", "close the server's files", "set the uid",
    "keep root away",   "watch the server", "run the program"};
enum Step {
  kCgroup,
  kSession,
  kRedirect,
  kGroups,
  kGid,
  kFolder,
  kClose,
  kUid,
  kNoRoot,
  kParent,
  kExec
};

[[noreturn]] void Fail(ChildPlan& plan, Step step, int error) {
  plan.failed_errno = error;
  plan.failed_step = step;
  ::_exit(127);
}
[[noreturn]] void Fail(ChildPlan& plan, Step step) { Fail(plan, step, errno); }

int ChildMain(void* arg) {
  ChildPlan& plan = *static_cast<ChildPlan*>(arg);
  const UserSpawn& s = *plan.spec;
  // Dispositions are the child's own copy (no CLONE_SIGHAND): handlers the server set must not
  // run here, and an ignored SIGPIPE would carry over to the program.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  // glibc refuses the two signals it keeps for itself (32, 33), which an ignoring parent of the
  // server may have passed down ignored: those go to the kernel directly. An all-zero kernel
  // sigaction is SIG_DFL with no flags and no mask, whatever the field order.
  const uint64_t zero_action[4] = {};
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP && ::sigaction(sig, &dfl, nullptr) != 0)
      ::syscall(SYS_rt_sigaction, sig, zero_action, nullptr, sizeof(uint64_t));
  if (s.cgroup_procs_fd >= 0 && ::write(s.cgroup_procs_fd, "0", 1) != 1) Fail(plan, kCgroup);
  if (::setsid() < 0) Fail(plan, kSession);
  if (::dup2(plan.devnull, 0) < 0 || ::dup2(s.stdout_fd >= 0 ? s.stdout_fd : plan.devnull, 1) < 0 ||
      ::dup2(s.stderr_fd >= 0 ? s.stderr_fd : plan.devnull, 2) < 0)
    Fail(plan, kRedirect);
  // Raw system calls: they change this process alone. The uid changes last: until then the
  // user cannot signal this child (their uid is neither its real nor its saved one), so nothing
  // that may block — entering a folder on a slow filesystem — happens where they could stop it.
  if (plan.as_root) {
    if (::syscall(SYS_setgroups, s.groups.size(), s.groups.data()) != 0) Fail(plan, kGroups);
    if (::syscall(SYS_setresgid, s.gid, s.gid, s.gid) != 0) Fail(plan, kGid);
    // The folder is entered as the user: the effective uid (and with it the file system one)
    // becomes theirs, which clears every effective capability. Only a file system uid (setfsuid)
    // left CAP_SYS_PTRACE, with which /proc/<pid>/cwd of another user's process led into that
    // user's folders. The real and saved uids stay 0 until below: the user still cannot signal.
    if (::syscall(SYS_setresuid, -1, s.uid, -1) != 0) Fail(plan, kUid);
  }
  if (::chdir(s.cwd.c_str()) != 0 && (s.cwd_required || ::chdir("/") != 0)) Fail(plan, kFolder);
  // Nothing of the server's goes with the program: every descriptor above 2 closes at exec
  // (some, such as Asio's sockets, are not close-on-exec themselves). A kernel without this
  // (before 5.11) refuses the start: the one-request worker's spawn closes them another way.
  if (::syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) Fail(plan, kClose);
  if (plan.as_root) {
    if (::syscall(SYS_setresuid, s.uid, s.uid, s.uid) != 0) Fail(plan, kUid);
    if (::syscall(SYS_setresuid, 0, 0, 0) == 0) Fail(plan, kNoRoot, EPERM);
  }
  // Set after the uid change, which clears it; a server already gone leaves no program behind.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) Fail(plan, kParent);
  if (::getppid() != plan.parent) Fail(plan, kParent, ESRCH);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(plan.program, plan.argv, plan.envp);
  Fail(plan, kExec);
}

// Starts in progress, and a thread that kills one taking longer than kStartPatience (its
// cloning thread is suspended and cannot). A start is removed before its child is reaped, so a
// pid the watch kills is still that child's.
class StartWatch {
 public:
  struct Start {
    std::atomic<pid_t> pid{0};  // set by the kernel at clone (CLONE_PARENT_SETTID)
    std::chrono::steady_clock::time_point began = std::chrono::steady_clock::now();
    bool killed = false;
  };
  static StartWatch& Instance() {
    static StartWatch* watch = new StartWatch();  // never destroyed: its thread runs to the end
    return *watch;
  }
  void Add(Start* s) {
    std::lock_guard lock(mu_);
    starts_.push_back(s);
  }
  // Whether the watch killed it.
  bool Remove(Start* s) {
    std::lock_guard lock(mu_);
    starts_.erase(std::find(starts_.begin(), starts_.end(), s));
    return s->killed;
  }

 private:
  StartWatch() {
    std::thread([this] {
      for (;;) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        std::lock_guard lock(mu_);
        const auto now = std::chrono::steady_clock::now();
        for (Start* s : starts_)
          if (!s->killed && s->pid.load() > 0 && now - s->began > kStartPatience) {
            ::kill(s->pid.load(), SIGKILL);
            s->killed = true;
          }
      }
    }).detach();
  }
  std::mutex mu_;
  std::vector<Start*> starts_;
};

}  // namespace

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
  const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) return Status::Unavailable(std::string("/dev/null: ") + std::strerror(errno));
  constexpr std::size_t kStack = 256 * 1024;
  void* stack = ::mmap(nullptr, kStack, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    ::close(devnull);
    return Status::Unavailable(std::string("mmap: ") + std::strerror(errno));
  }
  const std::string& program = spec.program.empty() ? spec.argv[0] : spec.program;
  ChildPlan plan{&spec, program.c_str(), argv.data(), envp.data(), ::getpid(), as_root, devnull};
  StartWatch::Start watched;
  StartWatch::Instance().Add(&watched);
  // No signal handler may run in the child while it shares the server's memory.
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid = ::clone(ChildMain, static_cast<char*>(stack) + kStack,
                            CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID | SIGCHLD, &plan,
                            reinterpret_cast<pid_t*>(&watched.pid));
  const int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  const bool killed = StartWatch::Instance().Remove(&watched);
  ::munmap(stack, kStack);
  ::close(devnull);
  if (pid < 0) return Status::Unavailable(std::string("clone: ") + std::strerror(clone_errno));
  // Here the child has exec'd, or failed a step (it said which, and exited), or was killed.
  const int step = plan.failed_step;
  if (step >= 0 || killed) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (killed)
      return Status::Unavailable("the program did not start within " +
                                 std::to_string(kStartPatience.count()) +
                                 " s (was it stopped?) and was killed");
    std::string what = std::string("cannot ") + kSteps[step];
    if (step == kFolder) what = "cannot enter " + spec.cwd;
    if (step == kExec) what = "cannot run " + program;
    return Status::Unavailable(what + ": " + std::strerror(plan.failed_errno));
  }
  return pid;
}

}  // namespace sfapid
