#include "backends/notify/http_post.h"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <memory>

#include "util/network_blocklist.h"

namespace sfapid {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

struct Target {
  bool https = false;
  bool host_is_name = false;  // SNI is for names, not address literals
  std::string host;           // without IPv6 brackets, for the resolver and the certificate
  std::string port;
  std::string host_header;  // as in the URL, with brackets and a port if given
  std::string path;         // path and query
};

// Set by the coroutine; read after the io_context has stopped running it.
struct Exchange {
  bool finished = false;
  AttemptOutcome outcome;
};

// Peer verification against the system CA store. One context for every attempt: OpenSSL allows
// sharing a configured SSL_CTX between connections.
ssl::context& ClientTlsContext() {
  static ssl::context* ctx = [] {
    auto* c = new ssl::context(ssl::context::tls_client);
    c->set_default_verify_paths();
    c->set_verify_mode(ssl::verify_peer);
    c->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    return c;
  }();
  return *ctx;
}

void Fail(Exchange& x, const std::string& what, const boost::system::error_code& ec) {
  x.outcome = {AttemptOutcome::kFailed, what + ": " + ec.message()};
  x.finished = true;
}

template <typename Stream>
asio::awaitable<void> SendAndReadStatus(Stream& stream, const Target& t, const HttpPost& post,
                                        Exchange& x) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, t.path, 11};
  req.set(bhttp::field::host, t.host_header);
  req.set(bhttp::field::connection, "close");
  for (const auto& [name, value] : post.headers) req.set(name, value);
  req.body() = post.body;
  req.prepare_payload();
  if (auto [ec, n] = co_await bhttp::async_write(stream, req, kNoThrow); ec)
    co_return Fail(x, "sending the request failed", ec);
  // Only the status line and headers matter; the receiver's body is never read.
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.header_limit(16384);
  if (auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kNoThrow); ec)
    co_return Fail(x, "no valid HTTP answer", ec);
  const unsigned status = parser.get().result_int();
  if (status >= 200 && status < 300)
    x.outcome = {AttemptOutcome::kDelivered, "HTTP " + std::to_string(status)};
  else if (status >= 300 && status < 400)
    x.outcome = {AttemptOutcome::kFailed,
                 "answered HTTP " + std::to_string(status) + " (redirects are not followed)"};
  else
    x.outcome = {AttemptOutcome::kFailed, "answered HTTP " + std::to_string(status)};
  x.finished = true;
}

asio::awaitable<void> Run(Target t, HttpPost post, std::shared_ptr<Exchange> x) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto [rec, endpoints] = co_await resolver.async_resolve(t.host, t.port, kNoThrow);
  if (rec) co_return Fail(*x, "cannot resolve " + t.host, rec);
  // Checked on the very addresses connected to below, so a second lookup cannot swap them.
  const NetworkBlocklist blocked(post.blocked_networks, post.block_host_addresses);
  for (const auto& entry : endpoints) {
    // Text, then parsed: a scoped address (fe80::1%eth0) does not parse, and is refused.
    const std::string address = entry.endpoint().address().to_string();
    if (auto why = blocked.Blocks(address)) {
      x->outcome = {AttemptOutcome::kRefused,
                    t.host + " resolves to " + address + ", " + *why +
                        " (callbacks.blocked_networks, block_host_addresses); not retried"};
      x->finished = true;
      co_return;
    }
  }
  if (!t.https) {
    tcp::socket socket(ex);
    if (auto [ec, ep] = co_await asio::async_connect(socket, endpoints, kNoThrow); ec)
      co_return Fail(*x, "cannot connect", ec);
    co_await SendAndReadStatus(socket, t, post, *x);
    co_return;
  }
  ssl::stream<tcp::socket> stream(ex, ClientTlsContext());
  if (t.host_is_name && !SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str())) {
    x->outcome = {AttemptOutcome::kFailed, "cannot set the TLS server name"};
    x->finished = true;
    co_return;
  }
  stream.set_verify_callback(ssl::host_name_verification(t.host));
  if (auto [ec, ep] = co_await asio::async_connect(stream.next_layer(), endpoints, kNoThrow); ec)
    co_return Fail(*x, "cannot connect", ec);
  if (auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, kNoThrow); ec)
    co_return Fail(*x, "TLS handshake failed", ec);
  co_await SendAndReadStatus(stream, t, post, *x);
}

std::optional<Target> ParseTarget(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return std::nullopt;
  Target t;
  t.https = u->scheme_id() == boost::urls::scheme::https;
  if (!t.https && u->scheme_id() != boost::urls::scheme::http) return std::nullopt;
  t.host = u->host_address();
  t.host_is_name = u->host_type() == boost::urls::host_type::name;
  t.port = u->has_port() ? std::string(u->port()) : t.https ? "443" : "80";
  t.host_header = u->encoded_host_and_port();
  t.path = u->encoded_target();
  if (t.path.empty() || t.path.front() != '/') t.path.insert(0, "/");
  if (t.host.empty()) return std::nullopt;
  return t;
}

}  // namespace

std::string UrlForLogs(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return "(invalid URL)";
  return std::string(u->scheme()) + "://" + std::string(u->encoded_host_and_port()) +
         std::string(u->encoded_path());
}

AttemptOutcome PostOnce(const HttpPost& post, StopSignal& stop) {
  const auto target = ParseTarget(post.url);
  if (!target) return {AttemptOutcome::kFailed, "not an http:// or https:// URL"};
  auto exchange = std::make_shared<Exchange>();
  // Each attempt has its own io_context, so that a deadline or Stop() ends exactly this attempt:
  // run_for() returns at the deadline, and the stop hook makes run_for() return at once.
  asio::io_context ioc(1);
  asio::co_spawn(ioc, Run(*target, post, exchange), asio::detached);
  const uint64_t hook = stop.Add([&ioc] { ioc.stop(); });
  if (hook == 0) return {AttemptOutcome::kInterrupted, "sfapid is stopping"};
  ioc.run_for(std::chrono::milliseconds(static_cast<int64_t>(post.timeout_seconds * 1000)));
  stop.Remove(hook);
  if (exchange->finished) return exchange->outcome;
  if (stop.fired()) return {AttemptOutcome::kInterrupted, "sfapid is stopping"};
  return {AttemptOutcome::kFailed, fmt::format("no answer within {:g} s", post.timeout_seconds)};
}

}  // namespace sfapid
