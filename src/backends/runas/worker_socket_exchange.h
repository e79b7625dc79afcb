// One request and its reply on a serving worker's Unix socket (user_worker_pool.h), within a
// deadline. Unlike a one-request worker, whose reply ends when it closes its end, a serving worker
// frames its reply: a JSON line with "body_size", then that many bytes, maybe with a descriptor
// attached (an opened file). The worker runs as the user, who can stop it or slow it: the server
// never waits past the deadline, and the caller kills a worker that missed it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "backends/runas/run_as.h"
#include "backends/runas/worker_exchange.h"
#include "util/unique_fd.h"

namespace sfapid {

struct SocketExchange {
  std::optional<Result<WorkerReply>> reply;  // a whole reply came (maybe one refusing the request)
  UniqueFd fd;                               // the descriptor that came with it
  bool timed_out = false;
  bool stopped = false;       // timed out before the deadline: the worker was seen stopped
  bool received_any = false;  // the worker began to answer (it took the request)
  std::string error;          // why no reply came, when not timed out
};

// Sends `request` (FramedRequest) while reading one framed reply of at most `limit` bytes and
// 64 KiB more (its line, which may carry data too: a listing).
// A worker that sends more than its reply, or a reply before it took the whole request, has left
// the protocol: `error` says so and the caller ends it. `pid`: the worker, whose being stopped
// ends the wait as the deadline does (WaitIsOver).
SocketExchange ExchangeOnSocket(int socket, std::string_view request, std::size_t limit,
                                WorkerDeadline deadline, pid_t pid = -1);

}  // namespace sfapid
