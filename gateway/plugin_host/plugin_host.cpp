#include "plugin_host/plugin_host.hpp"

#include "core/log.hpp"
#include "plugin_host/http_fetcher.hpp"
#include "plugin_host/plugin_instance.hpp"
#include "plugin_host/plugin_loader.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <utility>

namespace omnigate {

using plugin_host::PluginInstance;

namespace {

const char* status_name(og_status status) {
  switch (status) {
    case OG_OK:
      return "OG_OK";
    case OG_DECLINE:
      return "OG_DECLINE";
    case OG_CONFIG:
      return "OG_CONFIG";
    case OG_RETRY:
      return "OG_RETRY";
    case OG_PERMANENT:
      return "OG_PERMANENT";
    case OG_INTERNAL:
      return "OG_INTERNAL";
    default:
      return "an unknown status";
  }
}

using CommitListenerFn = std::function<void(const std::string&, const store::IngestResult&)>;

// The on_committed listeners. Shared with the notifications already queued on the executor,
// so one that runs after the host is gone still finds a live (if unused) list.
struct CommitListeners {
  std::mutex mu;
  std::vector<CommitListenerFn> fns;

  void notify(const std::string& instance, const store::IngestResult& result) {
    std::vector<CommitListenerFn> copy;
    {
      std::lock_guard lock(mu);
      copy = fns;
    }
    for (const auto& fn : copy) fn(instance, result);
  }
};

}  // namespace

class PluginHost::Impl {
 public:
  Impl(Executor& executor, store::Store& store, Metrics& metrics, PluginHostOptions options)
      : services{executor,
                 store,
                 metrics,
                 fetcher,
                 std::move(options),
                 [l = listeners](const std::string& instance, const store::IngestResult& result) {
                   l->notify(instance, result);
                 },
                 positions},
        notices(executor.make_strand()) {}

  std::string resolve(const std::string& file) const {
    const std::filesystem::path p(file);
    if (p.is_absolute() || services.options.plugin_dir.empty()) return file;
    return (std::filesystem::path(services.options.plugin_dir) / p).string();
  }

  void set_state(InstanceInfo& info, std::string state, std::string reason) {
    info.state = std::move(state);
    info.reason = std::move(reason);
    services.metrics.gauge_set("omnigate_plugin_state",
                               "1 when the channel instance is running, 0 otherwise",
                               {{"instance", info.instance}}, info.state == "running" ? 1 : 0);
    const LogLevel level = info.state == "failed" ? LogLevel::error : LogLevel::info;
    // A failure reason already names the file; otherwise say which file the instance runs.
    log(level, "plugin_host",
        "instance " + info.instance + ": " + info.state +
            (info.reason.empty() ? " (" + info.file + ")" : ": " + info.reason));
  }

  void start_one(const config::PluginInstanceConfig& cfg) {
    InstanceInfo info;
    info.instance = cfg.instance;
    info.file = resolve(cfg.file);
    auto taken = [&] {
      return std::any_of(infos.begin(), infos.end(),
                         [&](const InstanceInfo& i) { return i.instance == cfg.instance; });
    };
    if (cfg.instance.empty()) {
      set_state(info, "failed", "instance name is empty");
    } else if (taken()) {
      info.instance += " (duplicate)";  // keeps the first instance's entry and metrics intact
      set_state(info, "failed", "instance name is used twice");
    } else if (!cfg.enabled) {
      set_state(info, "disabled", "enabled = false");
    } else {
      auto loaded = plugin_host::load_plugin(info.file);
      if (!loaded.plugin) {
        set_state(info, "failed", loaded.error);
      } else {
        const og_plugin_api& api = loaded.plugin->api();
        info.plugin = api.name;
        info.version = api.version;
        info.channel_kind = api.channel_kind;
        config::PluginInstanceConfig effective = cfg;
        effective.file = info.file;
        if (effective.config_json.empty()) effective.config_json = "{}";
        std::vector<std::string> violations;
        if (const auto& schema = loaded.plugin->config_schema()) {
          violations = schema->violations(effective.config_json);
        }
        if (!violations.empty()) {
          // Same policy as a plugin that fails to load: this instance stays down, the rest run.
          set_state(info, "failed", info.file + ": " + plugin_host::join_violations(violations));
          infos.push_back(std::move(info));
          return;
        }
        auto instance = std::make_shared<PluginInstance>(services, std::move(effective),
                                                         std::move(loaded.plugin));
        std::string error;
        const og_status status = instance->start(error);
        if (status == OG_OK) {
          set_state(info, "running", {});
          if (instance->plugin().api().on_conversation != nullptr) any_listens = true;
          running.emplace(cfg.instance, std::move(instance));
        } else if (status == OG_DECLINE) {
          set_state(info, "disabled", "declined: " + error);
        } else {
          set_state(info, "failed",
                    info.file + ": create/start failed with " + status_name(status) + ": " + error);
        }
      }
    }
    infos.push_back(std::move(info));
  }

  std::shared_ptr<PluginInstance> find(const std::string& name) const {
    std::lock_guard lock(mu);
    auto it = running.find(name);
    return it == running.end() ? nullptr : it->second;
  }

  std::shared_ptr<CommitListeners> listeners = std::make_shared<CommitListeners>();
  plugin_host::HttpFetcher fetcher;       // before services: they refer to it
  plugin_host::QueuePositions positions;  // the same

  plugin_host::HostServices services;
  // Conversation notices in the order they were raised: each reads the store, then goes to the
  // instance's strand, so every conversation's notices reach its plugin in order.
  std::shared_ptr<Strand> notices;
  // Whether any running instance has on_conversation: without one, a change costs no store read.
  std::atomic<bool> any_listens{false};
  mutable std::mutex mu;  // guards the members below
  std::map<std::string, std::shared_ptr<PluginInstance>> running;
  std::vector<InstanceInfo> infos;
};

PluginHost::PluginHost(Executor& executor, store::Store& store, Metrics& metrics,
                       PluginHostOptions options)
    : impl_(std::make_shared<Impl>(executor, store, metrics, std::move(options))) {}

PluginHost::~PluginHost() {
  stop();
}

void PluginHost::start(const std::vector<config::PluginInstanceConfig>& instances) {
  // Instances start one after the other on this thread; a failing one never stops the others.
  for (const auto& cfg : instances) {
    std::lock_guard lock(impl_->mu);
    impl_->start_one(cfg);
  }
}

void PluginHost::stop() {
  std::map<std::string, std::shared_ptr<PluginInstance>> running;
  {
    std::lock_guard lock(impl_->mu);
    running.swap(impl_->running);
  }
  for (auto& [name, instance] : running) {
    instance->stop();
    std::lock_guard lock(impl_->mu);
    for (auto& info : impl_->infos) {
      if (info.instance == name) impl_->set_state(info, "disabled", "stopped");
    }
  }
}

void PluginHost::register_routes(http::Router& router) {
  std::lock_guard lock(impl_->mu);
  for (auto& [name, instance] : impl_->running) instance->mount(router);
}

void PluginHost::on_committed(
    std::function<void(const std::string& instance, const store::IngestResult&)> fn) {
  std::lock_guard lock(impl_->listeners->mu);
  impl_->listeners->fns.push_back(std::move(fn));
}

void PluginHost::conversation_changed(const store::ConversationChange& change) {
  impl_->positions.apply(change);
  if (!impl_->any_listens) return;
  std::weak_ptr<Impl> weak = impl_;
  impl_->notices->post([weak, change] {
    auto self = weak.lock();
    if (!self) return;
    try {
      auto snapshot = plugin_host::conversation_snapshot(
          self->services.store, change.conversation_id, self->positions, &change);
      if (!snapshot) return;
      if (auto instance = self->find(snapshot->channel_instance))
        instance->notify_conversation(change, std::move(*snapshot));
    } catch (const std::exception& e) {
      log(LogLevel::warn, "plugin_host",
          "conversation " + std::to_string(change.conversation_id) +
              ": notice not delivered: " + e.what());
    }
  });
}

std::vector<PluginHost::InstanceInfo> PluginHost::instances() const {
  std::lock_guard lock(impl_->mu);
  return impl_->infos;
}

std::vector<PluginHost::RouteInfo> PluginHost::routes(const std::string& instance) const {
  if (auto running = impl_->find(instance)) return running->routes();
  return {};
}

void PluginHost::send(const store::OutboxItem& item, std::function<void(SendOutcome)> done) {
  if (auto instance = impl_->find(item.channel_instance)) {
    instance->send(item, std::move(done));
    return;
  }
  const bool known = [&] {
    std::lock_guard lock(impl_->mu);
    return std::any_of(impl_->infos.begin(), impl_->infos.end(),
                       [&](const InstanceInfo& i) { return i.instance == item.channel_instance; });
  }();
  SendOutcome outcome;
  if (known) {
    outcome.kind = SendOutcome::Kind::retry;
    outcome.error_code = "instance_not_running";
    outcome.error_text = "channel instance " + item.channel_instance + " is not running";
  } else {
    outcome.kind = SendOutcome::Kind::permanent;
    outcome.error_code = "unknown_instance";
    outcome.error_text = "no channel instance named " + item.channel_instance;
  }
  done(std::move(outcome));
}

void PluginHost::lookup(const store::OutboxItem& item, std::function<void(LookupOutcome)> done) {
  if (auto instance = impl_->find(item.channel_instance)) {
    instance->lookup(item, std::move(done));
    return;
  }
  done(LookupOutcome{LookupOutcome::Kind::unsupported, {}, {}, {}, 0});
}

PluginInspection inspect_plugin(const std::string& path) {
  PluginInspection out;
  auto loaded = plugin_host::load_plugin(path);
  if (!loaded.plugin) {
    out.error = loaded.error;
    return out;
  }
  const og_plugin_api& api = loaded.plugin->api();
  out.ok = true;
  out.name = api.name;
  out.version = api.version;
  out.channel_kind = api.channel_kind;
  out.description = api.description ? api.description : "";
  out.config_schema_json = api.config_schema_json ? api.config_schema_json : "";
  out.abi_major = api.abi_major;
  out.abi_minor = api.abi_minor;
  return out;
}

}  // namespace omnigate
