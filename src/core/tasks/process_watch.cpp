#include "core/tasks/process_watch.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sfapid {

WatchOutcome WatchProcess(const RunningCommand& process, TaskContext& task,
                          const WatchLimits& limits,
                          const std::function<void(int, std::string_view)>& on_output,
                          const std::function<void()>& on_tick) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  WatchOutcome outcome;
  std::optional<Clock::time_point> kill_at;  // set once we asked it to stop
  auto stop = [&](WatchOutcome::Reason why) {
    if (kill_at) return;
    outcome.reason = why;
    RunAs::Signal(process, SIGTERM);
    kill_at = Clock::now() + limits.term_grace;
  };

  pollfd fds[2] = {{process.out_fd, POLLIN, 0}, {process.err_fd, POLLIN, 0}};
  std::size_t total = 0;
  char buf[65536];
  bool exited = false, leftovers_killed = false;
  useconds_t idle_wait = 1000;  // after the pipes close: 1 ms, growing to 50 ms
  while (!exited) {
    if (task.cancelled()) stop(WatchOutcome::kCancelled);
    if (limits.timeout && Clock::now() - started > *limits.timeout) stop(WatchOutcome::kTimedOut);
    if (kill_at && Clock::now() >= *kill_at) RunAs::Signal(process, SIGKILL);

    const bool pipes_open = fds[0].fd >= 0 || fds[1].fd >= 0;
    if (pipes_open) {
      const int rc = ::poll(fds, 2, 100);
      if (rc < 0 && errno != EINTR) break;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n > 0) {
          total += static_cast<std::size_t>(n);
          on_output(i + 1, std::string_view(buf, static_cast<std::size_t>(n)));
          if (limits.max_output_bytes && total > limits.max_output_bytes)
            stop(WatchOutcome::kOutputCapped);
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          ::close(fds[i].fd);
          fds[i].fd = -1;
        }
      }
    } else {
      ::usleep(idle_wait);  // the pipes closed; the process may still run
      idle_wait = std::min<useconds_t>(idle_wait * 2, 50000);
    }
    // Has it exited (and said all it will)? Look without reaping, so the pid stays ours until the
    // loop is done signalling.
    siginfo_t info{};
    const bool main_exited =
        ::waitid(P_PID, static_cast<id_t>(process.pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == process.pid;
    // What it left running in its cgroup ends with it (also what holds its output open), as a
    // Slurm job's processes end with the job.
    if (main_exited && !leftovers_killed && !process.cgroup.empty()) {
      RunAs::Signal(process, SIGKILL);
      leftovers_killed = true;
    }
    if (fds[0].fd < 0 && fds[1].fd < 0 && main_exited) exited = true;
    on_tick();
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  // Whatever its children still do in its group or its cgroup, they go with it.
  RunAs::EndAll(process);
  int status = 0;
  while (::waitpid(process.pid, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return outcome;
}

}  // namespace sfapid
