// A PluginHost running two instances of the probe plugin (probe/probe_plugin.cpp) on a real
// store and executor, with their routes mounted on a Router: "probe" (default SSRF rules)
// and "probe_private" (allow_private_fetch = true).
#pragma once

#include "plugin_host/plugin_host.hpp"

#include "host_test_env.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace omnigate::test {

inline PluginHostOptions probe_options() {
  PluginHostOptions o;
  o.send_timeout_ms = 30000;
  o.fetch_timeout_ms = 5000;
  o.max_fetch_response_bytes = 1024;
  return o;
}

struct ProbeHost {
  HostTestEnv env;
  PluginHost host;
  http::Router router;

  explicit ProbeHost(PluginHostOptions options = probe_options())
      : ProbeHost(std::move(options), {instance("probe", false), instance("probe_private", true)}) {
  }
  // `before_start` sets what must be set before the instances start (on_signal, ...).
  ProbeHost(PluginHostOptions options, const std::vector<config::PluginInstanceConfig>& instances,
            const std::function<void(PluginHost&)>& before_start = {})
      : host(*env.executor, *env.store, env.metrics, with_attachments(std::move(options), env)) {
    if (before_start) before_start(host);
    host.start(instances);
    host.register_routes(router);
  }

  // The store's attachment files, where the plugin's blobs go.
  static PluginHostOptions with_attachments(PluginHostOptions o, const HostTestEnv& env) {
    if (o.attachments_dir.empty()) o.attachments_dir = (env.dir / "attachments").string();
    return o;
  }

  static config::PluginInstanceConfig instance(const std::string& name, bool allow_private) {
    config::PluginInstanceConfig c;
    c.instance = name;
    c.file = OG_PROBE_PLUGIN;
    c.allow_private_fetch = allow_private;
    c.config_json = "{}";
    return c;
  }

  http::Response post(const std::string& target, const nlohmann::json& body) {
    auto r = call_route(router, "POST", target, body.dump());
    REQUIRE(r.has_value());
    return *r;
  }
  http::Response get(const std::string& target) {
    auto r = call_route(router, "GET", target);
    REQUIRE(r.has_value());
    return *r;
  }
  // Waits for the plugin to kv_put `key` (from a timer or fetch completion).
  std::optional<std::string> await_kv(const std::string& instance_name, const std::string& key) {
    std::optional<std::string> value;
    eventually([&] {
      value = env.store->kv_get(instance_name, key);
      return value.has_value();
    });
    return value;
  }
};

}  // namespace omnigate::test
