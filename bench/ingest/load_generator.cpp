// Load generator of the ingest benchmark: N keep-alive connections post pre-signed Twilio
// incoming-SMS webhooks and report throughput and latency, in one of two modes:
//  - peak (default): each connection sends its next request as soon as the previous one is
//    answered (closed loop): the throughput the server can sustain;
//  - fixed rate (--rate R): request i is due at start + i/R whatever the server does (open
//    loop), and its latency counts from when it was due, not from when a connection was free
//    to send it, so a server that falls behind shows it in p99 (no coordinated omission).
// Throughput and latency count 2xx answers only. Any other answer or a transport error makes
// the run fail (exit 3): a benchmark that is answered 503 or 429 measured nothing.
//
// Every request is built and signed before the clock starts (HMAC-SHA1 over public URL + sorted
// fields, exactly as Twilio signs), so the generator measures the server, not its own crypto.
// Every request carries a distinct MessageSid; with --acked-file the MessageSid of every 2xx
// answer is written out so the caller can check that each acknowledged message was stored.
//
//   bench-ingest-load --url http://127.0.0.1:PORT/channels/sms/sms [--public-url URL]
//                     --auth-token T --account-sid AC... [--requests N] [--connections N]
//                     [--senders N] [--to +18005550199] [--acked-file FILE] [--rate R]
// Output: human-readable lines, then one line "RESULT {json}" for scripts.
#include <omnigate/common/form.hpp>
#include <omnigate/common/twilio_signature.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string url, public_url, auth_token, account_sid, acked_file;
  std::string to_number = "+18005550199";
  int requests = 20000;
  int connections = 32;
  int senders = 1000;
  int rate = 0;  // requests per second in fixed-rate mode; 0: peak mode
};

struct Target {
  std::string host, port, path;
};

struct SignedRequest {
  std::string message_sid, body, signature;
};

// What one connection saw; merged after the run (the generator is single-threaded).
struct Tally {
  std::vector<std::int64_t> latencies_us;
  std::vector<std::string> acked_sids;
  int non_2xx = 0;
  int transport_errors = 0;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "bench-ingest-load: " << message
            << "\nusage: bench-ingest-load --url URL [--public-url URL] --auth-token T"
               " --account-sid AC... [--requests N] [--connections N] [--senders N]"
               " [--to E164] [--acked-file FILE] [--rate REQUESTS_PER_SECOND]\n";
  std::exit(2);
}

int positive(std::string_view name, const std::string& value) {
  const int n = std::atoi(value.c_str());
  if (n < 1) usage_error(std::string(name) + ": expected a positive integer, got '" + value + "'");
  return n;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) usage_error(std::string(arg) + ": expected a value");
    const std::string value = argv[++i];
    if (arg == "--url")
      o.url = value;
    else if (arg == "--public-url")
      o.public_url = value;
    else if (arg == "--auth-token")
      o.auth_token = value;
    else if (arg == "--account-sid")
      o.account_sid = value;
    else if (arg == "--acked-file")
      o.acked_file = value;
    else if (arg == "--to")
      o.to_number = value;
    else if (arg == "--requests")
      o.requests = positive(arg, value);
    else if (arg == "--connections")
      o.connections = positive(arg, value);
    else if (arg == "--senders")
      o.senders = positive(arg, value);
    else if (arg == "--rate")
      o.rate = positive(arg, value);
    else
      usage_error(std::string(arg) + ": unknown option");
  }
  if (o.url.empty()) usage_error("--url is required");
  if (o.auth_token.empty()) usage_error("--auth-token is required");
  if (o.account_sid.empty()) usage_error("--account-sid is required");
  if (o.public_url.empty()) o.public_url = o.url;
  return o;
}

// Only what the benchmark needs: http://host:port/path.
Target parse_url(const std::string& url) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) usage_error("--url: only http:// URLs are supported: " + url);
  const auto rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos) usage_error("--url: expected an explicit port: " + url);
  return {authority.substr(0, colon), authority.substr(colon + 1),
          slash == std::string::npos ? "/" : rest.substr(slash)};
}

std::string hex32(std::uint64_t high, std::uint64_t low) {
  std::ostringstream out;
  out << std::hex << std::setfill('0') << std::setw(16) << high << std::setw(16) << low;
  return out.str();
}

// Twilio's incoming-message fields (https://www.twilio.com/docs/messaging/guides/webhook-request).
std::vector<SignedRequest> sign_requests(const Options& o) {
  std::random_device entropy;
  const std::uint64_t run_id = (std::uint64_t{entropy()} << 32) | entropy();  // sids unique per run
  std::vector<SignedRequest> out;
  out.reserve(static_cast<std::size_t>(o.requests));
  for (int i = 0; i < o.requests; ++i) {
    const std::string sid = "SM" + hex32(run_id, static_cast<std::uint64_t>(i));
    std::ostringstream from;
    from << "+1415555" << std::setfill('0') << std::setw(4) << (i % o.senders);
    const omnigate::form::Fields fields = {
        {"ToCountry", "US"},
        {"SmsMessageSid", sid},
        {"NumMedia", "0"},
        {"SmsSid", sid},
        {"SmsStatus", "received"},
        {"Body", "benchmark message " + std::to_string(i)},
        {"FromCountry", "US"},
        {"To", o.to_number},
        {"NumSegments", "1"},
        {"MessageSid", sid},
        {"AccountSid", o.account_sid},
        {"From", from.str()},
        {"ApiVersion", "2010-04-01"},
    };
    out.push_back({sid, omnigate::form::encode(fields),
                   omnigate::twilio::compute_signature(o.auth_token, o.public_url, fields)});
  }
  return out;
}

class LoadRun {
 public:
  LoadRun(Target target, std::vector<SignedRequest> requests, int rate)
      : target_(std::move(target)), requests_(std::move(requests)), rate_(rate) {}

  void start(Clock::time_point now) { started_ = now; }

  // One coroutine per connection; each takes the next unsent request until none is left (in
  // fixed-rate mode, not before that request is due).
  asio::awaitable<void> connection(Tally& tally) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer pacer{executor};
    tcp::resolver resolver{executor};
    const auto endpoints =
        co_await resolver.async_resolve(target_.host, target_.port, asio::use_awaitable);
    beast::tcp_stream stream{executor};
    bool connected = false;
    beast::flat_buffer buffer;
    while (next_ < requests_.size()) {
      const std::size_t index = next_++;
      const SignedRequest& signed_request = requests_[index];
      auto due = Clock::now();
      if (rate_ > 0) {
        due = started_ + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(index) / rate_));
        pacer.expires_at(due);
        co_await pacer.async_wait(asio::use_awaitable);
      }
      if (!connected) {
        auto [connect_error, endpoint] =
            co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
        if (connect_error) {
          ++tally.transport_errors;
          continue;
        }
        stream.socket().set_option(tcp::no_delay(true));
        connected = true;
        buffer.clear();
      }
      http::request<http::string_body> request{http::verb::post, target_.path, 11};
      request.set(http::field::host, target_.host + ":" + target_.port);
      request.set(http::field::user_agent, "TwilioProxy/1.1");
      request.set(http::field::content_type, "application/x-www-form-urlencoded");
      request.set("X-Twilio-Signature", signed_request.signature);
      request.body() = signed_request.body;
      request.keep_alive(true);
      request.prepare_payload();

      // Peak mode: from now. Fixed rate: from when the request was due, which is earlier when
      // every connection was busy.
      const auto started = rate_ > 0 ? due : Clock::now();
      auto [write_error, written] =
          co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
      http::response<http::string_body> response;
      beast::error_code read_error = write_error;
      if (!write_error) {
        auto [error, read] = co_await http::async_read(stream, buffer, response,
                                                       asio::as_tuple(asio::use_awaitable));
        read_error = error;
      }
      if (read_error) {
        // The request may or may not have been stored; it is not acknowledged, so the
        // stored-equals-acknowledged check does not count on it. Reconnect for the next one.
        ++tally.transport_errors;
        beast::error_code ignored;
        stream.socket().close(ignored);
        connected = false;
        continue;
      }
      if (response.result_int() / 100 == 2) {
        tally.latencies_us.push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count());
        tally.acked_sids.push_back(signed_request.message_sid);
      } else {
        ++tally.non_2xx;
      }
      if (!response.keep_alive()) {
        beast::error_code ignored;
        stream.socket().close(ignored);
        connected = false;
      }
    }
  }

 private:
  Target target_;
  std::vector<SignedRequest> requests_;
  int rate_;
  Clock::time_point started_{};
  std::size_t next_ = 0;  // single-threaded io_context: no synchronisation needed
};

double percentile_ms(const std::vector<std::int64_t>& sorted_us, double fraction) {
  if (sorted_us.empty()) return 0.0;
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(sorted_us.size() - 1));
  return static_cast<double>(sorted_us[index]) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  LoadRun run{parse_url(options.url), sign_requests(options), options.rate};

  asio::io_context io{1};
  std::vector<Tally> tallies(static_cast<std::size_t>(options.connections));
  bool failed = false;
  for (auto& tally : tallies) {
    asio::co_spawn(io, run.connection(tally), [&failed](std::exception_ptr error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        std::cerr << "bench-ingest-load: connection failed: " << e.what() << '\n';
      }
      failed = true;
    });
  }
  const auto started = Clock::now();
  run.start(started);
  io.run();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  Tally total;
  for (auto& tally : tallies) {
    total.latencies_us.insert(total.latencies_us.end(), tally.latencies_us.begin(),
                              tally.latencies_us.end());
    total.acked_sids.insert(total.acked_sids.end(), tally.acked_sids.begin(),
                            tally.acked_sids.end());
    total.non_2xx += tally.non_2xx;
    total.transport_errors += tally.transport_errors;
  }
  std::sort(total.latencies_us.begin(), total.latencies_us.end());
  // Only acknowledged (2xx) requests count: a server that answers 503 fast is not fast.
  const double acked_per_second = static_cast<double>(total.acked_sids.size()) / seconds;

  if (!options.acked_file.empty()) {
    std::ofstream acked{options.acked_file};
    for (const auto& sid : total.acked_sids) acked << sid << '\n';
  }
  std::cout << std::fixed << std::setprecision(2) << "requests " << options.requests << " over "
            << options.connections << " connections in " << seconds << " s"
            << (options.rate > 0 ? " at a fixed rate of " + std::to_string(options.rate) + "/s"
                                 : std::string(" (peak)"))
            << "\n"
            << "  2xx " << total.acked_sids.size() << ", other status " << total.non_2xx
            << ", transport errors " << total.transport_errors << '\n'
            << "  throughput " << acked_per_second << " acknowledged req/s, latency p50 "
            << percentile_ms(total.latencies_us, 0.50) << " ms, p99 "
            << percentile_ms(total.latencies_us, 0.99) << " ms\n"
            << "RESULT {\"requests\": " << options.requests
            << ", \"connections\": " << options.connections << ", \"rate\": " << options.rate
            << ", \"acked\": " << total.acked_sids.size() << ", \"non_2xx\": " << total.non_2xx
            << ", \"transport_errors\": " << total.transport_errors << ", \"seconds\": " << seconds
            << ", \"rps\": " << acked_per_second
            << ", \"p50_ms\": " << percentile_ms(total.latencies_us, 0.50)
            << ", \"p99_ms\": " << percentile_ms(total.latencies_us, 0.99) << "}" << std::endl;
  if (failed) return 1;
  if (total.non_2xx > 0 || total.transport_errors > 0) {
    std::cerr << "bench-ingest-load: the run FAILED: " << total.non_2xx
              << " answers were not 2xx and " << total.transport_errors
              << " requests met a transport error; throughput and latency count 2xx only\n";
    return 3;
  }
  return 0;
}
