// Talking to a one-request worker within a deadline. The worker runs as the user, so the user can
// stop it (SIGSTOP) or make it slow (a FIFO, a hung filesystem): the server never waits on it
// without a deadline, and a worker that misses one is killed, so that no server thread is held.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>

#include "util/unique_fd.h"

namespace sfapid {

using WorkerDeadline = std::chrono::steady_clock::time_point;

struct WorkerExchange {
  std::string received;   // what the worker wrote (up to the limit)
  bool sent_all = false;  // it took all of the request
  bool timed_out = false;
};

// Writes `request` to the worker's stdin (then closes it) while reading its stdout until it
// closes, at most `limit` bytes, both before `deadline`.
WorkerExchange ExchangeWithWorker(UniqueFd to_worker, UniqueFd from_worker,
                                  std::string_view request, std::size_t limit,
                                  WorkerDeadline deadline);

// Milliseconds left until the deadline, for poll(2): at least 0.
int MsUntil(WorkerDeadline deadline);

// Waits until `fd` can be read, at most until `deadline`. False when time ran out.
bool WaitReadable(int fd, WorkerDeadline deadline);

// Reaps the worker; one still running at the deadline (or at once, with `kill_now`) is killed.
void ReapWorker(pid_t pid, WorkerDeadline deadline, bool kill_now = false);

}  // namespace sfapid
