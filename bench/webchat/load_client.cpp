// Load client of the web-chat benchmark, for the gateway's web chat (--protocol webchat) and for
// its baseline, bench-webchat-echo (--protocol echo). One thread, two modes:
//  - idle (--connections N): opens N WebSocket connections (W handshakes at a time), each sends
//    the protocol's `hello` as a new visitor and waits for its answer (`welcome`, or the echo of
//    its hello), then writes --ready-file and holds every connection open, reading, until SIGTERM
//    or SIGINT; the caller measures the server meanwhile. Reports how many were dropped while
//    held.
//  - fanout (--sessions S --rate R --seconds T): opens two connections ("tabs") per session: tab
//    A says hello as a new visitor, tab B says hello with the token A was given (echo: both join
//    the group named `session-<i>`). Then message i is due at start + i/R whatever the server
//    does (open loop, so latency counts queueing), sent from tab A of session i mod S. Measures,
//    from the moment it was due, until tab B receives it (fan-out: the message entry, or the
//    echo) and until tab A receives its `ack` (echo: its own copy). Any `error` frame, a message
//    never received, or a dropped connection fails the run (exit 3).
//
//   bench-webchat-load --url ws://127.0.0.1:PORT/PATH --protocol webchat|echo [--origin O]
//                      [--window W] (--connections N --ready-file F |
//                      --sessions S --rate R --seconds T [--text-bytes B])
// Output: human-readable lines, then one line "RESULT {json}" for scripts.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

namespace {

enum class Protocol { webchat, echo };

struct Options {
  std::string host, port, path;
  Protocol protocol = Protocol::webchat;
  std::string origin = "http://bench.example";
  int window = 128;  // handshakes in flight while connecting
  // idle
  int connections = 0;
  std::string ready_file;
  // fanout
  int sessions = 0;
  int rate = 0;
  int seconds = 0;
  int text_bytes = 100;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "bench-webchat-load: " << message
            << "\nusage: bench-webchat-load --url ws://HOST:PORT/PATH --protocol webchat|echo"
               " [--origin O] [--window W] (--connections N --ready-file F |"
               " --sessions S --rate R --seconds T [--text-bytes B])\n";
  std::exit(2);
}

int positive(std::string_view name, const std::string& value) {
  const int n = std::stoi(value);
  if (n < 1) usage_error(std::string(name) + ": expected a positive number");
  return n;
}

Options parse_options(int argc, char** argv) {
  Options o;
  std::string url;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) usage_error(std::string(arg) + ": expected a value");
    const std::string value = argv[++i];
    if (arg == "--url") {
      url = value;
    } else if (arg == "--protocol") {
      if (value != "webchat" && value != "echo") usage_error("--protocol: webchat or echo");
      o.protocol = value == "echo" ? Protocol::echo : Protocol::webchat;
    } else if (arg == "--origin") {
      o.origin = value;
    } else if (arg == "--window") {
      o.window = positive(arg, value);
    } else if (arg == "--connections") {
      o.connections = positive(arg, value);
    } else if (arg == "--ready-file") {
      o.ready_file = value;
    } else if (arg == "--sessions") {
      o.sessions = positive(arg, value);
    } else if (arg == "--rate") {
      o.rate = positive(arg, value);
    } else if (arg == "--seconds") {
      o.seconds = positive(arg, value);
    } else if (arg == "--text-bytes") {
      o.text_bytes = positive(arg, value);
    } else {
      usage_error(std::string(arg) + ": unknown option");
    }
  }
  constexpr std::string_view scheme = "ws://";
  if (!url.starts_with(scheme)) usage_error("--url: expected ws://HOST:PORT/PATH");
  const auto authority_end = url.find('/', scheme.size());
  const std::string authority = url.substr(scheme.size(), authority_end - scheme.size());
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos) usage_error("--url: expected an explicit port");
  o.host = authority.substr(0, colon);
  o.port = authority.substr(colon + 1);
  o.path = authority_end == std::string::npos ? "/" : url.substr(authority_end);
  const bool idle = o.connections > 0, fanout = o.sessions > 0;
  if (idle == fanout) usage_error("give either --connections (idle) or --sessions (fanout)");
  if (idle && o.ready_file.empty()) usage_error("idle mode needs --ready-file");
  if (fanout && (o.rate == 0 || o.seconds == 0))
    usage_error("fanout mode needs --rate and --seconds");
  return o;
}

// 10,000 connections need as many descriptors; the soft limit is often 1,024.
void raise_open_files_limit(std::size_t needed) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed + 64) {
    std::cerr << "bench-webchat-load: the open-files limit (" << limit.rlim_cur << ") is below the "
              << needed << " connections asked for; raise it (ulimit -Hn)\n";
    std::exit(2);
  }
}

// One client WebSocket connection: reads frames continuously (which also answers the server's
// keep-alive pings) and writes queued frames one at a time.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using FrameHandler = std::function<void(Connection&, std::string_view)>;
  using ClosedHandler = std::function<void(Connection&, error_code)>;

  Connection(asio::io_context& io, int session, int tab) : ws_(io), session_(session), tab_(tab) {}

  int session() const { return session_; }
  int tab() const { return tab_; }
  bool closed() const { return closed_; }
  void on_frame(FrameHandler handler) { on_frame_ = std::move(handler); }
  void on_closed(ClosedHandler handler) { on_closed_ = std::move(handler); }

  void open(const tcp::endpoint& server, const Options& options, const std::string& target,
            std::function<void(error_code)> done) {
    ws_.next_layer().async_connect(server, [self = shared_from_this(), &options, target,
                                            done = std::move(done)](error_code ec) {
      if (ec) return done(ec);
      self->ws_.next_layer().set_option(tcp::no_delay(true));
      self->ws_.set_option(websocket::stream_base::decorator(
          [origin = options.origin](websocket::request_type& request) {
            request.set(http::field::origin, origin);
          }));
      self->ws_.async_handshake(options.host + ":" + options.port, target,
                                [self, done](error_code handshake_error) {
                                  if (!handshake_error) self->read_next();
                                  done(handshake_error);
                                });
    });
  }

  void send(std::string frame) {
    outgoing_.push_back(std::move(frame));
    if (outgoing_.size() == 1) write_next();
  }

 private:
  void read_next() {
    ws_.async_read(buffer_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) {
        self->closed_ = true;
        if (self->on_closed_) self->on_closed_(*self, ec);
        return;
      }
      const auto data = self->buffer_.cdata();
      if (self->on_frame_) {
        self->on_frame_(*self,
                        std::string_view(static_cast<const char*>(data.data()), data.size()));
      }
      self->buffer_.consume(self->buffer_.size());
      self->read_next();
    });
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(asio::buffer(outgoing_.front()),
                    [self = shared_from_this()](error_code ec, std::size_t) {
                      if (ec) return;  // the read side reports the failure
                      self->outgoing_.pop_front();
                      if (!self->outgoing_.empty()) self->write_next();
                    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outgoing_;
  FrameHandler on_frame_;
  ClosedHandler on_closed_;
  const int session_;
  const int tab_;
  bool closed_ = false;
};

using ConnectionPtr = std::shared_ptr<Connection>;

json parse_frame(std::string_view text) {
  return json::parse(text, nullptr, false);
}

std::string string_field(const json& frame, const char* name) {
  const auto it = frame.find(name);
  return it != frame.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Opens visitors W at a time: a connection, its hello, the answer that makes it ready.
class Connector {
 public:
  // ready(connection, token): token is the session's (webchat) or empty (echo).
  using Ready = std::function<void(ConnectionPtr, std::string)>;

  Connector(asio::io_context& io, const Options& options, tcp::endpoint server)
      : io_(io), options_(options), server_(server) {}

  // Opens tab `tab` of `session`, says hello with `token` and calls ready once answered; any
  // failure ends the program (a benchmark with fewer connections than asked measured nothing).
  void open_visitor(int session, int tab, const std::string& token, Ready ready) {
    auto connection = std::make_shared<Connection>(io_, session, tab);
    std::string target = options_.path;
    if (options_.protocol == Protocol::echo) target += "?group=session-" + std::to_string(session);
    const std::string ready_type = options_.protocol == Protocol::echo ? "hello" : "welcome";
    connection->on_frame([ready, ready_type](Connection& c, std::string_view text) {
      const json frame = parse_frame(text);
      if (frame.is_discarded()) fail(c, "a frame that is not JSON: " + std::string(text));
      const std::string type = string_field(frame, "type");
      if (type == "error") fail(c, "answered its hello with " + std::string(text));
      if (type != ready_type) return;
      // Clearing the handler destroys this lambda: nothing of it is touched after that.
      const Ready now_ready = ready;
      auto self = c.shared_from_this();
      c.on_frame(nullptr);
      now_ready(std::move(self), string_field(frame, "token"));
    });
    connection->on_closed([](Connection& c, error_code ec) { fail(c, "closed: " + ec.message()); });
    connection->open(server_, options_, target, [connection, token](error_code ec) {
      if (ec) fail(*connection, "could not connect: " + ec.message());
      json hello{{"type", "hello"}, {"token", token}, {"last_seq", 0}, {"epoch", ""}};
      connection->send(hello.dump());
    });
  }

 private:
  [[noreturn]] static void fail(const Connection& c, const std::string& what) {
    std::cerr << "bench-webchat-load: session " << c.session() << " tab " << c.tab() << ": " << what
              << '\n';
    std::exit(3);
  }

  asio::io_context& io_;
  const Options& options_;
  const tcp::endpoint server_;
};

// Runs `count` units of setup, at most `window` at once; start(i, done) begins unit i and calls
// done() when it is ready. all_ready() runs once every unit is.
class Window {
 public:
  Window(int count, int window, std::function<void(int, std::function<void()>)> start,
         std::function<void()> all_ready)
      : count_(count),
        window_(window),
        start_(std::move(start)),
        all_ready_(std::move(all_ready)) {}

  void run() {
    for (int i = 0; i < window_ && next_ < count_; ++i) start_next();
  }

 private:
  void start_next() {
    const int unit = next_++;
    start_(unit, [this] {
      if (++ready_ == count_) return all_ready_();
      if (next_ < count_) start_next();
    });
  }

  const int count_, window_;
  std::function<void(int, std::function<void()>)> start_;
  std::function<void()> all_ready_;
  int next_ = 0, ready_ = 0;
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// ---------------------------------------------------------------------------------------------

int run_idle(const Options& options, const tcp::endpoint& server) {
  asio::io_context io{1};
  Connector connector(io, options, server);
  std::vector<ConnectionPtr> connections(static_cast<std::size_t>(options.connections));
  int dropped = 0;
  const auto started = Clock::now();
  double setup_seconds = 0;

  Window window(
      options.connections, options.window,
      [&](int i, std::function<void()> done) {
        connector.open_visitor(i, 0, "", [&, i, done](ConnectionPtr c, std::string) {
          c->on_closed([&dropped](Connection&, error_code) { ++dropped; });
          connections[static_cast<std::size_t>(i)] = std::move(c);
          done();
        });
      },
      [&] {
        setup_seconds = seconds_since(started);
        std::cerr << "ready: " << options.connections << " visitors connected and answered in "
                  << setup_seconds << " s; holding until SIGTERM\n";
        const std::string partial = options.ready_file + ".partial";
        std::ofstream{partial} << options.connections << '\n';
        std::rename(partial.c_str(), options.ready_file.c_str());
      });
  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](const error_code&, int) { io.stop(); });
  window.run();
  io.run();

  json result{{"connections", options.connections},
              {"setup_seconds", setup_seconds},
              {"dropped_while_held", dropped}};
  std::cout << "RESULT " << result.dump() << std::endl;
  // Closing 10,000 sockets one by one is the kernel's work either way; skip the destructors.
  std::_Exit(dropped == 0 ? 0 : 3);
}

// ---------------------------------------------------------------------------------------------

struct Sample {
  Clock::time_point due;
  std::int64_t fanout_us = -1;  // until tab B received it
  std::int64_t ack_us = -1;     // until tab A received its ack (echo: its own copy)
};

struct Percentiles {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

Percentiles percentiles(std::vector<std::int64_t> us) {
  if (us.empty()) return {};
  std::sort(us.begin(), us.end());
  const auto at = [&us](double q) {
    const auto rank = static_cast<std::size_t>(q * static_cast<double>(us.size() - 1) + 0.5);
    return static_cast<double>(us[rank]) / 1000.0;
  };
  return {at(0.50), at(0.99), static_cast<double>(us.back()) / 1000.0};
}

class FanoutRun {
 public:
  FanoutRun(asio::io_context& io, const Options& options)
      : io_(io),
        options_(options),
        timer_(io),
        samples_(static_cast<std::size_t>(options.rate) *
                 static_cast<std::size_t>(options.seconds)),
        text_(static_cast<std::size_t>(options.text_bytes), 'x'),
        tabs_(static_cast<std::size_t>(options.sessions)) {}

  void set_tabs(int session, ConnectionPtr a, ConnectionPtr b) {
    for (auto* tab : {&a, &b}) {
      (*tab)->on_frame([this](Connection& c, std::string_view text) { on_frame(c, text); });
      (*tab)->on_closed([this](Connection& c, error_code ec) {
        std::cerr << "bench-webchat-load: session " << c.session() << " tab " << c.tab()
                  << " closed during the run: " << ec.message() << '\n';
        ++dropped_;
      });
    }
    tabs_[static_cast<std::size_t>(session)] = {std::move(a), std::move(b)};
  }

  void start() {
    start_ = Clock::now() + std::chrono::milliseconds(100);
    timer_.expires_at(start_);
    timer_.async_wait([this](error_code) { send_due(); });
  }

  json result() const {
    std::vector<std::int64_t> fanout, ack;
    for (const auto& s : samples_) {
      if (s.fanout_us >= 0) fanout.push_back(s.fanout_us);
      if (s.ack_us >= 0) ack.push_back(s.ack_us);
    }
    const auto f = percentiles(fanout), a = percentiles(ack);
    const double send_seconds = std::chrono::duration<double>(last_sent_ - start_).count();
    return {{"messages", samples_.size()},
            {"rate", options_.rate},
            {"achieved_send_rate",
             send_seconds > 0 ? static_cast<double>(samples_.size() - 1) / send_seconds : 0.0},
            {"sessions", options_.sessions},
            {"fanout_received", fanout.size()},
            {"acked", ack.size()},
            {"fanout_p50_ms", f.p50_ms},
            {"fanout_p99_ms", f.p99_ms},
            {"fanout_max_ms", f.max_ms},
            {"ack_p50_ms", a.p50_ms},
            {"ack_p99_ms", a.p99_ms},
            {"ack_max_ms", a.max_ms},
            {"duplicates", duplicates_},
            {"errors", errors_},
            {"dropped", dropped_}};
  }

  bool complete() const {
    return fanout_count_ == samples_.size() && ack_count_ == samples_.size() && errors_ == 0 &&
           duplicates_ == 0 && dropped_ == 0;
  }

 private:
  Clock::time_point due(std::size_t i) const {
    return start_ +
           std::chrono::nanoseconds(static_cast<std::int64_t>(i) * 1'000'000'000 / options_.rate);
  }

  void send_due() {
    const auto now = Clock::now();
    while (next_ < samples_.size() && due(next_) <= now) {
      auto& sample = samples_[next_];
      sample.due = due(next_);
      const auto& tabs = tabs_[next_ % tabs_.size()];
      json frame{{"type", "message"}, {"id", "m" + std::to_string(next_)}, {"text", text_}};
      tabs.first->send(frame.dump());
      last_sent_ = now;
      ++next_;
    }
    if (next_ < samples_.size()) {
      timer_.expires_at(due(next_));
    } else {
      // Everything sent: give the stragglers a while, then report what arrived.
      timer_.expires_after(std::chrono::seconds(10));
      timer_.async_wait([this](error_code ec) {
        if (!ec) io_.stop();
      });
      return;
    }
    timer_.async_wait([this](error_code) { send_due(); });
  }

  void on_frame(Connection& c, std::string_view text) {
    const json frame = parse_frame(text);
    const std::string type = frame.is_discarded() ? "" : string_field(frame, "type");
    if (type == "error" || frame.is_discarded()) {
      if (errors_++ < 5)
        std::cerr << "bench-webchat-load: session " << c.session() << ": " << text << '\n';
      return;
    }
    const bool is_ack =
        options_.protocol == Protocol::webchat ? type == "ack" : type == "message" && c.tab() == 0;
    const bool is_fanout = type == "message" && c.tab() == 1;
    if (!is_ack && !is_fanout) return;  // welcome, queue, the sender's own entry, ...
    const std::string id = string_field(frame, "id");
    if (id.size() < 2 || id[0] != 'm') return;
    const auto i = std::stoull(id.substr(1));
    if (i >= next_) return;
    auto& sample = samples_[i];
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sample.due).count();
    auto& slot = is_ack ? sample.ack_us : sample.fanout_us;
    if (slot >= 0) {
      ++duplicates_;
      return;
    }
    slot = us;
    ++(is_ack ? ack_count_ : fanout_count_);
    if (next_ == samples_.size() && ack_count_ == samples_.size() &&
        fanout_count_ == samples_.size()) {
      io_.stop();
    }
  }

  asio::io_context& io_;
  const Options& options_;
  asio::steady_timer timer_;
  std::vector<Sample> samples_;
  const std::string text_;
  std::vector<std::pair<ConnectionPtr, ConnectionPtr>> tabs_;
  Clock::time_point start_, last_sent_;
  std::size_t next_ = 0, fanout_count_ = 0, ack_count_ = 0;
  int duplicates_ = 0, errors_ = 0, dropped_ = 0;
};

int run_fanout(const Options& options, const tcp::endpoint& server) {
  asio::io_context io{1};
  Connector connector(io, options, server);
  FanoutRun run(io, options);
  const auto started = Clock::now();
  Window window(
      options.sessions, options.window,
      [&](int session, std::function<void()> done) {
        connector.open_visitor(
            session, 0, "", [&, session, done](ConnectionPtr a, std::string token) {
              if (options.protocol == Protocol::webchat && token.empty()) {
                std::cerr << "bench-webchat-load: session " << session
                          << ": welcome without a token\n";
                std::exit(3);
              }
              connector.open_visitor(session, 1, token,
                                     [&, session, a, done](ConnectionPtr b, std::string) {
                                       run.set_tabs(session, a, std::move(b));
                                       done();
                                     });
            });
      },
      [&] {
        std::cerr << "ready: " << options.sessions << " sessions with two tabs each in "
                  << seconds_since(started) << " s; sending " << options.rate << " messages/s for "
                  << options.seconds << " s\n";
        run.start();
      });
  window.run();
  io.run();

  const json result = run.result();
  std::cerr << "fan-out (tab B received): p50 " << result["fanout_p50_ms"] << " ms, p99 "
            << result["fanout_p99_ms"] << " ms, max " << result["fanout_max_ms"] << " ms; "
            << result["fanout_received"] << " of " << result["messages"] << '\n'
            << "ack (tab A): p50 " << result["ack_p50_ms"] << " ms, p99 " << result["ack_p99_ms"]
            << " ms, max " << result["ack_max_ms"] << " ms; " << result["acked"] << " of "
            << result["messages"] << '\n';
  std::cout << "RESULT " << result.dump() << std::endl;
  std::_Exit(run.complete() ? 0 : 3);
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  raise_open_files_limit(
      static_cast<std::size_t>(std::max(options.connections, 2 * options.sessions)));
  asio::io_context resolver_io;
  tcp::resolver resolver(resolver_io);
  const tcp::endpoint server = *resolver.resolve(options.host, options.port).begin();
  return options.connections > 0 ? run_idle(options, server) : run_fanout(options, server);
}
