#include "backends/scheduler/local/job_supervisor.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "backends/runas/drop_privileges.h"
#include "backends/runas/worker_exchange.h"
#include "backends/scheduler/local/launch_record.h"
#include "backends/scheduler/local/launch_spec.h"
#include "backends/scheduler/slurm_time.h"
#include "domain/job_state.h"
#include "util/process_cgroup.h"
#include "util/spawn.h"
#include "util/write_all.h"

namespace sfapid::local {

namespace json = boost::json;

namespace {

int64_t Now() { return static_cast<int64_t>(::time(nullptr)); }

// Deadlines in milliseconds of a monotonic clock: whole seconds would make KillWait anything
// between 0 and 1 s early, and the wall clock may jump.
int64_t NowMs() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// How slurmstepd (22.05) starts the errors it writes into a job's error file: "slurmstepd-<node>:
// error:".
std::string StepdError(const LaunchSpec& spec) { return "slurmstepd-" + spec.node + ": error:"; }

// Becomes the job's user (in a child that is about to act for them): the account must still be
// the uid the job was submitted with. False when it is not or the drop failed.
bool BecomeUser(const LaunchSpec& spec) {
  const passwd* found = ::getpwnam(spec.account.c_str());
  if (!found) return false;
  passwd pw = *found;
  if (pw.pw_uid != static_cast<uid_t>(spec.uid)) return false;
  return DropPrivileges(pw).ok();
}

// Opens an output file as the user would (after the privilege drop): their permissions decide.
// Writes always append (after the truncation --open-mode=truncate asks for), so the supervisor's
// "CANCELLED AT ... DUE TO TIME LIMIT" line, written through another descriptor, is never
// overwritten by the job's own output.
int OpenOutput(const std::string& path, bool append) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND | (append ? 0 : O_TRUNC),
                0644);
}

// The job process: becomes the user, wires its outputs, enters its folder and runs the script.
[[noreturn]] void RunJob(const LaunchSpec& spec, int script_fd, const ProcessCgroup& cgroup) {
  ::setpgid(0, 0);
  cgroup.Enter();  // while still root: the cgroup is root's
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (!BecomeUser(spec)) std::_Exit(1);
  ::umask(022);
  const std::string& out = spec.stdout_path;
  const std::string& err = spec.stderr_path;
  const bool append = spec.append;
  const int out_fd = OpenOutput(out, append);
  if (out_fd < 0) std::_Exit(1);  // like slurmstepd, which cannot report it anywhere else
  ::dup2(out_fd, 1);
  if (err == out) {
    ::dup2(1, 2);
  } else {
    const int err_fd = OpenOutput(err, append);
    if (err_fd < 0) std::_Exit(1);
    ::dup2(err_fd, 2);
  }
  // stdin (--input) is opened as the user too, after the outputs so that a refusal is reported
  // where slurmstepd reports it: the job's error file.
  const std::string in = spec.stdin_path.empty() ? "/dev/null" : spec.stdin_path;
  const int in_fd = ::open(in.c_str(), O_RDONLY | O_CLOEXEC);
  if (in_fd < 0) {
    std::fprintf(stderr, "%s Could not open stdin file %s: %s\n", StepdError(spec).c_str(),
                 in.c_str(), std::strerror(errno));
    std::_Exit(1);
  }
  if (in_fd != 0)
    ::dup2(in_fd, 0);  // dup2's copy is not close-on-exec
  else
    ::fcntl(0, F_SETFD, 0);  // opened as 0 itself: keep it across exec
  const std::string& work_dir = spec.work_dir;
  if (::chdir(work_dir.c_str()) != 0) {
    std::fprintf(stderr, "%s couldn't chdir to `%s': %s: going to /tmp instead\n",
                 StepdError(spec).c_str(), work_dir.c_str(), std::strerror(errno));
    (void)!::chdir("/tmp");
  }
  std::vector<std::string> args = spec.args;
  args.insert(args.begin(), spec.command);
  std::vector<std::string> env = spec.env;
  auto argv = CStrings(args);
  auto envp = CStrings(env);
  // The script is the copy taken at submission, in memory: later edits of the file do not change
  // the job, as with Slurm.
  ::fexecve(script_fd, argv.data(), envp.data());
  std::fprintf(stderr, "%s execve(): %s: %s\n", StepdError(spec).c_str(), args[0].c_str(),
               std::strerror(errno));
  std::_Exit(errno == ENOENT ? 127 : 126);
}

// Writes a line to the job's error file as the user (never as root: the path is theirs). Bounded:
// the user may have replaced the file with a FIFO or anything else, which is skipped, and the
// writer is given two seconds whatever happens. Once the writer has the user's uid the user may
// signal it: a writer stopped with SIGSTOP ignores its alarm, and a supervisor waiting on it
// unbounded would never send the job its SIGKILL nor end it (the job would outlive its cancel
// and its time limit, holding its node). So the supervisor (root) kills a late writer itself.
void TellJob(const LaunchSpec& spec, const std::string& line) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::alarm(2);
    if (!BecomeUser(spec)) std::_Exit(1);
    const int fd =
        ::open(spec.stderr_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
    struct stat st;
    if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) (void)WriteAll(fd, line);
    std::_Exit(0);
  }
  if (pid > 0) ReapWorker(pid, std::chrono::steady_clock::now() + std::chrono::seconds(2));
}

int MakeScriptFd(const std::string& script) {
  const int fd = ::memfd_create("slurm_script", 0);  // not CLOEXEC: fexecve of a #! script needs it
  if (fd < 0) return -1;
  (void)WriteAll(fd, script);  // a short write shows as the script failing
  ::fchmod(fd, 0555);
  return fd;
}

}  // namespace

int RunJobSupervisor(const std::string& job_dir) {
  // The job's folder is this supervisor's alone, or the job is another one's (launch_record.h).
  if (!ClaimLaunch(job_dir, kPassedFd)) {
    std::fprintf(stderr, "job-supervisor: %s is not held for this launch\n", job_dir.c_str());
    return 3;
  }
  std::string text;
  {
    // Closed before the job is forked: the job must not inherit a descriptor of the spool.
    std::ifstream in(job_dir + "/job.json");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    std::fprintf(stderr, "job-supervisor: cannot read %s/job.json\n", job_dir.c_str());
    return 2;
  }
  auto read = LaunchSpecFromJson(v.as_object());
  if (!read) {
    std::fprintf(stderr, "job-supervisor: %s/job.json: %s\n", job_dir.c_str(),
                 read.status().message().c_str());
    return 2;
  }
  const LaunchSpec& spec = *read;
  const int64_t time_limit = spec.time_limit;
  const int64_t kill_wait = spec.kill_wait;

  // Signals arrive through sigtimedwait only.
  sigset_t waited;
  sigemptyset(&waited);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&waited, s);
  ::sigprocmask(SIG_BLOCK, &waited, nullptr);

  const int script_fd = MakeScriptFd(spec.script);
  const ProcessCgroup cgroup = ProcessCgroup::Create("job-" + std::to_string(::getpid()));
  if (!cgroup.usable())
    std::fprintf(stderr, "job-supervisor: no cgroup; the job is tracked by its process group\n");
  const int64_t start = Now();
  const int64_t start_ms = NowMs();
  if (script_fd >= 0) MarkJobStarted(job_dir);
  const pid_t job = script_fd < 0 ? -1 : ::fork();
  if (job == 0) RunJob(spec, script_fd, cgroup);
  std::optional<JobState> state;  // set when the job is stopped (cancelled, timed out)
  int exit_code = 1, exit_signal = 0;
  if (job < 0) {
    state = JobState::kFailed;
  } else {
    ::setpgid(job, job);  // also here, so that a kill right after fork reaches the group
    int64_t kill_at = 0;  // when SIGKILL follows the SIGTERM (NowMs)
    auto stop = [&](JobState why) {
      if (state) return;
      state = why;
      kill_at = NowMs() + kill_wait * 1000;  // first: nothing below may delay the SIGKILL
      ::kill(-job, SIGTERM);
      cgroup.Signal(SIGTERM);
      const std::string at = slurm::FormatTimestamp(Now());
      TellJob(spec, StepdError(spec) + " *** JOB " + spec.jobid + " ON " + spec.node +
                        " CANCELLED AT " + at +
                        (why == JobState::kTimeout ? " DUE TO TIME LIMIT" : "") + " ***\n");
    };
    for (;;) {
      int status = 0;
      const pid_t done = ::waitpid(job, &status, WNOHANG);
      if (done == job) {
        if (WIFEXITED(status)) {
          exit_code = WEXITSTATUS(status);
          exit_signal = 0;
        } else if (WIFSIGNALED(status)) {
          exit_code = 0;
          exit_signal = WTERMSIG(status);
        }
        break;
      }
      const int64_t limit_at = time_limit >= 0 ? start_ms + time_limit * 1000 : -1;
      int64_t wake = NowMs() + 60'000;
      if (limit_at >= 0 && !state) wake = std::min(wake, limit_at);
      if (kill_at > 0) wake = std::min(wake, kill_at);
      const int64_t wait_ms = std::clamp<int64_t>(wake - NowMs(), 1, 60'000);
      timespec ts{static_cast<time_t>(wait_ms / 1000), (wait_ms % 1000) * 1'000'000L};
      const int sig = ::sigtimedwait(&waited, nullptr, &ts);
      if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) stop(JobState::kCancelled);
      if (limit_at >= 0 && NowMs() >= limit_at) stop(JobState::kTimeout);
      if (kill_at > 0 && NowMs() >= kill_at) {
        ::kill(-job, SIGKILL);
        cgroup.Signal(SIGKILL);
      }
    }
    // Whatever the script left behind goes with it, as with Slurm's process tracking: its process
    // group, and with a cgroup also what escaped the group.
    ::kill(-job, SIGKILL);
    cgroup.KillAndRemove();
  }
  if (!state) state = exit_code == 0 && exit_signal == 0 ? JobState::kCompleted : JobState::kFailed;
  const json::object result{{"state", JobStateName(*state)},
                            {"exit_code", exit_code},
                            {"exit_signal", exit_signal},
                            {"start_time", start},
                            {"end_time", Now()}};
  const std::string tmp = job_dir + "/result.json.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << json::serialize(result);
    out.flush();
    if (!out) return 3;
  }
  if (::rename(tmp.c_str(), (job_dir + "/result.json").c_str()) != 0) return 3;
  return 0;
}

}  // namespace sfapid::local
