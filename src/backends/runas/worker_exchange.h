// Talking to a one-request worker within a deadline. The worker runs as the user, so the user can
// stop it (SIGSTOP) or make it slow (a FIFO, a hung filesystem): the server never waits on it
// without a deadline, and a worker that misses one is killed, so that no server thread is held.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>

#include "util/status.h"
#include "util/unique_fd.h"

namespace sfapid {

using WorkerDeadline = std::chrono::steady_clock::time_point;

struct WorkerExchange {
  std::string received;   // what the worker wrote (up to the limit)
  bool sent_all = false;  // it took all of the request
  bool timed_out = false;
  bool stopped = false;  // timed out before the deadline: the worker was seen stopped
};

// Writes `request` to the worker's stdin (then closes it) while reading its stdout until it
// closes, at most `limit` bytes, both before `deadline` (or until the worker `pid` is stopped:
// WaitIsOver).
WorkerExchange ExchangeWithWorker(UniqueFd to_worker, UniqueFd from_worker,
                                  std::string_view request, std::size_t limit,
                                  WorkerDeadline deadline, pid_t pid = -1);

// Milliseconds left until the deadline, for poll(2): at least 0.
int MsUntil(WorkerDeadline deadline);

// A wait on worker `pid` polls in slices: until the deadline, at most half a second at a time
// when a pid is watched. After a slice ran out, the wait is over when the deadline passed or the
// worker is stopped: its user may stop it (SIGSTOP), and a stopped worker would hold a server
// thread until the deadline, minutes (four such held every thread of the pool, so every user's
// file requests waited). A stopped worker is as late as one past its deadline: it is killed.
int PollMs(WorkerDeadline deadline, pid_t pid);
bool WaitIsOver(WorkerDeadline deadline, pid_t pid);
// What a request whose worker was stopped is answered.
Status WorkerStopped();

// Waits until `fd` can be read, at most until `deadline` (or until the worker `pid` is stopped).
// False when the wait is over without it.
bool WaitReadable(int fd, WorkerDeadline deadline, pid_t pid = -1);

// Reaps the worker; one still running at the deadline (or at once, with `kill_now`) is killed.
void ReapWorker(pid_t pid, WorkerDeadline deadline, bool kill_now = false);

}  // namespace sfapid
