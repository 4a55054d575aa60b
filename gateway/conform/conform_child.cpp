#include "conform/conform_child.hpp"

#include "conform/child_process.hpp"
#include "core/asio_executor.hpp"
#include "core/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "plugin_host/plugin_host.hpp"
#include "store/store.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <thread>

namespace omnigate::conform {
namespace {

using namespace std::chrono_literals;

// A store, metrics and executor like `serve` has, in the child's own directory.
class HostRig {
 public:
  explicit HostRig(const std::string& dir) {
    std::filesystem::create_directories(dir);
    store::SqliteOptions options;
    options.path = dir + "/omnigate.db";
    options.attachments_dir = dir + "/attachments";
    store_ = store::open_sqlite_store(options);
    executor_ = make_asio_executor(2);
    executor_->run();
  }
  ~HostRig() {
    store_->flush();
    executor_->stop();
  }
  HostRig(const HostRig&) = delete;
  HostRig& operator=(const HostRig&) = delete;

  std::unique_ptr<PluginHost> host(int send_timeout_ms) {
    PluginHostOptions options;
    options.send_timeout_ms = send_timeout_ms;
    return std::make_unique<PluginHost>(*executor_, *store_, metrics_, options);
  }
  AsioExecutor& executor() { return *executor_; }
  Metrics& metrics() { return metrics_; }

 private:
  std::unique_ptr<store::Store> store_;
  Metrics metrics_;
  std::unique_ptr<AsioExecutor> executor_;
};

config::PluginInstanceConfig instance_config(const ChildSettings& s, std::string config_json) {
  config::PluginInstanceConfig c;
  c.instance = s.instance;
  c.file = s.plugin_file;
  c.enabled = true;
  c.allow_private_fetch = true;  // the kit's "providers" listen on 127.0.0.1
  c.config_json = std::move(config_json);
  return c;
}

PluginHost::InstanceInfo start(PluginHost& host, const config::PluginInstanceConfig& config) {
  host.start({config});
  const auto infos = host.instances();
  return infos.empty() ? PluginHost::InstanceInfo{} : infos.front();
}

void step(int events, const std::string& rule, const std::string& what) {
  emit(events, "step\t" + rule + '\t' + what);
}

void result(int events, const std::string& rule, const char* verdict, const std::string& detail) {
  std::string flat = detail;
  for (auto& c : flat) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  emit(events, "result\t" + rule + '\t' + verdict + '\t' + flat);
}

// Every top-level value replaced by one of another JSON type.
std::string mistyped(const std::string& config_json) {
  auto config = nlohmann::json::parse(config_json, nullptr, false);
  if (!config.is_object() || config.empty()) return {};
  for (auto& [key, value] : config.items()) {
    if (value.is_string()) {
      value = 12345;
    } else if (value.is_array()) {
      value = nlohmann::json::object();
    } else if (value.is_object()) {
      value = nlohmann::json::array();
    } else {
      value = "conform";
    }
  }
  return config.dump();
}

std::string with_bogus_key(const std::string& config_json) {
  auto config = nlohmann::json::parse(config_json, nullptr, false);
  if (!config.is_object()) config = nlohmann::json::object();
  config[kBogusConfigKey] = 1;
  return config.dump();
}

std::string describe(const SendOutcome& o) {
  std::string out = send_outcome_name(o.kind);
  if (!o.provider_message_id.empty()) out += " " + o.provider_message_id;
  if (!o.error_code.empty())
    out += " (" + o.error_code + (o.error_text.empty() ? "" : ": " + o.error_text) + ")";
  return out;
}

store::OutboxItem test_reply(const ChildSettings& s, const std::string& channel_kind, int n) {
  store::OutboxItem item;
  item.id = n;
  item.message_id = n;
  item.conversation_id = 1;
  item.channel_instance = s.instance;
  item.idempotency_key = "conform-" + std::to_string(::getpid()) + "-" + std::to_string(n);
  if (channel_kind == "sms" || channel_kind == "voice" || channel_kind == "whatsapp") {
    item.to_kind = "phone";
    item.to_address = "+14155550100";
  } else if (channel_kind == "email") {
    item.to_kind = "email";
    item.to_address = "customer@example.com";
  } else {
    item.to_kind = channel_kind;
    item.to_address = "conform-customer";
  }
  item.body_text = "a test reply from omnigate plugins conform";
  item.author_name = "Conformance Kit";
  item.state = "sending";
  item.created_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  return item;
}

// host.send(), waiting at most `wait` for the outcome.
std::optional<SendOutcome> send_and_wait(PluginHost& host, const store::OutboxItem& item,
                                         std::chrono::milliseconds wait) {
  auto promise = std::make_shared<std::promise<SendOutcome>>();
  auto future = promise->get_future();
  host.send(item, [promise](SendOutcome o) { promise->set_value(std::move(o)); });
  if (future.wait_for(wait) != std::future_status::ready) return std::nullopt;
  return future.get();
}

long long ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t0)
      .count();
}

}  // namespace

std::string point_urls_at(const std::string& config_json, std::uint16_t port, int& count) {
  count = 0;
  auto config = nlohmann::json::parse(config_json, nullptr, false);
  if (config.is_discarded()) return config_json;
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  auto visit = [&](auto& self, nlohmann::json& v) -> void {
    if (v.is_object() || v.is_array()) {
      for (auto& child : v) self(self, child);
    } else if (v.is_string()) {
      const std::string s = v.get<std::string>();
      const auto scheme = s.rfind("http://", 0) == 0 ? 7u : s.rfind("https://", 0) == 0 ? 8u : 0u;
      if (scheme == 0) return;
      const auto slash = s.find('/', scheme);
      v = base + (slash == std::string::npos ? "" : s.substr(slash));
      ++count;
    }
  };
  visit(visit, config);
  return config.dump();
}

int run_lifecycle_child(const ChildSettings& s, int events) {
  step(events, "load", "dlopen and ABI checks");
  const PluginInspection p = inspect_plugin(s.plugin_file);
  if (!p.ok) {
    result(events, "load", "FAIL", p.error);
    return 0;
  }
  emit(events, "plugin\t" + p.name + '\t' + p.version + '\t' + p.channel_kind + '\t' +
                   std::to_string(p.abi_major) + '.' + std::to_string(p.abi_minor));
  result(events, "load", "PASS",
         p.name + ' ' + p.version + ", channel kind " + p.channel_kind + ", needs ABI " +
             std::to_string(p.abi_major) + '.' + std::to_string(p.abi_minor) +
             (p.config_schema_json.empty() ? ", no config schema" : ", config schema"));

  HostRig rig(s.data_dir);
  for (int round = 1; round <= 2; ++round) {
    const std::string r = "round " + std::to_string(round) + ": ";
    step(events, "lifecycle", r + "create and start");
    auto host = rig.host(s.send_timeout_ms);
    const auto info = start(*host, instance_config(s, s.config_json));
    if (info.state != "running") {
      if (info.reason.rfind("declined", 0) == 0) {
        // A decline is the plugin's right: the host keeps the instance disabled. Nothing of it
        // runs, so nothing else can be checked.
        result(events, "lifecycle", info.reason.size() > 10 ? "SKIP" : "FAIL",
               "the plugin declined its config (" + info.reason +
                   (info.reason.size() > 10 ? ")" : "), without saying why") +
                   "; the host keeps it disabled: nothing else to check");
        emit(events, "declined");
        return 0;
      }
      result(events, "lifecycle", "FAIL", r + info.state + ": " + info.reason);
      emit(events, "declined");
      return 0;
    }
    step(events, "lifecycle", r + "stop and destroy");
    host->stop();
    step(events, "lifecycle", r + "unload");
    host.reset();
  }
  result(events, "lifecycle", "PASS", "created, started, stopped and destroyed twice in a row");

  // Bad configs: one with an unknown key must be refused with a message; an empty or mistyped
  // one is refused with a message or runs cleanly (some plugins need no setting).
  std::string detail;
  bool failed = false;
  struct Case {
    std::string name, config;
    bool must_refuse;
  };
  std::vector<Case> cases{
      {"unknown key " + std::string(kBogusConfigKey), with_bogus_key(s.config_json), true}};
  if (s.config_json != "{}") cases.push_back({"{}", "{}", false});
  if (const auto m = mistyped(s.config_json); !m.empty())
    cases.push_back({"mistyped values", m, false});
  for (const auto& c : cases) {
    step(events, "bad config", c.name);
    auto host = rig.host(s.send_timeout_ms);
    const auto info = start(*host, instance_config(s, c.config));
    if (!detail.empty()) detail += "; ";
    if (info.state == "running") {
      if (c.must_refuse) {
        failed = true;
        detail += c.name +
                  ": accepted (no schema with \"additionalProperties\": false, and the "
                  "plugin's create() did not refuse it)";
      } else {
        detail += c.name + ": accepted, ran cleanly";
      }
      step(events, "bad config", c.name + ": stop and destroy");
      host->stop();
    } else if (info.reason.empty()) {
      failed = true;
      detail += c.name + ": refused without a message";
    } else {
      detail += c.name + ": refused (" + info.reason + ")";
    }
    host.reset();
  }
  result(events, "bad config", failed ? "FAIL" : "PASS", detail);
  return 0;
}

int run_serve_child(const ChildSettings& s, int events, int commands) {
  step(events, "routes", "create and start");
  HostRig rig(s.data_dir);
  auto host = rig.host(s.send_timeout_ms);
  const auto info = start(*host, instance_config(s, s.config_json));
  if (info.state != "running") {
    emit(events, "fatal\t" + info.state + ": " + info.reason);
    return 0;
  }
  const config::ServerLimits limits;
  for (const auto& r : host->routes(s.instance)) {
    emit(events, "route\t" + r.method + '\t' + r.path + '\t' + (r.websocket ? "1" : "0") + '\t' +
                     std::to_string(r.max_body_bytes ? r.max_body_bytes : limits.max_body_bytes) +
                     '\t' + std::to_string(r.respond_timeout_ms));
  }
  http::Router router;
  host->register_routes(router);
  http::HttpServer server(rig.executor(), router, limits, rig.metrics());
  const auto port = server.listen("127.0.0.1", 0);
  server.start();
  emit(events, "port\t" + std::to_string(port));
  emit(events, "ready");

  // Serve until told to stop (or the kit is gone).
  std::string command;
  for (char c; ::read(commands, &c, 1) == 1;) {
    if (c != '\n') {
      command += c;
      continue;
    }
    if (command == "stop") break;
    command.clear();
  }
  step(events, "shutdown", "stop and destroy after the hostile requests");
  const auto t0 = std::chrono::steady_clock::now();
  server.stop(2s);
  host->stop();
  step(events, "shutdown", "unload after the hostile requests");
  host.reset();
  emit(events, "stopped\t" + std::to_string(ms_since(t0)));
  std::this_thread::sleep_for(300ms);  // anything of the plugin still running would fail now
  return 0;
}

int run_send_child(const ChildSettings& s, int events) {
  HostRig rig(s.data_dir);
  const PluginInspection p = inspect_plugin(s.plugin_file);

  // 1. The provider refuses connections: the plugin must answer the ticket — a send_result or
  //    an immediate RETRY/PERMANENT — before the host's send timeout.
  int urls = 0;
  const std::string refused_config = point_urls_at(s.config_json, s.closed_port, urls);
  const std::string where = urls == 0 ? "the config has no URL to point elsewhere"
                                      : std::to_string(urls) +
                                            " URL(s) of the config pointed at "
                                            "127.0.0.1:" +
                                            std::to_string(s.closed_port) + " (nothing listens)";
  step(events, "send", "create and start with " + where);
  {
    auto host = rig.host(s.send_timeout_ms);
    const auto info = start(*host, instance_config(s, refused_config));
    if (info.state != "running") {
      result(events, "send", "SKIP",
             "not checked: the instance did not start with " + where + ": " + info.reason);
    } else {
      step(events, "send", "send_message to an unreachable provider");
      const auto t0 = std::chrono::steady_clock::now();
      const auto outcome = send_and_wait(*host, test_reply(s, p.channel_kind, 1),
                                         std::chrono::milliseconds(s.send_timeout_ms) + 5s);
      if (!outcome) {
        result(events, "send", "FAIL", "no outcome at all (the host's send timeout did not fire)");
      } else if (outcome->error_code == "send_timeout") {
        result(events, "send", "FAIL",
               "silence: no send_result and no immediate RETRY/PERMANENT within the send timeout "
               "of " +
                   std::to_string(s.send_timeout_ms) + " ms (" + where + ")");
      } else {
        result(
            events, "send", "PASS",
            describe(*outcome) + " after " + std::to_string(ms_since(t0)) + " ms (" + where + ")");
      }
      step(events, "send", "stop and destroy");
      host->stop();
    }
  }

  // 2. Shutdown with work in flight: the provider accepts the connection and never answers,
  //    so the plugin's fetch (and any timer it set) is pending when the instance stops.
  int hole_urls = 0;
  const std::string hole_config = point_urls_at(s.config_json, s.black_hole_port, hole_urls);
  step(events, "shutdown",
       "create and start with the provider URLs pointed at a port that never "
       "answers");
  auto host = rig.host(60000);
  auto info = start(*host, instance_config(s, hole_config));
  std::string how =
      hole_urls > 0 ? "a send to a provider that never answers in flight" : "a send in flight";
  if (info.state != "running") {
    host = rig.host(60000);
    info = start(*host, instance_config(s, s.config_json));
    how = "nothing in flight (the config pointed at 127.0.0.1 was refused)";
    if (info.state != "running") {
      result(events, "shutdown", "FAIL", "the instance did not start: " + info.reason);
      return 0;
    }
  }
  auto promise = std::make_shared<std::promise<SendOutcome>>();
  auto future = promise->get_future();
  if (how.find("refused") == std::string::npos) {
    step(events, "shutdown", "send_message to a provider that never answers");
    host->send(test_reply(s, p.channel_kind, 2),
               [promise](SendOutcome o) { promise->set_value(std::move(o)); });
    std::this_thread::sleep_for(300ms);  // the plugin's fetch is under way
  } else {
    promise->set_value(SendOutcome{});
  }
  if (future.wait_for(0s) == std::future_status::ready) how = "its send already answered";
  step(events, "shutdown", "stop and destroy with " + how);
  const auto t0 = std::chrono::steady_clock::now();
  host->stop();
  const auto stop_ms = ms_since(t0);
  step(events, "shutdown", "unload, then 1 s with nothing of the plugin left running");
  host.reset();
  std::this_thread::sleep_for(1s);  // a plugin thread or callback still alive would crash here
  std::string detail = "stop and destroy took " + std::to_string(stop_ms) + " ms with " + how;
  bool failed = false;
  if (future.wait_for(0s) != std::future_status::ready) {
    failed = true;
    detail += "; the send in flight was never completed";
  } else if (how.find("refused") == std::string::npos) {
    detail += "; the send completed as " + describe(future.get());
  }
  result(events, "shutdown", failed ? "FAIL" : "PASS", detail + "; nothing ran after unload");
  return 0;
}

}  // namespace omnigate::conform
