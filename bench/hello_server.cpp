// The baseline for bench/http_status.sh: the smallest fair Beast HTTP/1.1 keep-alive server on
// C++20 coroutines, answering every request with 200 {"hello":"world"}. Usage: hello_server PORT
// THREADS
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(stream, buffer, req, kNoThrow);
    if (ec) break;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::server, "hello");
    res.set(http::field::content_type, "application/json");
    res.body() = R"({"hello":"world"})";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    auto [write_ec, written] = co_await http::async_write(stream, res, kNoThrow);
    if (write_ec || !res.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Accept(asio::io_context& ioc, tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), kNoThrow);
    if (ec == asio::error::operation_aborted) break;
    if (ec) continue;
    auto ex = socket.get_executor();
    asio::co_spawn(ex, Session(std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PORT THREADS\n", argv[0]);
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  const int threads = std::max(1, std::atoi(argv[2]));

  asio::io_context ioc(threads);
  tcp::acceptor acceptor(ioc);
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  acceptor.open(ep.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(ep);
  acceptor.listen(asio::socket_base::max_listen_connections);

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
  asio::co_spawn(ioc, Accept(ioc, acceptor), asio::detached);

  std::printf("listening on %u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}
