#include "http/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <variant>

#include "http/client_ip.h"
#include "http/errors.h"
#include "http/form.h"

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

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string id(16, '0');
  uint64_t v = rng();
  for (char& c : id) {
    c = hex[v & 15];
    v >>= 4;
  }
  return id;
}

// A client's X-Request-ID is echoed when it is short and plain; otherwise a new one is made, so
// that logs never carry a client's control characters.
bool UsableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != ':')
      return false;
  return true;
}

// RFC 9112 §6.1 and §6.3: a request whose framing two parties could read differently is refused
// and the connection closed, so a proxy in front cannot be made to pass a second, hidden request.
// Returns why, or an empty string when the framing is unambiguous.
std::string AmbiguousFraming(const bhttp::request_parser<bhttp::string_body>& parser) {
  const auto& msg = parser.get();
  std::string codings;
  int content_lengths = 0;
  std::string first_length;
  for (const auto& field : msg) {
    if (field.name() == bhttp::field::transfer_encoding)
      codings += (codings.empty() ? "" : ",") + std::string(field.value());
    if (field.name() == bhttp::field::content_length) {
      if (++content_lengths == 1)
        first_length = std::string(field.value());
      else if (field.value() != first_length)
        return "Content-Length is given twice, differently";
    }
  }
  if (msg.find(bhttp::field::transfer_encoding) == msg.end()) return "";
  if (msg.version() < 11) return "Transfer-Encoding is not allowed in an HTTP/1.0 request";
  if (content_lengths > 0) return "Content-Length and Transfer-Encoding must not both be given";
  // The last coding must be chunked, and chunked may not come twice.
  std::vector<std::string> list;
  for (size_t start = 0; start <= codings.size();) {
    size_t end = codings.find(',', start);
    if (end == std::string::npos) end = codings.size();
    std::string c = codings.substr(start, end - start);
    while (!c.empty() && (c.front() == ' ' || c.front() == '\t')) c.erase(0, 1);
    while (!c.empty() && (c.back() == ' ' || c.back() == '\t')) c.pop_back();
    if (!c.empty()) list.push_back(c);
    start = end + 1;
  }
  int chunked = 0;
  for (const auto& c : list) chunked += beast::iequals(c, "chunked");
  if (list.empty() || !beast::iequals(list.back(), "chunked") || chunked != 1)
    return "Transfer-Encoding must end with chunked, once";
  return "";
}

// What of a request target the access log may show: the path, and only query parameters known to
// carry no credentials (the token endpoint takes an assertion in the query string, and a client
// may put an access_token there).
std::string TargetForLog(std::string_view target) {
  static const std::set<std::string, std::less<>> kLoggable = {
      "cached", "sacct", "kwargs", "binary", "isPath", "index", "limit", "offset", "state"};
  const size_t q = target.find('?');
  std::string out(target.substr(0, q));
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  bool first = true, hidden = false;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const std::string_view key = pair.substr(0, pair.find('='));
    if (kLoggable.count(key)) {
      out += (first ? "?" : "&") + std::string(pair);
      first = false;
    } else {
      hidden = true;
    }
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
  }
  if (hidden) out += first ? "?(redacted)" : "&(redacted)";
  return out;
}

// The peer's address as text, IPv4-mapped IPv6 written as IPv4.
std::string PeerAddress(const tcp::socket& socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  std::string peer = ec ? "unknown" : remote.address().to_string();
  if (peer.rfind("::ffff:", 0) == 0) peer = peer.substr(7);
  return peer;
}

struct Connection {
  Connection(tcp::socket s, std::string peer_address)
      : stream(std::move(s)), peer(std::move(peer_address)) {}
  beast::tcp_stream stream;
  const std::string peer;        // the TCP peer, counted against max_connections_per_address
  std::atomic<bool> idle{true};  // waiting for the first byte of a request
};

}  // namespace

struct HttpServer::Impl {
  Impl(const ServerConfig& c, const Router& r)
      : config(c),
        router(r),
        ioc(c.threads),
        acceptor(ioc),
        signals(ioc, SIGINT, SIGTERM),
        pool(static_cast<std::size_t>(c.blocking_threads)),
        proxies(c.trusted_proxies) {}

  const ServerConfig& config;
  const Router& router;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::thread_pool pool;
  const TrustedProxies proxies;

  std::atomic<bool> stopping{false};
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
  asio::awaitable<void> DrainThenStop();
  void BeginShutdown();
  std::string ClientIp(const std::string& peer,
                       const bhttp::request<bhttp::string_body>& msg) const;
};

HttpServer::HttpServer(const ServerConfig& config, const Router& router)
    : impl_(std::make_unique<Impl>(config, router)) {}

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
  if (q != std::string::npos) {
    auto query = ParseUrlEncoded(std::string_view(req.target).substr(q + 1));
    if (!query) return ValidationError({{"query"}, query.status().message(), "value_error"});
    req.query = std::move(*query);
  }
  for (const auto& field : msg) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  req.path_params = m.params;
  req.remote_ip = ClientIp(peer, msg);
  req.request_id = request_id;
  return req;
}

asio::awaitable<Response> HttpServer::Impl::Dispatch(const Match& m,
                                                     bhttp::request<bhttp::string_body>& msg,
                                                     const std::string& peer,
                                                     const std::string& request_id) {
  if (!m.route) {
    if (m.method_not_allowed) co_return DetailError(405, "Method Not Allowed");
    co_return NotFound();
  }
  if (m.bad_escape) co_return DetailError(400, "Malformed %-escape in the request path");

  auto built = BuildRequest(m, msg, peer, request_id);
  if (auto* refused = std::get_if<Response>(&built)) co_return std::move(*refused);
  Request& req = std::get<Request>(built);
  req.body = std::move(msg.body());

  auto run = [&req, route = m.route]() -> Response {
    try {
      return route->handler(req);
    } catch (const std::exception& e) {
      spdlog::error("request {}: handler for {} {} failed: {}", req.request_id, route->method,
                    route->pattern, e.what());
    } catch (...) {
      spdlog::error("request {}: handler for {} {} failed", req.request_id, route->method,
                    route->pattern);
    }
    return DetailError(
        500, "Internal server error; quote request id " + req.request_id + " to the operators");
  };
  if (m.route->execution == Execution::kInline) co_return run();
  co_return co_await asio::co_spawn(
      pool, [&run]() -> asio::awaitable<Response> { co_return run(); }, asio::use_awaitable);
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
    } else if (std::string why = AmbiguousFraming(parser); !why.empty()) {
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
          auto [body_ec, body_n] =
              co_await bhttp::async_read(conn->stream, buffer, parser, kNoThrow);
          if (body_ec == bhttp::error::body_limit) {
            response = too_large();
          } else if (body_ec) {
            break;  // includes a body slower than request_timeout: the stream closed the socket
          }
        }
        if (!close_after) response = co_await Dispatch(match, parser.get(), peer, request_id);
      }
      if (!parser.get().keep_alive()) close_after = true;
    }

    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), 11};
    res.set(bhttp::field::server, "sfapid");
    res.set(bhttp::field::content_type, response.content_type);
    res.set("X-Request-ID", request_id);
    for (const auto& [k, v] : response.headers) res.set(k, v);
    res.body() = std::move(response.body);
    res.keep_alive(!close_after && !stopping);
    res.prepare_payload();
    const std::size_t bytes = res.body().size();
    if (head_only) res.body().clear();  // Content-Length still tells the GET's size
    conn->stream.expires_after(Millis(config.request_timeout_seconds));
    auto [write_ec, written] = co_await bhttp::async_write(conn->stream, res, kNoThrow);
    if (config.access_log) {
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      spdlog::info("{} \"{} {}\" {} {} {:.2f}ms rid={}", peer, method, TargetForLog(target),
                   response.status, bytes, ms, request_id);
    }
    if (write_ec || !res.keep_alive()) break;
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
