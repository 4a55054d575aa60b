#include "plugin_host/plugin_host.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "http/router.hpp"
#include "plugin_host/crash_book.hpp"
#include "plugin_host/http_fetcher.hpp"
#include "plugin_host/plugin_instance.hpp"
#include "plugin_host/plugin_loader.hpp"
#include "plugin_process/remote_plugin.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
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

// The on_committed listeners. Shared with the notifications already queued on the executor,
// so one that runs after the host is gone still finds a live (if unused) list.
struct CommitListeners {
  std::mutex mu;
  std::vector<CommitListener> fns;

  void notify(const std::string& instance, const store::IngestResult& result, Committed what) {
    std::vector<CommitListener> copy;
    {
      std::lock_guard lock(mu);
      copy = fns;
    }
    for (const auto& fn : copy) fn(instance, result, what);
  }
};

}  // namespace

class PluginHost::Impl {
 public:
  Impl(Executor& executor, store::Store& store, Metrics& metrics, PluginHostOptions options)
      : crash_book(store, metrics, options.supervision),
        services{executor,
                 store,
                 metrics,
                 fetcher,
                 std::move(options),
                 [l = listeners](const std::string& instance, const store::IngestResult& result,
                                 Committed what) { l->notify(instance, result, what); },
                 positions,
                 crash_book,
                 live},
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
                               "1 when the channel instance is running, 0 otherwise (failed, "
                               "disabled, or degraded: its plugin process is restarting)",
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
    } else if (auto why = crash_book.disabled_reason(cfg.instance)) {
      set_state(info, "disabled",
                *why + " — enable with `omnigate plugins enable " + cfg.instance +
                    "` and restart the gateway");
      store_disabled.insert(cfg.instance);
    } else {
      auto loaded = load(cfg, info);
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

  // The plugin of an instance: a library in this process, or a plugin-host process's proxy.
  plugin_host::LoadResult load(const config::PluginInstanceConfig& cfg, InstanceInfo& info) {
    const bool in_process = cfg.isolation == config::PluginInstanceConfig::Isolation::in_process;
    info.isolation = in_process ? "in_process" : "process";
    if (in_process) return plugin_host::load_plugin(info.file);
    plugin_process::ProcessOptions options;
    options.executable = executable();
    options.memory_limit_bytes = cfg.memory_limit_bytes;
    options.open_files_limit = cfg.open_files_limit;
    const auto& s = services.options.supervision;
    options.call_timeout = std::chrono::milliseconds(s.call_timeout_ms);
    options.backoff_min = std::chrono::milliseconds(s.restart_backoff_ms);
    options.backoff_max = std::chrono::milliseconds(s.max_restart_backoff_ms);
    plugin_process::RemoteHooks hooks;
    const std::string name = cfg.instance;
    hooks.died = [this, name](const plugin_process::ChildDeath& death) {
      return crash_book.record(name, "process", death.reason, death.input, now_ms());
    };
    hooks.state_changed = [this, name](const std::string& state, const std::string& reason) {
      std::lock_guard lock(mu);
      for (auto& i : infos) {
        if (i.instance == name && i.state != state) set_state(i, state, reason);
      }
    };
    auto launched = plugin_process::RemotePlugin::launch(info.file, cfg.instance,
                                                         std::move(options), std::move(hooks));
    if (!launched.plugin) return {nullptr, launched.error};
    std::optional<plugin_host::ConfigSchema> schema;
    const og_plugin_api& api = launched.plugin->api();
    if (api.config_schema_json != nullptr) {
      std::string why;
      schema = plugin_host::ConfigSchema::compile(api.config_schema_json, why);
      if (!schema) return {nullptr, info.file + ": og_plugin_api.config_schema_json " + why};
    }
    remotes[cfg.instance] = launched.plugin;
    return {std::make_shared<plugin_host::LoadedPlugin>(launched.plugin, info.file, api,
                                                        std::move(schema)),
            {}};
  }

  std::string executable() const {
    if (!services.options.executable.empty()) return services.options.executable;
    char path[4096];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string("omnigate");
  }

  std::shared_ptr<PluginInstance> find(const std::string& name) const {
    std::lock_guard lock(mu);
    auto it = running.find(name);
    return it == running.end() ? nullptr : it->second;
  }

  std::shared_ptr<CommitListeners> listeners = std::make_shared<CommitListeners>();
  plugin_host::HttpFetcher fetcher;       // before services: they refer to it
  plugin_host::QueuePositions positions;  // the same
  plugin_host::LiveHooks live;            // the same; set before start()

  plugin_host::CrashBook crash_book;  // before services: they refer to it
  plugin_host::HostServices services;
  // Conversation notices in the order they were raised: each reads the store, then goes to the
  // instance's strand, so every conversation's notices reach its plugin in order.
  std::shared_ptr<Strand> notices;
  // Whether any running instance has on_conversation: without one, a change costs no store read.
  std::atomic<bool> any_listens{false};
  mutable std::mutex mu;  // guards the members below
  std::map<std::string, std::shared_ptr<PluginInstance>> running;
  std::vector<InstanceInfo> infos;
  // Process-mode instances' proxies, for their status and enable().
  std::map<std::string, std::shared_ptr<plugin_process::RemotePlugin>> remotes;
  std::set<std::string> store_disabled;  // disabled in the store when the gateway started
  bool crash_history_loaded = false;
};

PluginHost::PluginHost(Executor& executor, store::Store& store, Metrics& metrics,
                       PluginHostOptions options)
    : impl_(std::make_shared<Impl>(executor, store, metrics, std::move(options))) {}

PluginHost::~PluginHost() {
  stop();
}

void PluginHost::load_crash_history(const std::vector<config::PluginInstanceConfig>& instances) {
  std::vector<std::string> names;
  for (const auto& cfg : instances) names.push_back(cfg.instance);
  impl_->crash_book.load(names);
  impl_->crash_history_loaded = true;
}

void PluginHost::start(const std::vector<config::PluginInstanceConfig>& instances) {
  if (!impl_->crash_history_loaded) load_crash_history(instances);
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
  // An instance the crash-loop guard disabled answers 503, so providers keep retrying until an
  // operator enables it (a 404 would make some give up).
  for (const auto& name : impl_->store_disabled) {
    for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
      router.add(method, "/channels/" + name + "/*", http::AccessRule::for_plugin(),
                 [name](const http::Request&, http::Reply reply) {
                   reply(http::Response{
                       503,
                       "text/plain; charset=utf-8",
                       "channel instance " + name + " is disabled (crash loop); retry later\n",
                       {{"Retry-After", "60"}}});
                 });
    }
  }
}

void PluginHost::on_committed(CommitListener fn) {
  std::lock_guard lock(impl_->listeners->mu);
  impl_->listeners->fns.push_back(std::move(fn));
}

void PluginHost::on_signal(SignalListener fn) {
  impl_->live.signalled = std::move(fn);
}

void PluginHost::answer_availability(AvailabilityQuery fn) {
  impl_->live.availability = std::move(fn);
}

void PluginHost::on_channel_action(store::ChannelActionHandler fn) {
  impl_->live.act = std::move(fn);
}

void PluginHost::command(store::ChannelCommand command,
                         std::function<void(store::ChannelCommandOutcome)> done) {
  using Kind = store::ChannelCommandOutcome::Kind;
  const auto conversation = impl_->services.store.get_conversation(command.conversation_id);
  if (!conversation) {
    done(
        {Kind::unknown_conversation, "no conversation " + std::to_string(command.conversation_id)});
    return;
  }
  auto instance = impl_->find(conversation->channel_instance);
  if (!instance) {
    done({Kind::not_possible,
          "channel instance " + conversation->channel_instance + " is not running"});
    return;
  }
  instance->command(command, conversation->thread_key, std::move(done));
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
  auto infos = impl_->infos;
  for (auto& info : infos) {
    if (auto it = impl_->remotes.find(info.instance); it != impl_->remotes.end())
      info.restarts = it->second->status().restarts;
  }
  return infos;
}

void PluginHost::record_crash(const std::string& instance, const std::string& reason,
                              const std::optional<isolation::CapturedInput>& input,
                              store::UnixMs at) {
  impl_->crash_book.record(instance, "in_process", reason, input, at);
}

bool PluginHost::enable(const std::string& instance) {
  std::shared_ptr<plugin_process::RemotePlugin> remote;
  {
    std::lock_guard lock(impl_->mu);
    if (auto it = impl_->remotes.find(instance); it != impl_->remotes.end()) remote = it->second;
  }
  return remote && remote->enable();
}

void PluginHost::apply_operator_changes() {
  auto& store = impl_->services.store;
  for (const auto& state : store.plugin_instance_states()) {
    if (state.disabled) continue;
    bool ours = false;
    {
      std::lock_guard lock(impl_->mu);
      for (const auto& info : impl_->infos)
        ours = ours || (info.instance == state.instance && info.state == "disabled" &&
                        impl_->remotes.count(state.instance) != 0);
    }
    if (ours && enable(state.instance))
      log(LogLevel::info, "plugin_host",
          "instance " + state.instance + " enabled again by " + state.changed_by);
  }
  for (const auto& entry : store.released_unreplayed()) {
    impl_->crash_book.released(entry.instance, entry.input_key);
    auto instance = impl_->find(entry.instance);
    if (!instance) continue;  // replayed once the instance runs
    auto input = isolation::CapturedInput::from_raw_json(entry.raw);
    if (!input) {
      log(LogLevel::error, "plugin_host",
          "quarantine " + std::to_string(entry.id) + ": raw input unreadable; not replayed");
      store.mark_quarantine_replayed(entry.id, [](store::Outcome<store::Nothing>) {});
      continue;
    }
    instance->replay(*input, [&store, id = entry.id, name = entry.instance](std::string outcome) {
      log(LogLevel::info, "plugin_host",
          "instance " + name + ": released input " + std::to_string(id) + " replayed: " + outcome);
      store.mark_quarantine_replayed(id, [](store::Outcome<store::Nothing>) {});
    });
  }
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
