#include "util/fd_passing.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace sfapid {

namespace {

void CloseAttached(msghdr& msg, UniqueFd& keep) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (!keep.valid())
        keep = UniqueFd(fd);
      else
        ::close(fd);
    }
  }
}

}  // namespace

Status SendWithFd(int socket, std::string_view message, int fd) {
  if (message.empty()) return Status::InvalidArgument("SendWithFd: an empty message");
  iovec iov{const_cast<char*>(message.data()), message.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  // The descriptor travels with the first byte; the rest may follow in further writes.
  std::size_t sent = 0;
  while (sent < message.size()) {
    const ssize_t n = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Unavailable(std::string("sendmsg: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
    iov = {const_cast<char*>(message.data()) + sent, message.size() - sent};
    msg.msg_control = nullptr;
    msg.msg_controllen = 0;
  }
  return Status::Ok();
}

Result<std::size_t> ReceiveSomeWithFd(int socket, char* buf, std::size_t capacity, UniqueFd& fd,
                                      int flags) {
  for (;;) {
    iovec iov{buf, capacity};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))];
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC | flags);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Unavailable(std::string("recvmsg: ") + std::strerror(errno));
    CloseAttached(msg, fd);
    return static_cast<std::size_t>(n);
  }
}

Result<MessageWithFd> ReceiveWithFd(int socket, std::size_t max_bytes) {
  MessageWithFd out;
  char buf[16384];
  for (;;) {
    auto n = ReceiveSomeWithFd(socket, buf, sizeof buf, out.fd);
    if (!n) return n.status();
    if (*n == 0) break;
    out.message.append(buf, *n);
    if (out.message.size() > max_bytes)
      return Status::Unavailable("the peer sent more than " + std::to_string(max_bytes) + " bytes");
  }
  return out;
}

}  // namespace sfapid
