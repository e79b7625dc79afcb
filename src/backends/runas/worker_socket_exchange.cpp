#include "backends/runas/worker_socket_exchange.h"

#include <poll.h>
#include <sys/socket.h>

#include <boost/json/parse.hpp>
#include <cerrno>
#include <cstring>

#include "util/fd_passing.h"

namespace sfapid {

namespace {

// What a reply may hold beyond the body asked for, as for a one-request worker.
constexpr std::size_t kHeaderSlack = 65536;

// The "body_size" of a reply's header line: 0 when absent; nullopt when the line is unreadable
// (WorkerReply::Parse then says why) or the size is not a count.
std::optional<std::size_t> BodySize(std::string_view line) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(line, ec);
  if (ec || !v.is_object()) return std::size_t{0};
  const boost::json::value* size = v.as_object().if_contains("body_size");
  if (!size) return std::size_t{0};
  if (!size->is_int64() || size->as_int64() < 0) return std::nullopt;
  return static_cast<std::size_t>(size->as_int64());
}

}  // namespace

SocketExchange ExchangeOnSocket(int socket, std::string_view request, std::size_t limit,
                                WorkerDeadline deadline, pid_t pid) {
  SocketExchange ex;
  std::string received;
  std::size_t written = 0, header_end = std::string::npos, body_size = 0;
  char buf[65536];
  for (;;) {
    const bool sending = written < request.size();
    pollfd p{socket, static_cast<short>(POLLIN | (sending ? POLLOUT : 0)), 0};
    const int n = ::poll(&p, 1, PollMs(deadline, pid));
    if ((n < 0 && errno == EINTR) || (n == 0 && !WaitIsOver(deadline, pid))) continue;
    if (n == 0) {
      ex.timed_out = true;
      ex.stopped = std::chrono::steady_clock::now() < deadline;
      return ex;
    }
    if (n < 0) {
      ex.error = std::string("poll: ") + std::strerror(errno);
      return ex;
    }
    if (sending && (p.revents & POLLOUT)) {
      const ssize_t w = ::send(socket, request.data() + written, request.size() - written,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) written += static_cast<std::size_t>(w);
      // A worker that is gone cannot take the rest: what it read says what became of it.
      if (w < 0 && errno != EAGAIN && errno != EINTR) written = request.size();
    }
    if (p.revents & POLLNVAL) {
      ex.error = "the worker's socket is closed";
      return ex;
    }
    if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
    auto got = ReceiveSomeWithFd(socket, buf, sizeof buf, ex.fd, MSG_DONTWAIT);
    if (!got) {  // poll said it was readable: not EAGAIN
      ex.error = got.status().message();
      return ex;
    }
    if (*got == 0) {
      ex.error = ex.received_any ? "the worker ended in the middle of its answer"
                                 : "the worker ended without an answer";
      return ex;
    }
    ex.received_any = true;
    received.append(buf, *got);
    if (header_end == std::string::npos) {
      header_end = received.find('\n');
      // The line itself may be long (a listing travels in it): the whole reply is bounded.
      if (header_end == std::string::npos) {
        if (received.size() > limit + kHeaderSlack) {
          ex.error = "the worker's answer has no end of line";
          return ex;
        }
        continue;
      }
      auto size = BodySize(std::string_view(received).substr(0, header_end));
      if (!size || header_end > limit + kHeaderSlack || *size > limit + kHeaderSlack - header_end) {
        ex.error = "the worker announced more than was asked for";
        return ex;
      }
      body_size = *size;
    }
    const std::size_t whole = header_end + 1 + body_size;
    if (received.size() < whole) continue;
    if (received.size() > whole || written < request.size()) {
      ex.error = "the worker answered out of turn";
      return ex;
    }
    ex.reply = WorkerReply::Parse(std::string_view(received).substr(0, header_end),
                                  received.substr(header_end + 1));
    return ex;
  }
}

}  // namespace sfapid
