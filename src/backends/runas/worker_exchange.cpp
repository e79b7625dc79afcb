#include "backends/runas/worker_exchange.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sfapid {

namespace {

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

int MsUntil(WorkerDeadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count() + 1, 0, 1 << 30));
}

bool WaitReadable(int fd, WorkerDeadline deadline) {
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, MsUntil(deadline));
    if (n < 0 && errno == EINTR) continue;
    return n != 0;  // readable, closed or failed: the read that follows says which
  }
}

WorkerExchange ExchangeWithWorker(UniqueFd to_worker, UniqueFd from_worker,
                                  std::string_view request, std::size_t limit,
                                  WorkerDeadline deadline) {
  WorkerExchange ex;
  SetNonBlocking(to_worker.get());
  SetNonBlocking(from_worker.get());
  std::size_t written = 0;
  if (request.empty()) to_worker.Reset();
  char buf[65536];
  while (from_worker.valid()) {
    pollfd fds[2] = {{from_worker.get(), POLLIN, 0}, {to_worker.get(), POLLOUT, 0}};
    const int n = ::poll(fds, to_worker.valid() ? 2 : 1, MsUntil(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ex.timed_out = n == 0;
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
    if (pidfd.valid() && WaitReadable(pidfd.get(), deadline) &&
        ::waitpid(pid, &status, WNOHANG) == pid)
      return;
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace sfapid
