// The ingest benchmark's limit: the least an HTTP server built on the same stack (Boost.Beast,
// Asio, keep-alive, the same worker-thread count) can do per request — read it, answer 200 with
// the same empty TwiML the SMS plugin returns. No signature check, no parsing, no storage, so the
// gap to the real gateway is exactly the cost of ingesting a webhook durably.
//
//   bench-ingest-baseline [--port N] [--port-file FILE] [--threads N]
// Prints "listening on http://127.0.0.1:PORT" once accepting; runs until SIGINT/SIGTERM.
#include "baseline_server_options.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kEmptyTwiml =
    R"(<?xml version="1.0" encoding="UTF-8"?><Response></Response>)";
constexpr std::size_t kMaxBodyBytes = 1024 * 1024;  // the gateway's default limit

asio::awaitable<void> serve_connection(tcp::socket socket) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    auto [read_error, read_bytes] =
        co_await http::async_read(socket, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_error) co_return;  // peer closed or sent garbage: nothing to answer
    const auto& request = parser.get();
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/xml");
    response.body() = kEmptyTwiml;
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    auto [write_error, written] =
        co_await http::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
    if (write_error || !response.keep_alive()) {
      beast::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
  }
}

asio::awaitable<void> accept_connections(tcp::acceptor& acceptor) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (error == asio::error::operation_aborted) co_return;
    if (error) continue;  // e.g. EMFILE: keep serving the connections we have
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), serve_connection(std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto options =
      omnigate::bench::parse_baseline_server_options(argc, argv, "bench-ingest-baseline");
  asio::io_context io{options.threads};
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), options.port}};
  const auto port = acceptor.local_endpoint().port();

  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](const beast::error_code&, int) { io.stop(); });
  asio::co_spawn(io, accept_connections(acceptor), asio::detached);

  if (!options.port_file.empty()) {
    // Written aside and renamed so a script polling for the file never reads it half-written.
    const std::string partial = options.port_file + ".partial";
    std::ofstream{partial} << port << '\n';
    std::rename(partial.c_str(), options.port_file.c_str());
  }
  std::cout << "listening on http://127.0.0.1:" << port << std::endl;

  std::vector<std::thread> workers;
  for (int i = 1; i < options.threads; ++i) workers.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& worker : workers) worker.join();
  return 0;
}
