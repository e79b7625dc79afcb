#include "http/server.h"

#include <spdlog/spdlog.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <variant>

#include "http/access_log_target.h"
#include "http/client_ip.h"
#include "http/errors.h"
#include "http/form.h"
#include "http/request_framing.h"
#include "http/request_id.h"

namespace sfapid::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// The framing fields of a parsed request header, for AmbiguousFraming.
FramingHeaders FramingOf(const bhttp::request_parser<bhttp::string_body>& parser) {
  FramingHeaders h;
  h.version = static_cast<int>(parser.get().version());
  for (const auto& field : parser.get()) {
    if (field.name() == bhttp::field::transfer_encoding)
      h.transfer_encodings.emplace_back(field.value());
    if (field.name() == bhttp::field::content_length) h.content_lengths.emplace_back(field.value());
  }
  return h;
}

// The peer's address as text, IPv4-mapped IPv6 written as IPv4.
std::string PeerAddress(const tcp::socket& socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  std::string peer = ec ? "unknown" : remote.address().to_string();
  if (peer.rfind("::ffff:", 0) == 0) peer = peer.substr(7);
  return peer;
}

// What a session waiting for a stream's next piece or a deferred answer sleeps on: a timer that a
// wake (posted to the connection's strand from any thread) cancels. `woken` keeps a wake that
// came while the session was busy writing.
struct Waker {
  explicit Waker(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;
  bool woken = false;     // on the strand only
  bool readable = false;  // the hang-up watch fired (strand only)
};

struct Connection {
  Connection(tcp::socket s, std::string peer_address)
      : stream(std::move(s)), peer(std::move(peer_address)) {}
  beast::tcp_stream stream;
  const std::string peer;        // the TCP peer, counted against max_connections_per_address
  std::atomic<bool> idle{true};  // waiting for the first byte of a request
  std::shared_ptr<Waker> waker;  // while it waits on a stream or a deferred answer (strand only)

  // A Wake for the API layer: safe from any thread, and after the connection is gone.
  Wake MakeWake() {
    waker = std::make_shared<Waker>(stream.get_executor());
    return [ex = stream.get_executor(), w = std::weak_ptr<Waker>(waker)] {
      asio::post(ex, [w] { WakeUp(w.lock()); });
    };
  }
  static void WakeUp(const std::shared_ptr<Waker>& w) {
    if (!w) return;
    w->woken = true;
    w->timer.cancel();
  }
};

// A stream or a long-poll reads nothing more from its client, so its socket turning readable
// means the client hung up (or sent its next request early). The watch wakes the waiter, so that
// a client gone is noticed at once, not at the next write: its stream no longer counts against
// [events] max_streams_per_user, its long-poll no longer waits.
void WatchForHangUp(Connection& conn) {
  conn.stream.socket().async_wait(tcp::socket::wait_read, [w = std::weak_ptr<Waker>(conn.waker)](
                                                              const boost::system::error_code& ec) {
    auto waker = w.lock();
    if (!waker || ec) return;
    waker->readable = true;
    Connection::WakeUp(waker);
  });
}

// After a wake: whether the watch saw the client hang up. Bytes from the client (an early next
// request) stay for the next read and end the watch; a spurious wake re-arms it.
bool ClientHungUp(Connection& conn) {
  if (!conn.waker->readable) return false;
  conn.waker->readable = false;
  char byte;
  const ssize_t n = ::recv(conn.stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return false;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    WatchForHangUp(conn);
    return false;
  }
  return true;  // end of stream, or the connection failed
}

// Ends the watch before the session reads or closes the socket again.
void EndHangUpWatch(Connection& conn) {
  boost::system::error_code ignored;
  conn.stream.socket().cancel(ignored);
  conn.waker.reset();
}

// Sleeps until woken or `until`.
asio::awaitable<void> Sleep(Waker& w, std::chrono::steady_clock::time_point until) {
  if (!w.woken) {
    w.timer.expires_at(until);
    co_await w.timer.async_wait(kNoThrow);
  }
  w.woken = false;
}

}  // namespace

struct HttpServer::Impl {
  Impl(const ServerConfig& c, const Router& r, Readiness* ready)
      : config(c),
        router(r),
        readiness(ready),
        ioc(c.threads),
        acceptor(ioc),
        signals(ioc, SIGINT, SIGTERM),
        pool(static_cast<std::size_t>(c.blocking_threads)),
        proxies(c.trusted_proxies) {}

  const ServerConfig& config;
  const Router& router;
  Readiness* readiness;  // may be null (tests of the server alone)
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::thread_pool pool;
  const TrustedProxies proxies;

  std::atomic<bool> draining{false};  // the stop began: no keep-alive, /readyz unready
  std::atomic<bool> stopping{false};  // no longer accepting
  std::atomic<int> active{0};
  std::mutex connections_mu;
  std::set<std::shared_ptr<Connection>> connections;
  std::map<std::string, int> connections_per_address;  // under connections_mu

  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Session(std::shared_ptr<Connection> conn);
  asio::awaitable<void> Reject(tcp::socket socket);
  // Registers a new connection, or returns null when its address already holds its share.
  std::shared_ptr<Connection> Admit(tcp::socket& socket);
  asio::awaitable<Response> Dispatch(const Match& m, bhttp::request<bhttp::string_body>& msg,
                                     const std::string& peer, const std::string& request_id);
  // Everything of the request but its body; or the error answer for a malformed query.
  std::variant<Request, Response> BuildRequest(const Match& m,
                                               const bhttp::request<bhttp::string_body>& msg,
                                               const std::string& peer,
                                               const std::string& request_id) const;
  // Sends a file body after its header: the kernel copies it (sendfile), a slice at a time so that
  // other connections on this thread get their turn. False when the client went away or stalled
  // for request_timeout_seconds.
  asio::awaitable<bool> SendFileBody(Connection& conn, FileBody& file);
  // Sends a stream's pieces as chunks until it completes, the client goes or the server drains
  // (then the client reconnects, to this node or another). Adds what it sent to `bytes`.
  asio::awaitable<bool> SendStream(Connection& conn, StreamBody& body, std::size_t& bytes);
  // Waits for a deferred answer: Check on the pool when woken, and at the deadline.
  asio::awaitable<Response> AwaitDeferred(Connection& conn, DeferredResponse& deferred,
                                          const std::string& request_id);
  // Reads the rest of a request's body. Beast's own read takes 64 KiB per wake-up, which on a
  // virtual machine caps a large upload at ~65 MiB/s; this takes up to 1 MiB of a long body at
  // once, and gives the memory back afterwards.
  asio::awaitable<boost::system::error_code> ReadBody(
      Connection& conn, beast::flat_buffer& buffer,
      bhttp::request_parser<bhttp::string_body>& parser);
  asio::awaitable<void> DrainThenStop();
  asio::awaitable<void> UnreadyThenStopAccepting();
  void BeginShutdown();
  void StopAccepting();
  std::string ClientIp(const std::string& peer,
                       const bhttp::request<bhttp::string_body>& msg) const;
};

HttpServer::HttpServer(const ServerConfig& config, const Router& router, Readiness* readiness)
    : impl_(std::make_unique<Impl>(config, router, readiness)) {}

HttpServer::~HttpServer() { impl_->pool.join(); }

Status HttpServer::Bind() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(impl_->config.listen, ec);
  if (ec)
    return Status::InvalidArgument("server.listen '" + impl_->config.listen +
                                   "' is not an IP address");
  tcp::endpoint ep(address, impl_->config.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Status::Unavailable("cannot listen on " + impl_->config.listen + ":" +
                               std::to_string(impl_->config.port) + ": " + ec.message());
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::Run() {
  auto& im = *impl_;
  im.signals.async_wait([&im](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("received signal {}; finishing in-flight requests", sig);
    im.BeginShutdown();
    // A second signal while draining (an impatient Ctrl-C) stops accepting at once.
    im.signals.async_wait([&im](const boost::system::error_code& again, int) {
      if (!again) asio::post(im.ioc, [&im] { im.StopAccepting(); });
    });
  });
  asio::co_spawn(im.ioc, im.AcceptLoop(), asio::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < im.config.threads; ++i) threads.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : threads) t.join();
  im.pool.join();
}

void HttpServer::Stop() {
  asio::post(impl_->ioc, [im = impl_.get()] { im->BeginShutdown(); });
}

void HttpServer::Impl::BeginShutdown() {
  if (draining.exchange(true)) return;
  if (readiness) readiness->BeginDraining();
  {
    // Streams and long-polls end now (their clients resume elsewhere) rather than hold the drain.
    std::lock_guard lock(connections_mu);
    for (const auto& c : connections)
      asio::post(c->stream.get_executor(), [c] { Connection::WakeUp(c->waker); });
  }
  if (config.drain_seconds <= 0) return StopAccepting();
  spdlog::info("draining: /readyz answers 503 for {} s before this node stops accepting",
               config.drain_seconds);
  asio::co_spawn(ioc, UnreadyThenStopAccepting(), asio::detached);
}

asio::awaitable<void> HttpServer::Impl::UnreadyThenStopAccepting() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(Millis(config.drain_seconds));
  co_await timer.async_wait(kNoThrow);
  StopAccepting();
}

void HttpServer::Impl::StopAccepting() {
  if (stopping.exchange(true)) return;
  boost::system::error_code ignored;
  acceptor.close(ignored);
  signals.cancel(ignored);
  std::lock_guard lock(connections_mu);
  for (const auto& c : connections)
    asio::post(c->stream.get_executor(), [c] {
      if (c->idle) c->stream.cancel();
    });
  asio::co_spawn(ioc, DrainThenStop(), asio::detached);
}

asio::awaitable<void> HttpServer::Impl::DrainThenStop() {
  const auto deadline = std::chrono::steady_clock::now() + Millis(config.shutdown_grace_seconds);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (active.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(20ms);
    co_await timer.async_wait(kNoThrow);
  }
  if (active.load() > 0)
    spdlog::warn("shutdown grace period over; closing {} connection(s) still busy", active.load());
  ioc.stop();
}

asio::awaitable<void> HttpServer::Impl::AcceptLoop() {
  while (!stopping) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), kNoThrow);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    tcp::socket accepted(std::move(socket));  // keeps the strand as its executor
    auto conn = active.load() < config.max_connections ? Admit(accepted) : nullptr;
    if (!conn) {
      auto ex = accepted.get_executor();
      asio::co_spawn(ex, Reject(std::move(accepted)), asio::detached);
      continue;
    }
    asio::co_spawn(conn->stream.get_executor(), Session(conn), asio::detached);
  }
}

// One address may hold max_connections_per_address of the server's connections, so that one
// client cannot take every slot; a trusted proxy speaks for many clients and is not limited.
std::shared_ptr<Connection> HttpServer::Impl::Admit(tcp::socket& socket) {
  std::string peer = PeerAddress(socket);
  const bool limited = config.max_connections_per_address > 0 && !proxies.Contains(peer);
  std::lock_guard lock(connections_mu);
  int& held = connections_per_address[peer];
  if (limited && held >= config.max_connections_per_address) {
    if (held == 0) connections_per_address.erase(peer);
    return nullptr;
  }
  ++held;
  auto conn = std::make_shared<Connection>(std::move(socket), std::move(peer));
  connections.insert(conn);
  ++active;
  return conn;
}

// Over the connection limit: a short 503 (clients retry it with back-off), then close.
asio::awaitable<void> HttpServer::Impl::Reject(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(1s);
  bhttp::response<bhttp::string_body> res{bhttp::status::service_unavailable, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.set(bhttp::field::retry_after, "1");
  res.body() = R"({"detail":"Too many connections; try again shortly"})";
  res.keep_alive(false);
  res.prepare_payload();
  co_await bhttp::async_write(stream, res, kNoThrow);
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

std::string HttpServer::Impl::ClientIp(const std::string& peer,
                                       const bhttp::request<bhttp::string_body>& msg) const {
  std::vector<std::string_view> forwarded_for;
  for (auto [it, end] = msg.equal_range("X-Forwarded-For"); it != end; ++it)
    forwarded_for.push_back(it->value());
  return proxies.ClientIp(peer, forwarded_for);
}

std::variant<Request, Response> HttpServer::Impl::BuildRequest(
    const Match& m, const bhttp::request<bhttp::string_body>& msg, const std::string& peer,
    const std::string& request_id) const {
  Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  const size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  for (const auto& field : msg) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  req.path_params = m.params;
  req.remote_ip = ClientIp(peer, msg);
  req.via_trusted_proxy = proxies.Contains(peer);
  req.request_id = request_id;
  if (q != std::string::npos) {
    auto query = ParseUrlEncoded(std::string_view(req.target).substr(q + 1));
    if (!query) {
      if (router.HasErrorShape(req.path)) return router.Error(req, 400, query.status().message());
      return ValidationError({{"query"}, query.status().message(), "value_error"});
    }
    req.query = std::move(*query);
  }
  return req;
}

asio::awaitable<Response> HttpServer::Impl::Dispatch(const Match& m,
                                                     bhttp::request<bhttp::string_body>& msg,
                                                     const std::string& peer,
                                                     const std::string& request_id) {
  auto built = BuildRequest(m, msg, peer, request_id);
  if (auto* refused = std::get_if<Response>(&built)) co_return std::move(*refused);
  Request& req = std::get<Request>(built);
  if (!m.route) {
    if (!m.method_not_allowed) co_return router.Error(req, 404, "Not Found");
    Response r = router.Error(req, 405, "Method Not Allowed");
    std::string allow;
    for (const auto& method : m.allowed) allow += (allow.empty() ? "" : ", ") + method;
    r.headers.emplace_back("Allow", allow);
    co_return r;
  }
  if (m.bad_escape) co_return router.Error(req, 400, "Malformed %-escape in the request path");
  req.body = std::move(msg.body());

  // A handler's failure is logged and answered 500 (the same for an at_once answer).
  const Route* route = m.route;
  auto guarded = [this, &req, route](auto&& work) -> std::optional<Response> {
    try {
      return work();
    } catch (const std::exception& e) {
      spdlog::error("request {}: handler for {} {} failed: {}", req.request_id, route->method,
                    route->pattern, e.what());
    } catch (...) {
      spdlog::error("request {}: handler for {} {} failed", req.request_id, route->method,
                    route->pattern);
    }
    return router.Error(
        req, 500,
        "Internal server error; quote request id " + req.request_id + " to the operators");
  };
  auto run = [&guarded, &req, route]() -> Response {
    return *guarded([&]() -> std::optional<Response> { return route->handler(req); });
  };
  if (route->execution == Execution::kInline) co_return run();
  if (route->at_once)
    if (auto answer = guarded([&] { return route->at_once(req); })) co_return std::move(*answer);
  co_return co_await asio::co_spawn(
      pool, [&run]() -> asio::awaitable<Response> { co_return run(); }, asio::use_awaitable);
}

asio::awaitable<bool> HttpServer::Impl::SendFileBody(Connection& conn, FileBody& file) {
  constexpr int64_t kSlice = 4 << 20;
  auto& socket = conn.stream.socket();
  boost::system::error_code ec;
  socket.native_non_blocking(true, ec);
  if (ec) co_return false;
  off_t offset = file.offset;
  int64_t left = file.length;
  asio::steady_timer stall(socket.get_executor());
  while (left > 0) {
    const ssize_t n = ::sendfile(socket.native_handle(), file.fd.get(), &offset,
                                 static_cast<size_t>(std::min(left, kSlice)));
    if (n > 0) {
      left -= n;
      co_await asio::post(socket.get_executor(), asio::use_awaitable);
      continue;
    }
    if (n == 0) co_return false;  // the file shrank under us: the client sees a short body
    if (errno == EINTR) continue;
    if (errno != EAGAIN) co_return false;
    stall.expires_after(Millis(config.request_timeout_seconds));
    stall.async_wait([&socket](const boost::system::error_code& e) {
      if (!e) socket.cancel();
    });
    auto [wait_ec] = co_await socket.async_wait(tcp::socket::wait_write, kNoThrow);
    stall.cancel();
    if (wait_ec) co_return false;
  }
  co_return true;
}

asio::awaitable<bool> HttpServer::Impl::SendStream(Connection& conn, StreamBody& body,
                                                   std::size_t& bytes) {
  body.Start(conn.MakeWake());
  WatchForHangUp(conn);
  const auto beat = body.heartbeat_interval();
  auto last_sent = std::chrono::steady_clock::now();
  bool ok = true;
  for (;;) {
    std::string out;
    bool complete = draining;
    while (!complete && out.size() < (256u << 10)) {
      std::optional<std::string> piece = body.Next();
      if (!piece) complete = true;
      if (!piece || piece->empty()) break;
      out += *piece;
    }
    if (out.empty() && !complete && std::chrono::steady_clock::now() - last_sent >= beat)
      out = body.Heartbeat();
    if (!out.empty()) {
      // A client that reads nothing for request_timeout is cut: its queue cannot grow for ever.
      conn.stream.expires_after(Millis(config.request_timeout_seconds));
      auto [ec, n] =
          co_await asio::async_write(conn.stream, bhttp::make_chunk(asio::buffer(out)), kNoThrow);
      if (ec) {
        ok = false;
        break;
      }
      bytes += out.size();
      last_sent = std::chrono::steady_clock::now();
      continue;  // more may have come while writing
    }
    if (complete) {
      conn.stream.expires_after(Millis(config.request_timeout_seconds));
      auto [ec, n] = co_await asio::async_write(conn.stream, bhttp::make_chunk_last(), kNoThrow);
      ok = !ec;
      break;
    }
    co_await Sleep(*conn.waker, last_sent + beat);
    if (ClientHungUp(conn)) {
      ok = false;
      break;
    }
  }
  body.Close();
  EndHangUpWatch(conn);
  co_return ok;
}

asio::awaitable<Response> HttpServer::Impl::AwaitDeferred(Connection& conn,
                                                          DeferredResponse& deferred,
                                                          const std::string& request_id) {
  deferred.Start(conn.MakeWake());
  WatchForHangUp(conn);
  std::optional<Response> answer;
  while (!answer) {
    // A drain that began before this wait did not wake it: answer now, not at the deadline.
    if (!draining) co_await Sleep(*conn.waker, deferred.deadline());
    if (ClientHungUp(conn)) {
      answer = DetailError(499, "The client closed the connection before the answer");
      break;
    }
    const bool final = draining || std::chrono::steady_clock::now() >= deferred.deadline();
    answer = co_await asio::co_spawn(
        pool,
        [&deferred, final, &request_id]() -> asio::awaitable<std::optional<Response>> {
          try {
            auto r = deferred.Check(final);
            if (r || !final) co_return r;
          } catch (const std::exception& e) {
            spdlog::error("request {}: a long-poll check failed: {}", request_id, e.what());
          }
          co_return DetailError(
              500, "Internal server error; quote request id " + request_id + " to the operators");
        },
        asio::use_awaitable);
  }
  deferred.Close();
  EndHangUpWatch(conn);
  co_return std::move(*answer);
}

asio::awaitable<boost::system::error_code> HttpServer::Impl::ReadBody(
    Connection& conn, beast::flat_buffer& buffer,
    bhttp::request_parser<bhttp::string_body>& parser) {
  constexpr std::size_t kSmall = 64 << 10, kLarge = 1 << 20;
  boost::system::error_code ec;
  while (!parser.is_done()) {
    if (buffer.size() > 0) {
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
      } else if (ec) {
        break;
      }
      if (parser.is_done() || used > 0) continue;
    }
    const auto left = parser.content_length_remaining();
    const std::size_t want =
        left && *left > kSmall ? std::min<std::uint64_t>(*left, kLarge) : kSmall;
    auto [read_ec, n] = co_await conn.stream.async_read_some(buffer.prepare(want), kNoThrow);
    buffer.commit(n);
    if (read_ec == asio::error::eof) {
      parser.put_eof(ec);
      break;
    }
    if (read_ec) {
      ec = read_ec;
      break;
    }
  }
  if (buffer.capacity() > kSmall && buffer.size() <= kSmall) buffer.shrink_to_fit();
  co_return ec;
}

asio::awaitable<void> HttpServer::Impl::Session(std::shared_ptr<Connection> conn) {
  beast::flat_buffer buffer;
  const std::string& peer = conn->peer;

  while (!stopping) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
    // The body limit depends on the route, known only after the header: no limit until then.
    parser.body_limit((std::numeric_limits<std::uint64_t>::max)());
    conn->idle = true;
    conn->stream.expires_after(Millis(config.idle_timeout_seconds));
    auto [ec, n] = co_await bhttp::async_read_header(conn->stream, buffer, parser, kNoThrow);
    conn->idle = false;
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof)
      break;

    const auto started = std::chrono::steady_clock::now();
    Response response;
    bool close_after = false, head_only = false;
    std::string method = "-", target = "-";
    std::string request_id;
    if (ec) {
      close_after = true;
      request_id = NewRequestId();
      response = ec == bhttp::error::header_limit
                     ? DetailError(431, "Request headers are larger than " +
                                            std::to_string(config.max_header_bytes) + " bytes")
                     : DetailError(400, "Malformed HTTP request: " + ec.message());
    } else if (std::string why = AmbiguousFraming(FramingOf(parser)); !why.empty()) {
      close_after = true;  // the rest of the stream cannot be framed: nothing more is read
      request_id = NewRequestId();
      method = std::string(parser.get().method_string());
      target = std::string(parser.get().target());
      response = DetailError(400, "Malformed HTTP request: " + why);
    } else {
      auto& msg = parser.get();
      method = std::string(msg.method_string());
      target = std::string(msg.target());
      auto rid = msg.find("X-Request-ID");
      request_id = rid != msg.end() && UsableRequestId(rid->value()) ? std::string(rid->value())
                                                                     : NewRequestId();
      const std::string_view path = std::string_view(target).substr(0, target.find('?'));
      // HEAD is answered as GET without the body, as HTTP requires.
      const bool head = method == "HEAD";
      head_only = head;
      const Match match = router.Find(head ? "GET" : method, path);
      const std::size_t limit = match.route && match.route->max_body_bytes
                                    ? match.route->max_body_bytes
                                    : config.max_body_bytes;
      parser.body_limit(limit);
      auto too_large = [&] {
        close_after = true;
        return DetailError(413, "Request body is larger than this route accepts (" +
                                    std::to_string(limit) + " bytes)");
      };
      // A body is coming: let the route refuse the request (authentication) before it is read.
      std::optional<Response> refused;
      if (match.route && match.route->precheck && !match.bad_escape && !parser.is_done()) {
        auto built = BuildRequest(match, msg, peer, request_id);
        if (auto* req = std::get_if<Request>(&built))
          refused = match.route->precheck(*req);
        else
          refused = std::move(std::get<Response>(built));
      }
      if (refused) {
        response = std::move(*refused);
        close_after = true;  // the unread body is still on the connection
      } else if (parser.content_length() && *parser.content_length() > limit) {
        response = too_large();
      } else {
        conn->stream.expires_after(Millis(config.request_timeout_seconds));
        if (!parser.is_done()) {
          if (beast::iequals(msg[bhttp::field::expect], "100-continue")) {
            bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
            co_await bhttp::async_write(conn->stream, cont, kNoThrow);
          }
          const auto body_ec = co_await ReadBody(*conn, buffer, parser);
          if (body_ec == bhttp::error::body_limit) {
            response = too_large();
          } else if (body_ec) {
            break;  // includes a body slower than request_timeout: the stream closed the socket
          }
        }
        if (!close_after) response = co_await Dispatch(match, parser.get(), peer, request_id);
        if (response.deferred) {
          auto deferred = std::move(response.deferred);
          // Headers set beside the wait (by wrappers such as Idempotency-Key's) go with its answer.
          Params beside = std::move(response.headers);
          response = co_await AwaitDeferred(*conn, *deferred, request_id);
          response.headers.insert(response.headers.end(), beside.begin(), beside.end());
        }
      }
      if (!parser.get().keep_alive()) close_after = true;
    }

    auto decorate = [&](auto& res) {
      res.set(bhttp::field::server, "sfapid");
      // 204 and 304 carry no body, so nothing to type.
      if (response.status != 204 && response.status != 304)
        res.set(bhttp::field::content_type, response.content_type);
      res.set("X-Request-ID", request_id);
      for (const auto& [k, v] : response.headers) res.set(k, v);
      res.keep_alive(!close_after && !draining);
    };
    std::size_t bytes = 0;
    bool sent = true, keep_alive = true;
    conn->stream.expires_after(Millis(config.request_timeout_seconds));
    if (response.stream) {
      close_after = true;  // the stream's end is the connection's
      bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(response.status), 11};
      decorate(res);
      res.set(bhttp::field::cache_control, "no-cache");
      res.set("X-Accel-Buffering", "no");  // nginx in front: pass each event on at once
      res.chunked(true);
      keep_alive = false;
      bhttp::response_serializer<bhttp::empty_body> header(res);
      auto [header_ec, header_n] =
          co_await bhttp::async_write_header(conn->stream, header, kNoThrow);
      sent = !header_ec && !head_only && co_await SendStream(*conn, *response.stream, bytes);
      if (header_ec || head_only) response.stream->Close();
      response.stream.reset();
    } else if (response.file) {
      bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(response.status), 11};
      decorate(res);
      res.content_length(response.file->length);
      keep_alive = res.keep_alive();
      bytes = static_cast<std::size_t>(response.file->length);
      bhttp::response_serializer<bhttp::empty_body> header(res);
      auto [header_ec, header_n] =
          co_await bhttp::async_write_header(conn->stream, header, kNoThrow);
      sent = !header_ec && (head_only || co_await SendFileBody(*conn, *response.file));
      response.file.reset();  // closes the file now, not when the connection ends
    } else {
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), 11};
      decorate(res);
      res.body() = std::move(response.body);
      res.prepare_payload();
      keep_alive = res.keep_alive();
      bytes = res.body().size();
      if (head_only) res.body().clear();  // Content-Length still tells the GET's size
      auto [write_ec, written] = co_await bhttp::async_write(conn->stream, res, kNoThrow);
      sent = !write_ec;
    }
    if (config.access_log) {
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      spdlog::info("{} \"{} {}\" {} {} {:.2f}ms rid={}", peer, method, TargetForLog(target),
                   response.status, bytes, ms, request_id);
    }
    if (!sent || !keep_alive) break;
  }
  boost::system::error_code ignored;
  conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  {
    std::lock_guard lock(connections_mu);
    connections.erase(conn);
    if (--connections_per_address[peer] <= 0) connections_per_address.erase(peer);
  }
  --active;
}

}  // namespace sfapid::http
