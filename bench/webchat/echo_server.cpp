// The web-chat benchmark's baseline: the least a WebSocket server on the gateway's stack
// (Boost.Beast over Asio, one io_context, the same worker-thread count, a strand per connection,
// the same handshake/idle timeouts with keep-alive pings) does to fan a message out. A connection
// joins the group named by its upgrade target's `?group=` (its own group when none is given);
// every text message it sends is written back, unchanged, to every connection of that group
// (itself included). That is the shape of the web chat's path, a session's tabs all receiving
// what one of them sent, without its store commit, session log or JSON.
//
//   bench-webchat-echo [--port N] [--port-file FILE] [--threads N]
// Prints "listening on ws://127.0.0.1:PORT" once accepting; runs until SIGINT/SIGTERM.
#include "baseline_server_options.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// The gateway's defaults (config::ServerLimits), so both servers run the same timers.
constexpr std::chrono::seconds kHandshakeTimeout{15};
constexpr std::chrono::seconds kIdleTimeout{60};
constexpr std::size_t kMaxMessageBytes = 64 * 1024;

// The value of `group=` in a request target's query, empty when there is none.
std::string group_of(std::string_view target) {
  const auto query = target.find('?');
  if (query == std::string_view::npos) return {};
  std::string_view rest = target.substr(query + 1);
  while (!rest.empty()) {
    const auto end = rest.find('&');
    const std::string_view pair = rest.substr(0, end);
    if (pair.starts_with("group=")) return std::string(pair.substr(6));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return {};
}

class Connection;
using Message = std::shared_ptr<const std::string>;

// Who is in which group, shared by both threads. Members are held weakly: a closed connection
// leaves in its destructor, and one closing while a message is fanned out is skipped.
class Groups {
 public:
  void join(const std::string& group, const std::shared_ptr<Connection>& member) {
    std::lock_guard lock(mu_);
    members_[group].emplace_back(member.get(), member);
  }
  void leave(const std::string& group, const Connection* member) {
    std::lock_guard lock(mu_);
    const auto it = members_.find(group);
    if (it == members_.end()) return;
    std::erase_if(it->second, [member](const auto& m) { return m.first == member; });
    if (it->second.empty()) members_.erase(it);
  }
  std::vector<std::shared_ptr<Connection>> members(const std::string& group) {
    std::vector<std::shared_ptr<Connection>> out;
    std::lock_guard lock(mu_);
    const auto it = members_.find(group);
    if (it == members_.end()) return out;
    for (const auto& m : it->second) {
      if (auto alive = m.second.lock()) out.push_back(std::move(alive));
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string,
                     std::vector<std::pair<const Connection*, std::weak_ptr<Connection>>>>
      members_;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, Groups& groups) : ws_(std::move(socket)), groups_(groups) {}
  ~Connection() { groups_.leave(group_, this); }

  void start() {
    upgrade_ = std::make_unique<http::request<http::string_body>>();
    ws_.next_layer().expires_after(kHandshakeTimeout);
    http::async_read(ws_.next_layer(), buffer_, *upgrade_,
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       if (ec) return;
                       self->accept();
                     });
  }

  // From any thread: queue a message on this connection's strand.
  void deliver(Message message) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), message = std::move(message)] {
      self->outgoing_.push_back(message);
      if (self->outgoing_.size() == 1) self->write_next();
    });
  }

 private:
  void accept() {
    ws_.next_layer().expires_never();  // the WebSocket timeouts below take over
    group_ = group_of(upgrade_->target());
    if (group_.empty()) group_ = std::to_string(reinterpret_cast<std::uintptr_t>(this));
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = kHandshakeTimeout;
    timeouts.idle_timeout = kIdleTimeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(kMaxMessageBytes);
    ws_.async_accept(*upgrade_, [self = shared_from_this()](error_code ec) {
      self->upgrade_.reset();  // not needed once the handshake is answered
      if (ec) return;
      self->groups_.join(self->group_, self);
      self->read_next();
    });
  }

  void read_next() {
    ws_.async_read(buffer_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return;  // closed or failed: the last reference goes with this handler
      auto message =
          std::make_shared<const std::string>(beast::buffers_to_string(self->buffer_.data()));
      self->buffer_.consume(self->buffer_.size());
      for (auto& member : self->groups_.members(self->group_)) member->deliver(message);
      self->read_next();
    });
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(asio::buffer(*outgoing_.front()),
                    [self = shared_from_this()](error_code ec, std::size_t) {
                      if (ec) return;  // the read side sees the failure
                      self->outgoing_.erase(self->outgoing_.begin());
                      if (!self->outgoing_.empty()) self->write_next();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  Groups& groups_;
  std::unique_ptr<http::request<http::string_body>> upgrade_;  // during the handshake only
  beast::flat_buffer buffer_;
  std::string group_;
  std::vector<Message> outgoing_;  // front is being written; empty allocates nothing
};

void accept_next(tcp::acceptor& acceptor, asio::io_context& io, Groups& groups) {
  acceptor.async_accept(asio::make_strand(io),
                        [&acceptor, &io, &groups](error_code ec, tcp::socket socket) {
                          if (ec == asio::error::operation_aborted) return;
                          if (!ec) {  // e.g. EMFILE: keep serving the connections we have
                            socket.set_option(tcp::no_delay(true));
                            std::make_shared<Connection>(std::move(socket), groups)->start();
                          }
                          accept_next(acceptor, io, groups);
                        });
}

}  // namespace

int main(int argc, char** argv) {
  const auto options =
      omnigate::bench::parse_baseline_server_options(argc, argv, "bench-webchat-echo");
  Groups groups;  // outlives the io_context: connections destroyed with it leave their group
  asio::io_context io{options.threads};
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), options.port}};
  const auto port = acceptor.local_endpoint().port();

  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](const error_code&, int) { io.stop(); });
  accept_next(acceptor, io, groups);

  if (!options.port_file.empty()) {
    // Written aside and renamed so a script polling for the file never reads it half-written.
    const std::string partial = options.port_file + ".partial";
    std::ofstream{partial} << port << '\n';
    std::rename(partial.c_str(), options.port_file.c_str());
  }
  std::cout << "listening on ws://127.0.0.1:" << port << std::endl;

  std::vector<std::thread> workers;
  for (int i = 1; i < options.threads; ++i) workers.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& worker : workers) worker.join();
  return 0;
}
