#include "http/server.hpp"

#include "core/asio_executor_impl.hpp"
#include "core/coalescing_queue.hpp"
#include "core/log.hpp"
#include "http/response_validation.hpp"
#include "http/url.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace omnigate::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
// An HTTP session's socket and timer carry their strand as a concrete type, not as an
// any_io_executor: every completion of a request's reads, write and timer is dispatched through
// it, and the type-erased executor added copies and indirect calls to each.
using SessionStrand = asio::strand<asio::io_context::executor_type>;
using SessionSocket = asio::basic_stream_socket<tcp, SessionStrand>;
using SessionTimer =
    asio::basic_waitable_timer<std::chrono::steady_clock,
                               asio::wait_traits<std::chrono::steady_clock>, SessionStrand>;

namespace {

constexpr const char* kComponent = "http";
// After an error response we stop reading requests but drain what the client still sends for
// this long, so closing with unread data does not reset the connection before the client has
// read the response.
constexpr std::chrono::milliseconds kLingerTime{1000};
// What an idle keep-alive connection reads when its next request starts: a typical webhook's
// header and body at once. The parser reads the rest, under the header and body limits.
constexpr std::size_t kFirstReadBytes = 4096;

std::atomic<std::uint64_t> g_next_request_id{1};
std::atomic<std::uint64_t> g_next_ws_id{1};

std::string error_body(std::string_view code, std::string_view message) {
  nlohmann::json body{{"error", code}, {"message", message}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response error_response(int status, std::string_view code, std::string_view message) {
  Response r;
  r.status = status;
  r.body = error_body(code, message);
  return r;
}

// Fills the gateway's plain Request from Beast's parsed message.
std::shared_ptr<Request> to_request(bhttp::request<bhttp::string_body>& msg,
                                    const std::string& remote_addr) {
  auto req = std::make_shared<Request>();
  req->id = g_next_request_id.fetch_add(1, std::memory_order_relaxed);
  req->method = std::string(msg.method_string());
  req->target = std::string(msg.target());
  const auto q = req->target.find('?');
  req->path = percent_decode(std::string_view(req->target).substr(0, q), false);
  if (q != std::string::npos) req->query = req->target.substr(q + 1);
  for (const auto& field : msg) {
    req->headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  req->body = std::move(msg.body());
  req->remote_addr = remote_addr;
  return req;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

}  // namespace

// A live connection as the server tracks it for shutdown. Both methods run on the
// connection's strand.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void on_server_stop() = 0;  // finish what is in flight, then close
  virtual void force_close() = 0;
};

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(AsioExecutor& executor, const Router& r, config::ServerLimits l, Metrics& m)
      : io(io_context(executor)),
        router(r),
        limits(l),
        metrics(m),
        acceptor(asio::make_strand(io)) {}

  asio::io_context& io;
  const Router& router;
  const config::ServerLimits limits;
  Metrics& metrics;
  tcp::acceptor acceptor;

  std::mutex mu;
  std::condition_variable all_closed;
  std::unordered_map<Connection*, std::pair<std::weak_ptr<Connection>, asio::any_io_executor>> live;
  bool stopping = false;

  void add(const std::shared_ptr<Connection>& c, asio::any_io_executor strand) {
    std::size_t n;
    {
      std::lock_guard lock(mu);
      live.emplace(c.get(), std::make_pair(std::weak_ptr<Connection>(c), std::move(strand)));
      n = live.size();
    }
    publish_connections(n);
  }
  void remove(Connection* c) {
    std::size_t n;
    {
      std::lock_guard lock(mu);
      live.erase(c);
      n = live.size();
    }
    all_closed.notify_all();
    publish_connections(n);
  }
  std::size_t connection_count() {
    std::lock_guard lock(mu);
    return live.size();
  }
  bool is_stopping() {
    std::lock_guard lock(mu);
    return stopping;
  }
  void publish_connections(std::size_t n) {
    metrics.gauge_set("omnigate_http_connections", "Open HTTP and WebSocket connections.", {},
                      static_cast<double>(n));
  }
  void count_request(const std::string& route, int status, double seconds) {
    // Label sets reused per thread: building them took four allocations on every request.
    thread_local Labels by_route_and_status{{"route", ""}, {"status", ""}};
    thread_local Labels by_route{{"route", ""}};
    by_route_and_status[0].second = route;
    by_route_and_status[1].second = std::to_string(status);
    by_route[0].second = route;
    metrics.counter_add("omnigate_http_requests_total", "HTTP requests by route and status.",
                        by_route_and_status);
    metrics.observe("omnigate_http_request_duration_seconds",
                    "Time from a complete request to its reply being written.", by_route, seconds);
  }

  // Replies from threads outside the io_context -- the store's writer answers every request of a
  // group commit at once -- are queued and handed to their sessions by one posted task per
  // burst: a post per reply from that thread took the scheduler's lock and woke a worker each.
  struct QueuedReply {
    asio::any_io_executor strand;
    std::function<void()> write;
  };
  CoalescingQueue<QueuedReply> replies;

  void post_reply(asio::any_io_executor strand, std::function<void()> write) {
    if (io.get_executor().running_in_this_thread()) {
      asio::post(strand, std::move(write));
      return;
    }
    if (!replies.push({std::move(strand), std::move(write)})) return;  // a posted drain takes it
    asio::post(io, [self = shared_from_this()] {
      for (auto& r : self->replies.take()) asio::post(r.strand, std::move(r.write));
    });
  }

  void do_accept();
  void reject_overloaded(SessionSocket socket);
};

namespace {

// ---------------------------------------------------------------------------------------------
// WebSocket connection: created from an HttpSession's socket after a matching upgrade request.
// An idle connection is most of what a WebSocket server holds (a chat keeps thousands open), so
// a session keeps only what it needs after the handshake: the upgrade request and its Request
// copy are dropped once answered, and an empty outgoing queue allocates nothing. (The read
// buffer stays: Beast's read prepares it, ~1.5 KB, before any data arrives.)

class WsSession final : public Connection,
                        public WsConnection,
                        public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(std::shared_ptr<HttpServer::State> server, tcp::socket socket,
            std::shared_ptr<Request> request, const WsHandler& handler,
            bhttp::request<bhttp::string_body> upgrade)
      : server_(std::move(server)),
        ws_(std::move(socket)),
        request_(std::move(request)),
        handler_(handler),
        upgrade_(std::make_unique<bhttp::request<bhttp::string_body>>(std::move(upgrade))),
        id_(g_next_ws_id.fetch_add(1, std::memory_order_relaxed)) {}

  ~WsSession() override { server_->remove(this); }

  uint64_t id() const override { return id_; }
  asio::any_io_executor strand() { return ws_.get_executor(); }

  bool send(std::string data, bool is_text) override {
    if (!open_.load()) return false;
    asio::post(ws_.get_executor(),
               [self = shared_from_this(), data = std::move(data), is_text]() mutable {
                 self->enqueue(std::move(data), is_text);
               });
    return true;
  }

  void close(int code, std::string reason) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)] {
      self->begin_close(static_cast<websocket::close_code>(code), reason);
    });
  }

  void on_server_stop() override { begin_close(websocket::close_code::going_away, "shutdown"); }
  void force_close() override {
    error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

  // Runs on the strand: ask the route owner, then complete or refuse the handshake.
  void start() {
    open_ = true;
    WsOpen answer(false);
    try {
      answer = handler_.on_open ? handler_.on_open(*request_, shared_from_this()) : WsOpen(true);
    } catch (const std::exception& e) {
      log(LogLevel::error, kComponent, std::string("websocket on_open threw: ") + e.what());
    }
    request_.reset();  // the route owner has seen it; nothing reads it after on_open
    if (!answer.accepted) {
      open_ = false;
      refuse(answer.refusal ? std::move(*answer.refusal)
                            : error_response(403, "forbidden", "websocket connection refused"));
      return;
    }
    opened_ = true;
    const auto& limits = server_->limits;
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::milliseconds(limits.request_timeout_ms);
    timeouts.idle_timeout = std::chrono::milliseconds(limits.idle_timeout_ms);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(limits.max_ws_message_bytes);
    ws_.async_accept(*upgrade_, [self = shared_from_this()](error_code ec) {
      self->upgrade_.reset();  // answered: its fields and target are not needed again
      if (ec) return self->finish();
      self->handshake_done_ = true;
      self->server_->count_request("websocket", 101, 0);
      self->do_read();
      self->write_next();
    });
  }

 private:
  void refuse(Response refusal) {
    // Held by the write's handler until it completes: only refused connections pay for it.
    auto response = std::make_shared<bhttp::response<bhttp::string_body>>();
    response->version(upgrade_->version());
    upgrade_.reset();
    response->result(static_cast<unsigned>(refusal.status));
    response->set(bhttp::field::content_type, refusal.content_type);
    for (const auto& [name, value] : refusal.headers) response->set(name, value);
    response->set(bhttp::field::connection, "close");
    response->body() = std::move(refusal.body);
    response->prepare_payload();
    server_->count_request("websocket", refusal.status, 0);
    bhttp::async_write(ws_.next_layer(), *response,
                       [self = shared_from_this(), response](error_code, std::size_t) {
                         error_code ignored;
                         beast::get_lowest_layer(self->ws_).socket().shutdown(
                             tcp::socket::shutdown_both, ignored);
                         self->force_close();
                       });
  }

  void do_read() {
    ws_.async_read(read_buffer_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) {
        // A protocol violation Beast answered itself (1009 too big, 1007 not UTF-8, 1002 a bad
        // frame): the route owner only sees the close, so it is logged here.
        static const auto& websocket_errors = make_error_code(websocket::error::closed).category();
        if (ec.category() == websocket_errors && ec != websocket::error::closed) {
          log(LogLevel::warn, kComponent,
              "websocket " + std::to_string(self->id_) + " closed by the server: " + ec.message());
        }
        return self->finish();
      }
      std::string data = beast::buffers_to_string(self->read_buffer_.data());
      self->read_buffer_.consume(self->read_buffer_.size());
      if (self->handler_.on_message) {
        try {
          self->handler_.on_message(self->id_, std::move(data), self->ws_.got_text());
        } catch (const std::exception& e) {
          log(LogLevel::error, kComponent, std::string("websocket on_message threw: ") + e.what());
        }
      }
      self->do_read();
    });
  }

  void enqueue(std::string data, bool is_text) {
    if (closing_ || finished_) return;
    if (outgoing_.size() >= server_->limits.max_ws_queued_messages) {
      log(LogLevel::warn, kComponent,
          "websocket " + std::to_string(id_) + ": client too slow, outgoing queue full; closing");
      // The front message may be mid-write: its buffer must live until the write completes.
      outgoing_.erase(writing_ ? std::next(outgoing_.begin()) : outgoing_.begin(), outgoing_.end());
      begin_close(websocket::close_code::policy_error, "outgoing queue full");
      return;
    }
    outgoing_.emplace_back(std::move(data), is_text);
    if (handshake_done_ && !writing_) write_next();
  }

  // Sends queued messages one at a time, then the close frame if one is pending.
  void write_next() {
    if (outgoing_.empty()) {
      if (pending_close_) {
        ws_.async_close(*pending_close_,
                        [self = shared_from_this()](error_code) { self->force_close(); });
        pending_close_.reset();
      }
      return;
    }
    writing_ = true;
    ws_.text(outgoing_.front().second);
    ws_.async_write(asio::buffer(outgoing_.front().first),
                    [self = shared_from_this()](error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) return;  // the read side sees the failure and finishes
                      self->outgoing_.pop_front();
                      self->write_next();
                    });
  }

  // Messages queued before the close still go out; the close frame follows them (a send()
  // racing the handshake may queue before it completes, so the close waits for it too).
  void begin_close(websocket::close_code code, const std::string& reason) {
    if (closing_ || finished_) return;
    closing_ = true;
    open_ = false;
    if (!opened_) return force_close();
    pending_close_ = websocket::close_reason(code, reason);
    if (handshake_done_ && !writing_) write_next();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    open_ = false;
    force_close();
    if (opened_ && handler_.on_close) {
      try {
        handler_.on_close(id_);
      } catch (const std::exception& e) {
        log(LogLevel::error, kComponent, std::string("websocket on_close threw: ") + e.what());
      }
    }
  }

  std::shared_ptr<HttpServer::State> server_;
  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<Request> request_;  // until on_open has answered
  const WsHandler& handler_;
  std::unique_ptr<bhttp::request<bhttp::string_body>> upgrade_;  // until the handshake is answered
  beast::flat_buffer read_buffer_;
  // A list, not a deque: libstdc++'s deque allocates a map and a 512-byte node even when empty,
  // and an idle connection's queue is empty. Front is being written when writing_.
  std::list<std::pair<std::string, bool>> outgoing_;
  const uint64_t id_;
  std::atomic<bool> open_{false};  // send() accepts messages
  bool opened_ = false;            // on_open accepted: on_close is owed
  bool handshake_done_ = false;
  bool writing_ = false;
  std::optional<websocket::close_reason> pending_close_;
  bool closing_ = false;  // no more messages accepted; pending_close_ goes out after the queue
  bool finished_ = false;
};

// ---------------------------------------------------------------------------------------------
// HTTP connection: reads one request at a time (keep-alive), dispatches it, writes the reply.

class HttpSession final : public Connection, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<HttpServer::State> server, SessionSocket socket)
      : server_(std::move(server)), socket_(std::move(socket)), timer_(socket_.get_executor()) {
    error_code ec;
    const auto endpoint = socket_.remote_endpoint(ec);
    if (!ec) remote_addr_ = endpoint.address().to_string();
  }
  ~HttpSession() override { server_->remove(this); }

  asio::any_io_executor strand() { return socket_.get_executor(); }

  void start() { wait_for_request(); }

  void on_server_stop() override {
    stopping_ = true;
    // Idle or half-read connections have nothing owed; requests being handled get their reply
    // (with Connection: close) first.
    if (phase_ == Phase::idle || phase_ == Phase::reading) close();
  }
  void force_close() override { close(); }

  // Called on the strand with a handler's reply (or an error the server produced).
  void write_response(Response r) {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::writing;
    // Beast would throw out of the write (a body on a 204) or send a header as given (CR/LF).
    if (std::string why = response_error(r); !why.empty()) {
      log(LogLevel::error, kComponent,
          "handler for " + route_label_ + " gave an invalid reply: " + why);
      r = error_response(500, "internal", "invalid response");
    }
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(r.status));
    if (!r.content_type.empty()) response_.set(bhttp::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) response_.insert(name, value);
    if (request_) response_.set("X-Request-Id", std::to_string(request_->id));
    const bool keep_alive = keep_alive_ && !close_after_write_ && !stopping_;
    response_.keep_alive(keep_alive);
    response_.body() = std::move(r.body);
    response_.prepare_payload();
    if (is_head_) response_.body().clear();  // Content-Length stays that of the GET

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    server_->count_request(route_label_, r.status, seconds);

    bhttp::async_write(socket_, response_,
                       [self = shared_from_this(), keep_alive](error_code ec, std::size_t) {
                         if (ec) return self->close();
                         if (!keep_alive) return self->linger_close();
                         self->wait_for_request();
                       });
  }

 private:
  enum class Phase { idle, reading, handling, writing, closed };
  enum class TimerKind { idle, request, linger };

  void wait_for_request() {
    if (stopping_) return close();
    phase_ = Phase::idle;
    request_.reset();
    route_label_ = "unmatched";
    is_head_ = false;
    keep_alive_ = false;
    close_after_write_ = false;
    request_timed_out_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->limits.max_header_bytes));
    // The body limit depends on the route, known once the header is read (on_header): no limit
    // until then, so that the parser does not judge a Content-Length by the server-wide one.
    parser_->body_limit(boost::none);
    match_.reset();
    body_limit_ = server_->limits.max_body_bytes;
    if (buffer_.size() > 0) return read_header();  // pipelined request already buffered
    // Idle keep-alive: wait for the first byte under the idle timeout; the request timeout
    // starts once the client begins a request.
    arm_timer(std::chrono::milliseconds(server_->limits.idle_timeout_ms), TimerKind::idle);
    // Waits by reading the first bytes into the buffer the parser reads from. Not with
    // socket.async_wait(wait_read): Asio re-registers the socket with epoll (epoll_ctl) for
    // every wait operation, a system call per request.
    socket_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              if (ec || self->phase_ != Phase::idle) return self->close();
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  void read_header() {
    phase_ = Phase::reading;
    arm_timer(std::chrono::milliseconds(server_->limits.request_timeout_ms), TimerKind::request);
    if (const auto parsed = parse_buffered(); parsed != Parsed::need_more) {
      if (parsed == Parsed::complete) on_header();
      return;
    }
    bhttp::async_read_header(socket_, buffer_, *parser_,
                             [self = shared_from_this()](error_code ec, std::size_t) {
                               if (ec) return self->on_read_error(ec);
                               self->on_header();
                             });
  }

  void on_header() {
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    if (websocket::is_upgrade(msg)) return upgrade();
    // The route decides how large a body may be (a plugin route may allow more or less than the
    // server-wide limit); a Content-Length over it is refused before any of the body is read,
    // and a chunked body stops being read where it crosses the limit.
    const std::string_view target(msg.target().data(), msg.target().size());
    match_ = server_->router.match(
        std::string_view(msg.method_string().data(), msg.method_string().size()),
        percent_decode(target.substr(0, target.find('?')), false));
    if (match_->handler && match_->max_body_bytes) body_limit_ = *match_->max_body_bytes;
    const auto length = parser_->content_length();
    if (length && *length > body_limit_) {
      return reply_error(413, "payload_too_large",
                         "body exceeds " + std::to_string(body_limit_) + " bytes");
    }
    parser_->body_limit(body_limit_);
    if (parser_->is_done()) return on_request();
    if (beast::iequals(msg[bhttp::field::expect], "100-continue")) {
      // Clients that ask (curl does for bodies over 1 KiB) wait for this before sending.
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(socket_, asio::buffer(kContinue),
                        [self = shared_from_this()](error_code ec, std::size_t) {
                          if (ec) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    if (const auto parsed = parse_buffered(); parsed != Parsed::need_more) {
      if (parsed == Parsed::complete) on_request();
      return;
    }
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        if (ec) return self->on_read_error(ec);
                        self->on_request();
                      });
  }

  // Feeds what is already buffered to the parser, up to the end of the header or, once that is
  // read, of the body. A webhook usually arrives whole with the first read, and Beast's async
  // reads hand even buffered data over by a post through the strand, two per request.
  enum class Parsed { need_more, complete, failed };  // failed: on_read_error has answered
  Parsed parse_buffered() {
    const bool header_part = !parser_->is_header_done();
    auto part_done = [&] { return header_part ? parser_->is_header_done() : parser_->is_done(); };
    while (buffer_.size() > 0 && !part_done()) {
      error_code ec;
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) return Parsed::need_more;
      if (ec) {
        on_read_error(ec);
        return Parsed::failed;
      }
      if (used == 0) break;
    }
    return part_done() ? Parsed::complete : Parsed::need_more;
  }

  void on_read_error(error_code ec) {
    if (phase_ == Phase::closed) return;
    if (request_timed_out_) {
      return reply_error(408, "request_timeout", "request not received in time");
    }
    if (ec == bhttp::error::header_limit) {
      return reply_error(
          431, "header_too_large",
          "headers exceed " + std::to_string(server_->limits.max_header_bytes) + " bytes");
    }
    if (ec == bhttp::error::body_limit) {
      return reply_error(413, "payload_too_large",
                         "body exceeds " + std::to_string(body_limit_) + " bytes");
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return reply_error(400, "bad_request", ec.message());
    }
    close();  // the client went away
  }

  void reply_error(int status, std::string_view code, const std::string& message) {
    cancel_timer();
    close_after_write_ = true;
    write_response(error_response(status, code, message));
  }

  void on_request() {
    cancel_timer();
    phase_ = Phase::handling;
    started_ = std::chrono::steady_clock::now();
    request_ = to_request(parser_->get(), remote_addr_);
    is_head_ = request_->method == "HEAD";
    // Matched when the header was read (on_header), for the route's body limit.
    auto match =
        match_ ? std::move(*match_) : server_->router.match(request_->method, request_->path);
    match_.reset();
    if (!match.handler) {
      if (match.path_known) {
        Response r = error_response(405, "method_not_allowed",
                                    request_->method + " is not allowed on " + request_->path);
        r.headers.emplace_back("Allow", join(match.allowed_methods, ", "));
        return write_response(std::move(r));
      }
      return write_response(error_response(
          404, "not_found", "no route for " + request_->method + " " + request_->path));
    }
    route_label_ = match.pattern;
    request_->params = std::move(match.params);
    dispatch(*match.handler);
  }

  // The Reply owns the session until it is called: the connection and the Request stay alive
  // while a handler (or the plugin host, after a DB commit) holds it, and both are released if
  // the Reply is dropped unanswered. A second call finds the session gone and does nothing.
  struct ReplyState {
    std::mutex mu;
    std::shared_ptr<HttpSession> session;
  };

  void dispatch(const Handler& handler) {
    auto state = std::make_shared<ReplyState>();
    state->session = shared_from_this();
    Reply reply = [state](Response r) {
      std::shared_ptr<HttpSession> session;
      {
        std::lock_guard lock(state->mu);
        session = std::move(state->session);
      }
      if (!session) return;
      auto& server = *session->server_;
      server.post_reply(session->strand(), [session, r = std::move(r)]() mutable {
        session->write_response(std::move(r));
      });
    };
    try {
      handler(*request_, reply);
    } catch (const std::exception& e) {
      log(LogLevel::error, kComponent, "handler for " + route_label_ + " threw: " + e.what());
      reply(error_response(500, "internal", "internal error"));
    }
  }

  void upgrade() {
    cancel_timer();
    auto request = to_request(parser_->get(), remote_addr_);
    auto match = server_->router.match_ws(request->path);
    if (!match.ws_handler) {
      request_ = request;
      return reply_error(404, "not_found", "no websocket route for " + request->path);
    }
    request->params = std::move(match.params);
    phase_ = Phase::closed;  // the socket now belongs to the WebSocket session
    stop_timer();
    auto ws =
        std::make_shared<WsSession>(server_, tcp::socket(std::move(socket_)), std::move(request),
                                    *match.ws_handler, parser_->release());
    server_->add(ws, ws->strand());
    ws->start();
  }

  // One deadline per session, watched by a timer that is only re-armed when it fires. A phase
  // change just moves the deadline: cancelling and re-arming a steady_timer twice per request
  // queued two aborted handlers through the strand and updated the timer heap twice. The timer
  // never waits past the shorter of the keep-alive and request timeouts, so a deadline set with
  // either is never earlier than its expiry; only a shorter one (linger) re-arms it early.
  void arm_timer(std::chrono::milliseconds after, TimerKind kind) {
    deadline_ = std::chrono::steady_clock::now() + after;
    timer_kind_ = kind;
    if (!timer_waiting_) return wait_for_deadline();
    if (deadline_ < timer_.expiry()) timer_.expires_at(deadline_);  // its handler re-arms
  }
  void cancel_timer() { deadline_ = kNoDeadline; }
  // For good, once the session is closed or handed over: the waiting handler holds the session.
  void stop_timer() {
    cancel_timer();
    timer_kind_ = TimerKind::idle;  // the aborted handler sees a closed session and stops
    timer_.cancel();
  }

  void wait_for_deadline() {
    const auto horizon = std::chrono::steady_clock::now() +
                         std::chrono::milliseconds(std::min(server_->limits.idle_timeout_ms,
                                                            server_->limits.request_timeout_ms));
    timer_.expires_at(std::min(deadline_, horizon));
    timer_waiting_ = true;
    timer_.async_wait([self = shared_from_this()](error_code) {
      self->timer_waiting_ = false;
      if (self->phase_ == Phase::closed && self->timer_kind_ != TimerKind::linger) return;
      if (self->deadline_ != kNoDeadline && std::chrono::steady_clock::now() >= self->deadline_) {
        self->deadline_ = kNoDeadline;
        return self->on_timer(self->timer_kind_);
      }
      self->wait_for_deadline();
    });
  }

  void on_timer(TimerKind kind) {
    if (kind == TimerKind::request) {
      // Abort the read; its handler answers 408.
      request_timed_out_ = true;
      error_code ignored;
      socket_.cancel(ignored);
      return;
    }
    close();
  }

  // Half-close, drain for a moment, then close (see kLingerTime).
  void linger_close() {
    phase_ = Phase::closed;
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    arm_timer(kLingerTime, TimerKind::linger);
    drain();
  }
  void drain() {
    socket_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->drain();
                            });
  }

  void close() {
    phase_ = Phase::closed;
    stop_timer();
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  std::shared_ptr<HttpServer::State> server_;
  SessionSocket socket_;
  static constexpr auto kNoDeadline = std::chrono::steady_clock::time_point::max();
  SessionTimer timer_;
  std::chrono::steady_clock::time_point deadline_ = kNoDeadline;
  TimerKind timer_kind_ = TimerKind::idle;
  bool timer_waiting_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Request> request_;
  std::optional<Router::Match> match_;  // the route of the request being read
  std::uint64_t body_limit_ = 0;        // of the request being read: the route's or the server's
  bhttp::response<bhttp::string_body> response_;
  std::array<char, 4096> drain_buffer_{};
  std::string remote_addr_;
  std::string route_label_ = "unmatched";
  std::chrono::steady_clock::time_point started_;
  Phase phase_ = Phase::idle;
  bool is_head_ = false;
  bool keep_alive_ = false;
  bool close_after_write_ = false;
  bool request_timed_out_ = false;
  bool stopping_ = false;
};

}  // namespace

void HttpServer::State::do_accept() {
  acceptor.async_accept(
      asio::make_strand(io), [self = shared_from_this()](error_code ec, SessionSocket socket) {
        if (ec) {
          if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
          log(LogLevel::warn, kComponent, "accept failed: " + ec.message());
          return self->do_accept();
        }
        if (self->is_stopping()) return;
        if (self->connection_count() >= static_cast<std::size_t>(self->limits.max_connections)) {
          self->reject_overloaded(std::move(socket));
        } else {
          // Small writes (WebSocket frames to the consoles, a reply after a partial write) go
          // out at once instead of waiting for the peer's delayed ACK (Nagle).
          error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          auto session = std::make_shared<HttpSession>(self, std::move(socket));
          self->add(session, session->strand());
          asio::post(session->strand(), [session] { session->start(); });
        }
        self->do_accept();
      });
}

void HttpServer::State::reject_overloaded(SessionSocket socket) {
  static const std::string kOverloaded = [] {
    const std::string body = error_body("overloaded", "too many connections");
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
           "Connection: close\r\nRetry-After: 1\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  count_request("overloaded", 503, 0);
  auto sock = std::make_shared<SessionSocket>(std::move(socket));
  asio::async_write(*sock, asio::buffer(kOverloaded), [sock](error_code, std::size_t) {
    error_code ignored;
    sock->shutdown(tcp::socket::shutdown_both, ignored);
    sock->close(ignored);
  });
}

HttpServer::HttpServer(AsioExecutor& executor, const Router& router, config::ServerLimits limits,
                       Metrics& metrics)
    : state_(std::make_shared<State>(executor, router, limits, metrics)) {
  state_->publish_connections(0);
}

HttpServer::~HttpServer() {
  stop(std::chrono::milliseconds(0));
}

std::uint16_t HttpServer::listen(const std::string& host, std::uint16_t port) {
  const std::string where = host + ":" + std::to_string(port);
  error_code ec;
  const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) throw std::runtime_error("listen " + where + ": not an IP address");
  const tcp::endpoint endpoint(address, port);
  auto& acceptor = state_->acceptor;
  auto fail = [&](const char* step) {
    throw std::runtime_error("listen " + where + ": " + step + ": " + ec.message());
  };
  if (acceptor.open(endpoint.protocol(), ec)) fail("open");
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec)) fail("set_option");
  if (acceptor.bind(endpoint, ec)) fail("bind");
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) fail("listen");
  return acceptor.local_endpoint().port();
}

void HttpServer::start() {
  asio::post(state_->acceptor.get_executor(), [state = state_] { state->do_accept(); });
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  std::vector<std::pair<std::weak_ptr<Connection>, asio::any_io_executor>> connections;
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping) return;
    state_->stopping = true;
    for (auto& [ptr, entry] : state_->live) connections.push_back(entry);
  }
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    error_code ignored;
    state->acceptor.close(ignored);
  });
  for (auto& [weak, strand] : connections) {
    asio::post(strand, [weak = weak] {
      if (auto c = weak.lock()) c->on_server_stop();
    });
  }
  std::unique_lock lock(state_->mu);
  if (state_->all_closed.wait_for(lock, grace, [&] { return state_->live.empty(); })) return;
  for (auto& [ptr, entry] : state_->live) {
    asio::post(entry.second, [weak = entry.first] {
      if (auto c = weak.lock()) c->force_close();
    });
  }
  // Connections whose Reply is still held elsewhere close their socket now and are freed when
  // that Reply is dropped; do not wait for them indefinitely.
  state_->all_closed.wait_for(lock, std::chrono::seconds(1), [&] { return state_->live.empty(); });
}

}  // namespace omnigate::http
