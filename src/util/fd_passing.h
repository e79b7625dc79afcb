// Handing an open file from one process to another over a Unix socket (SCM_RIGHTS): a worker that
// opened a file as the user gives the descriptor to the server, which reads or writes through it
// without ever opening a user's path itself (docs/security.md, "Large files").
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"
#include "util/unique_fd.h"

namespace sfapid {

// Sends `message` (at least one byte) with `fd` attached, or without one when fd < 0.
Status SendWithFd(int socket, std::string_view message, int fd);

struct MessageWithFd {
  std::string message;  // everything the peer wrote before it closed its end
  UniqueFd fd;          // the descriptor that came with it, if any
};

// One read (recvmsg with `flags`, e.g. MSG_DONTWAIT) of at most `capacity` bytes; a descriptor
// that comes along goes into `fd` when that is still empty (any other is closed). 0: the peer
// closed its end.
Result<std::size_t> ReceiveSomeWithFd(int socket, char* buf, std::size_t capacity, UniqueFd& fd,
                                      int flags = 0);

// Reads until the peer closes its end (at most max_bytes), keeping the first descriptor sent
// along; any further ones are closed.
Result<MessageWithFd> ReceiveWithFd(int socket, std::size_t max_bytes);

}  // namespace sfapid
