#include "conform/conform_kit.hpp"

#include "conform/child_process.hpp"
#include "conform/conform_child.hpp"
#include "conform/hostile_inputs.hpp"
#include "conform/http_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define OG_CONFORM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OG_CONFORM_ASAN 1
#endif
#endif

namespace omnigate::conform {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A line with no new event for this long means the child hangs.
constexpr auto kStepTimeout = 30s;
// A hostile request is answered within this, or within the route's deferred-reply timeout
// (the host's default 10 s when the route sets none) plus this margin.
constexpr int kRequestTimeoutMs = 5000;
constexpr int kDefaultRespondTimeoutMs = 10000;
constexpr int kRespondMarginMs = 2000;

// The leak heuristic without LeakSanitizer fails only for growth this clear: more than 8 MiB
// and more than 4 KiB per request over at least 50 random requests.
constexpr std::size_t kLeakMinRequests = 50;
constexpr long kLeakMinGrowth = 8L * 1024 * 1024;
constexpr long kLeakPerRequest = 4L * 1024;

// Resident set size of a process, 0 when unknown.
long resident_bytes(pid_t pid) {
  if (pid <= 0) return 0;
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  long size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * ::sysconf(_SC_PAGESIZE);
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    const auto tab = line.find('\t', pos);
    out.push_back(line.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos));
    if (tab == std::string::npos) return out;
    pos = tab + 1;
  }
}

std::string plural(std::size_t n, const std::string& what) {
  const bool sibilant = !what.empty() && what.back() == 's';
  return std::to_string(n) + ' ' + what + (n == 1 ? "" : sibilant ? "es" : "s");
}

// A socket on 127.0.0.1 that either refuses connections (bound, not listening: the port stays
// ours, so nothing else can take it) or accepts them and never answers.
class LocalPort {
 public:
  explicit LocalPort(bool listening) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        (listening && ::listen(fd_, 128) != 0) ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot bind a local port for the provider stand-ins");
    port_ = ntohs(addr.sin_port);
  }
  ~LocalPort() { ::close(fd_); }
  LocalPort(const LocalPort&) = delete;
  LocalPort& operator=(const LocalPort&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

enum class Verdict { none, pass, fail, skip };

struct Rule {
  std::string name;
  Verdict verdict = Verdict::none;
  std::string detail;
  std::vector<std::string> failures;  // findings that fail the rule, in order
};

struct Route {
  std::string method, path;
  bool websocket = false;
  std::size_t max_body_bytes = 0;
  int respond_timeout_ms = 0;
};

// What a child ended with, for the "leaks" rule.
struct ChildRecord {
  std::string label;
  std::string log_path;
  bool clean = false;
};

class Kit {
 public:
  Kit(const ConformOptions& options, std::ostream& out) : options_(options), out_(out) {
    for (const char* name : {"load", "lifecycle", "bad config", "routes", kRuleEmptyBody,
                             kRuleHugeBody, kRuleBinaryBody, kRuleContentType, kRuleRandomBytes,
                             "send", "shutdown", "crashes", "hangs", "leaks"})
      rules_.push_back(Rule{name, Verdict::none, {}, {}});
    std::string tmpl = (fs::temp_directory_path() / "omnigate-conform-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("cannot create a temp dir");
    work_dir_ = tmpl;
  }

  int run() {
    out_ << "omnigate plugins conform " << options_.plugin_file << '\n';
    run_lifecycle();
    if (!usable_) {
      skip_rest("not checked: the instance does not run (see above)");
    } else {
      run_routes();
      run_send();
    }
    finish();
    return print();
  }

 private:
  Rule& rule(const std::string& name) {
    for (auto& r : rules_) {
      if (r.name == name) return r;
    }
    rules_.push_back(Rule{name, Verdict::none, {}, {}});
    return rules_.back();
  }

  void set(const std::string& name, const std::string& verdict, const std::string& detail) {
    Rule& r = rule(name);
    if (verdict == "FAIL") {
      r.failures.push_back(detail);
    } else {
      r.verdict = verdict == "PASS" ? Verdict::pass : Verdict::skip;
      r.detail = detail;
    }
  }

  void skip_rest(const std::string& why) {
    for (auto& r : rules_) {
      if (r.verdict == Verdict::none && r.failures.empty() && r.name != "crashes" &&
          r.name != "hangs" && r.name != "leaks") {
        r.verdict = Verdict::skip;
        r.detail = why;
      }
    }
  }

  ChildSettings settings(const std::string& label) {
    ChildSettings s;
    s.plugin_file = options_.plugin_file;
    s.instance = options_.instance;
    s.config_json = options_.config_json;
    s.data_dir = (fs::path(work_dir_) / (label + "-data")).string();
    s.send_timeout_ms = options_.send_timeout_ms;
    return s;
  }

  std::string log_for(const std::string& label) {
    return (fs::path(work_dir_) / (label + ".log")).string();
  }

  void crashed(const std::string& rule_name, const std::string& what) {
    rule(rule_name).failures.push_back("crashed " + what);
    crashes_.push_back(rule_name + ": " + what);
  }

  void hung(const std::string& rule_name, const std::string& what) {
    rule(rule_name).failures.push_back("hung: " + what);
    hangs_.push_back(rule_name + ": " + what);
  }

  // Runs a child that reports step/result lines until it ends; a crash or a hang is blamed on
  // the step it was in.
  void run_scripted(const std::string& label, const std::function<int(int, int)>& body) {
    const std::string log = log_for(label);
    auto child = ChildProcess::spawn(log, body);
    std::string current_rule = "load", current_step = "start";
    for (;;) {
      bool timed_out = false;
      const auto line = child->read_line(Clock::now() + kStepTimeout, timed_out);
      if (timed_out) {
        child->kill();
        hung(current_rule, current_step + " did not finish within " +
                               std::to_string(kStepTimeout.count()) + " s (child killed)");
        children_.push_back({label, log, false});
        return;
      }
      if (!line) break;
      const auto f = split_tabs(*line);
      if (f[0] == "step" && f.size() >= 3) {
        current_rule = f[1];
        current_step = f[2];
      } else if (f[0] == "result" && f.size() >= 4) {
        set(f[1], f[2], f[3]);
      } else if (f[0] == "plugin" && f.size() >= 5) {
        plugin_ = f[1] + ' ' + f[2] + " (channel kind " + f[3] + ", ABI " + f[4] + ")";
      } else if (f[0] == "declined") {
        usable_ = false;
      }
    }
    auto exit = child->wait(Clock::now() + kStepTimeout);
    if (!exit) {
      child->kill();
      hung(current_rule, current_step + ": the child did not exit (killed)");
      children_.push_back({label, log, false});
      return;
    }
    const bool clean = ended_cleanly(*exit, log);
    if (!clean)
      crashed(current_rule, "during \"" + current_step + "\": " + describe_exit(*exit, log));
    children_.push_back({label, log, clean});
  }

  void run_lifecycle() {
    const ChildSettings s = settings("lifecycle");
    run_scripted("lifecycle", [s](int events, int) { return run_lifecycle_child(s, events); });
    if (plugin_.empty() || !rule("load").failures.empty() || !rule("lifecycle").failures.empty())
      usable_ = false;
    if (!plugin_.empty()) out_ << "plugin: " << plugin_ << '\n';
  }

  // ---- routes under hostile input

  bool start_server() {
    const std::string label = "serve-" + std::to_string(++serve_runs_);
    const std::string log = log_for(label);
    const ChildSettings s = settings(label);
    server_ = ChildProcess::spawn(
        log, [s](int events, int commands) { return run_serve_child(s, events, commands); });
    server_label_ = label;
    std::vector<Route> routes;
    for (;;) {
      bool timed_out = false;
      const auto line = server_->read_line(Clock::now() + kStepTimeout, timed_out);
      if (!line) {
        std::string why =
            timed_out ? "did not start within " + std::to_string(kStepTimeout.count()) + " s"
                      : "ended before serving";
        server_->kill();
        if (!timed_out) {
          if (auto exit = server_->wait(Clock::now() + 5s)) why += ": " + describe_exit(*exit, log);
        }
        rule("routes").failures.push_back("the instance " + why);
        children_.push_back({label, log, false});
        server_.reset();
        return false;
      }
      const auto f = split_tabs(*line);
      if (f[0] == "fatal") {
        rule("routes").failures.push_back("the instance did not start: " + f.back());
        server_->kill();
        server_.reset();
        return false;
      }
      if (f[0] == "route" && f.size() >= 6) {
        routes.push_back(Route{f[1], f[2], f[3] == "1", std::stoull(f[4]), std::stoi(f[5])});
      } else if (f[0] == "port" && f.size() >= 2) {
        port_ = static_cast<std::uint16_t>(std::stoi(f[1]));
      } else if (f[0] == "ready") {
        break;
      }
    }
    if (routes_.empty()) routes_ = routes;
    return true;
  }

  // After the connection broke or timed out: did the child die (a crash) or hang?
  void server_lost(const char* rule_name, const HttpProbe& probe, ProbeAnswer::Kind kind,
                   int timeout_ms) {
    const std::string log = server_->log_path();
    if (kind == ProbeAnswer::Kind::timed_out) {
      server_->kill();
      hung(rule_name, "no answer within " + std::to_string(timeout_ms) + " ms to " +
                          describe_request(probe) + " (child killed)");
      children_.push_back({server_label_, log, false});
      server_.reset();
      return;
    }
    if (auto exit = server_->wait(Clock::now() + 3s)) {
      crashed(rule_name, "(" + describe_exit(*exit, log) + ") on " + describe_request(probe));
      children_.push_back({server_label_, log, ended_cleanly(*exit, log)});
      server_.reset();
    }
  }

  // One hostile request; false when the route should not get more (it failed).
  bool probe(const char* rule_name, const Route& route, const HttpProbe& request) {
    if (!server_ && !start_server()) return false;
    Rule& r = rule(rule_name);
    const int timeout_ms = std::max(
        kRequestTimeoutMs,
        (route.respond_timeout_ms > 0 ? route.respond_timeout_ms : kDefaultRespondTimeoutMs) +
            kRespondMarginMs);
    const ProbeAnswer answer = send_probe(port_, request, std::chrono::milliseconds(timeout_ms));
    ++requests_[rule_name];
    if (answer.kind == ProbeAnswer::Kind::answered) {
      ++statuses_[rule_name][answer.status];
      if (answer.status >= 500 && answer.status != 503) {
        r.failures.push_back("answered " + std::to_string(answer.status) + " to " +
                             describe_request(request));
        return false;
      }
      return true;
    }
    server_lost(rule_name, request, answer.kind, timeout_ms);
    if (server_) {
      r.failures.push_back("connection broken without an answer (" + answer.error + ") to " +
                           describe_request(request));
    }
    return false;
  }

  void stop_server() {
    if (!server_) return;
    server_->send_command("stop");
    std::string current_step = "stop";
    for (;;) {
      bool timed_out = false;
      const auto line = server_->read_line(Clock::now() + kStepTimeout, timed_out);
      if (timed_out) {
        server_->kill();
        hung("shutdown", current_step + " after the hostile requests did not finish within " +
                             std::to_string(kStepTimeout.count()) + " s (child killed)");
        children_.push_back({server_label_, server_->log_path(), false});
        server_.reset();
        return;
      }
      if (!line) break;
      const auto f = split_tabs(*line);
      if (f[0] == "step" && f.size() >= 3) current_step = f[2];
    }
    const std::string log = server_->log_path();
    auto exit = server_->wait(Clock::now() + kStepTimeout);
    if (!exit) {
      server_->kill();
      hung("shutdown", "the child did not exit after \"" + current_step + "\" (killed)");
      children_.push_back({server_label_, log, false});
    } else {
      const bool clean = ended_cleanly(*exit, log);
      if (!clean)
        crashed("shutdown", "during \"" + current_step + "\": " + describe_exit(*exit, log));
      children_.push_back({server_label_, log, clean});
    }
    server_.reset();
  }

  void run_routes() {
    if (!start_server()) {
      skip_hostile("not checked: the instance did not serve");
      return;
    }
    std::vector<Route> http_routes;
    std::string listed;
    for (const auto& r : routes_) {
      listed += (listed.empty() ? "" : ", ") + (r.method.empty() ? std::string("*") : r.method) +
                ' ' + r.path + (r.websocket ? " (WebSocket: not probed)" : "");
      if (!r.websocket) http_routes.push_back(r);
    }
    if (http_routes.empty()) {
      set("routes", "SKIP", routes_.empty() ? "the plugin registered no route" : listed);
      skip_hostile("not checked: no HTTP route");
      stop_server();
      return;
    }
    set("routes", "PASS", listed);
    for (const auto& route : http_routes) {
      // Above the route's limit (the plugin's ceiling or the host's 1 MiB): the host answers 413.
      for (const auto& h : fixed_requests(route.method, route.path, route.max_body_bytes + 1)) {
        probe(h.rule, route, h.probe);
      }
    }
    std::uint64_t seed = options_.seed;
    if (seed == 0)
      seed = (static_cast<std::uint64_t>(std::random_device{}()) << 32) | std::random_device{}();
    std::mt19937_64 rng(seed);
    // The leak heuristic of builds without LeakSanitizer: the serving child's resident memory
    // before and after the random requests (when the same child served them all).
    if (!server_) start_server();
    const pid_t measured_pid = server_ ? server_->pid() : -1;
    const long rss_before = resident_bytes(measured_pid);
    const std::size_t requests_before = requests_[kRuleRandomBytes];
    const auto share = std::chrono::milliseconds(options_.random_seconds * 1000) /
                       static_cast<long>(http_routes.size());
    for (const auto& route : http_routes) {
      const auto until = Clock::now() + share;
      do {
        if (!probe(kRuleRandomBytes, route, random_request(route.method, route.path, rng))) break;
      } while (Clock::now() < until);
    }
    random_note_ = "seed " + std::to_string(seed) + " (--seed to repeat)";
    if (server_ && server_->pid() == measured_pid && rss_before > 0) {
      const long rss_after = resident_bytes(measured_pid);
      if (rss_after > 0) {
        rss_growth_ = rss_after - rss_before;
        rss_requests_ = requests_[kRuleRandomBytes] - requests_before;
      }
    }
    stop_server();
    for (const char* name :
         {kRuleEmptyBody, kRuleHugeBody, kRuleBinaryBody, kRuleContentType, kRuleRandomBytes}) {
      Rule& r = rule(name);
      std::string statuses;
      for (const auto& [status, n] : statuses_[name]) {
        statuses +=
            (statuses.empty() ? "" : ", ") + std::to_string(status) + " x" + std::to_string(n);
      }
      r.verdict = Verdict::pass;
      r.detail = plural(requests_[name], "request") + " over " +
                 plural(http_routes.size(), "route") +
                 " answered without a crash, a hang or a 5xx other than 503 (" + statuses + ")";
      if (std::string(name) == kRuleRandomBytes) r.detail += "; " + random_note_;
    }
  }

  void skip_hostile(const std::string& why) {
    for (const char* name :
         {kRuleEmptyBody, kRuleHugeBody, kRuleBinaryBody, kRuleContentType, kRuleRandomBytes}) {
      Rule& r = rule(name);
      if (r.failures.empty()) {
        r.verdict = Verdict::skip;
        r.detail = why;
      }
    }
  }

  // ---- send and shutdown

  void run_send() {
    LocalPort closed(false);
    LocalPort black_hole(true);
    ChildSettings s = settings("send");
    s.closed_port = closed.port();
    s.black_hole_port = black_hole.port();
    run_scripted("send", [s](int events, int) { return run_send_child(s, events); });
  }

  // ---- summary rules

  void finish() {
    std::size_t clean = 0;
    for (const auto& c : children_) clean += c.clean ? 1 : 0;
    Rule& crashes = rule("crashes");
    if (crashes_.empty()) {
      crashes.verdict = Verdict::pass;
      crashes.detail = "no crash in " + plural(children_.size(), "child process");
    } else {
      crashes.failures = crashes_;
    }
    Rule& hangs = rule("hangs");
    if (hangs_.empty()) {
      hangs.verdict = Verdict::pass;
      hangs.detail = "every step and request finished in time";
    } else {
      hangs.failures = hangs_;
    }
    Rule& leaks = rule("leaks");
#if defined(OG_CONFORM_ASAN)
    std::size_t checked = 0;
    for (const auto& c : children_) {
      if (!c.clean) continue;
      ++checked;
      const std::string report = leak_report(c.log_path);
      if (!report.empty()) leaks.failures.push_back(c.label + ": " + report);
    }
    if (leaks.failures.empty()) {
      leaks.verdict = checked == 0 ? Verdict::skip : Verdict::pass;
      leaks.detail = checked == 0 ? "not checked: no child process exited normally"
                                  : "LeakSanitizer found nothing in " +
                                        plural(checked, "child process") + " that exited normally";
    }
#else
    (void)clean;
    const std::string not_asan =
        "not an ASan build (run the omnigate of `cmake --preset asan` for LeakSanitizer's "
        "verdict)";
    const std::string growth = "the serving child's resident memory grew " +
                               std::to_string(rss_growth_ / 1024) + " KiB over " +
                               plural(rss_requests_, "random request");
    if (rss_requests_ >= kLeakMinRequests && rss_growth_ > kLeakMinGrowth &&
        rss_growth_ / static_cast<long>(rss_requests_) > kLeakPerRequest) {
      leaks.failures.push_back(
          "heuristic (" + not_asan + "): " + growth + ", " +
          std::to_string(rss_growth_ / static_cast<long>(rss_requests_) / 1024) +
          " KiB per request: memory kept per request (a leak, or a cache without bound)");
    } else {
      leaks.verdict = Verdict::skip;
      leaks.detail = "not checked: " + not_asan +
                     (rss_requests_ > 0 ? "; heuristic: " + growth + ", under its limit" : "");
    }
#endif
    for (auto& r : rules_) {
      if (r.verdict == Verdict::none && r.failures.empty()) {
        r.verdict = Verdict::skip;
        r.detail = "not checked (an earlier step failed)";
      }
    }
  }

  int print() {
    int failed = 0;
    for (const auto& r : rules_) {
      const bool fail = !r.failures.empty();
      failed += fail ? 1 : 0;
      std::string detail = fail ? r.failures.front() : r.detail;
      if (r.failures.size() > 1) {
        for (std::size_t i = 1; i < r.failures.size() && i < 4; ++i) detail += "; " + r.failures[i];
        if (r.failures.size() > 4)
          detail += "; and " + std::to_string(r.failures.size() - 4) + " more";
      }
      out_ << (fail                         ? "FAIL"
               : r.verdict == Verdict::pass ? "PASS"
                                            : "SKIP")
           << "  " << std::left << std::setw(18) << r.name << "  " << detail << '\n';
    }
    if (failed > 0) {
      out_ << plural(static_cast<std::size_t>(failed), "rule")
           << " failed; the child processes' logs are in " << work_dir_ << '\n';
    } else {
      out_ << "conformant: no rule failed\n";
      std::error_code ec;
      fs::remove_all(work_dir_, ec);
    }
    out_.flush();
    return failed;
  }

  const ConformOptions& options_;
  std::ostream& out_;
  std::vector<Rule> rules_;
  std::string work_dir_;
  std::string plugin_;
  bool usable_ = true;
  std::vector<std::string> crashes_, hangs_;
  std::vector<ChildRecord> children_;
  // The serving child of the route rules (restarted after a crash or a hang).
  std::unique_ptr<ChildProcess> server_;
  std::string server_label_;
  int serve_runs_ = 0;
  std::uint16_t port_ = 0;
  std::vector<Route> routes_;
  std::map<std::string, std::size_t> requests_;
  std::map<std::string, std::map<int, std::size_t>> statuses_;
  std::string random_note_;
  long rss_growth_ = 0;
  std::size_t rss_requests_ = 0;
};

}  // namespace

int run_conformance(const ConformOptions& options, std::ostream& out) {
  // A child that dies while the kit writes to it must not kill the kit.
  ::signal(SIGPIPE, SIG_IGN);
  Kit kit(options, out);
  return kit.run();
}

}  // namespace omnigate::conform
