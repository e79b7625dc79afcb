#include "backends/runas/worker_exchange.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <string>

namespace sfapid {

namespace {

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Whether the process is in a stopped (or traced) state.
bool ProcessStopped(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  // "pid (comm) S ...": the name may hold anything, the state follows its last ')'.
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return false;
  const char state = stat[close + 2];
  return state == 'T' || state == 't';
}

}  // namespace

int MsUntil(WorkerDeadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count() + 1, 0, 1 << 30));
}

int PollMs(WorkerDeadline deadline, pid_t pid) {
  constexpr int kStopCheckMs = 500;
  const int left = MsUntil(deadline);
  return pid > 0 ? std::min(left, kStopCheckMs) : left;
}

Status WorkerStopped() {
  return Status::Unavailable(
      "the worker acting as the user was stopped (a signal of the user's, such as SIGSTOP) and "
      "was ended; try again");
}

bool WaitIsOver(WorkerDeadline deadline, pid_t pid) {
  return MsUntil(deadline) == 0 || (pid > 0 && ProcessStopped(pid));
}

bool WaitReadable(int fd, WorkerDeadline deadline, pid_t pid) {
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, PollMs(deadline, pid));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 && !WaitIsOver(deadline, pid)) continue;
    return n != 0;  // readable, closed or failed: the read that follows says which
  }
}

WorkerExchange ExchangeWithWorker(UniqueFd to_worker, UniqueFd from_worker,
                                  std::string_view request, std::size_t limit,
                                  WorkerDeadline deadline, pid_t pid) {
  WorkerExchange ex;
  SetNonBlocking(to_worker.get());
  SetNonBlocking(from_worker.get());
  std::size_t written = 0;
  if (request.empty()) to_worker.Reset();
  char buf[65536];
  while (from_worker.valid()) {
    pollfd fds[2] = {{from_worker.get(), POLLIN, 0}, {to_worker.get(), POLLOUT, 0}};
    const int n = ::poll(fds, to_worker.valid() ? 2 : 1, PollMs(deadline, pid));
    if ((n < 0 && errno == EINTR) || (n == 0 && !WaitIsOver(deadline, pid))) continue;
    if (n <= 0) {
      ex.timed_out = n == 0;
      ex.stopped = ex.timed_out && std::chrono::steady_clock::now() < deadline;
      break;
    }
    if (to_worker.valid() && fds[1].revents) {
      const ssize_t w =
          ::write(to_worker.get(), request.data() + written, request.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == request.size())
        to_worker.Reset();  // all sent, or the worker stopped reading (EPIPE)
    }
    if (fds[0].revents) {
      const ssize_t r = ::read(from_worker.get(), buf, sizeof buf);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) break;
      ex.received.append(buf, static_cast<std::size_t>(r));
      if (ex.received.size() > limit) break;  // a worker never sends more than asked
    }
  }
  ex.sent_all = written == request.size();
  return ex;
}

void ReapWorker(pid_t pid, WorkerDeadline deadline, bool kill_now) {
  int status = 0;
  if (!kill_now && ::waitpid(pid, &status, WNOHANG) == pid) return;
  if (!kill_now) {
    // A pidfd becomes readable when the process ends: no polling loop, no sleeping.
    const UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (pidfd.valid() && WaitReadable(pidfd.get(), deadline, pid) &&
        ::waitpid(pid, &status, WNOHANG) == pid)
      return;
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace sfapid
