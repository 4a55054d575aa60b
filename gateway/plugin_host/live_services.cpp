#include "plugin_host/live_services.hpp"

#include "core/log.hpp"
#include "plugin_host/abi_struct.hpp"
#include "plugin_host/host_call.hpp"
#include "plugin_host/json_object_check.hpp"
#include "plugin_host/plugin_instance.hpp"

#include <algorithm>
#include <cstring>

namespace omnigate::plugin_host {

namespace {

// What a conversation_action's words may take: an agent id like the API's, a reason for one
// transcript line.
constexpr std::size_t max_action_agent_bytes = 128;
constexpr std::size_t max_action_reason_bytes = 1024;

const char* action_name(og_conversation_action_kind kind) {
  switch (kind) {
    case OG_ACTION_ANSWERED:
      return "answered";
    case OG_ACTION_REQUEUE:
      return "requeue";
    case OG_ACTION_ABANDONED:
      return "abandoned";
    case OG_ACTION_ENDED:
      return "ended";
    case OG_ACTION_TRANSFER:
      return "transfer";
    default:
      return "unknown";
  }
}

}  // namespace

bool valid_signal_kind(std::string_view kind) {
  return !kind.empty() && kind.size() <= 32 && std::all_of(kind.begin(), kind.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || c == '_' || c == '.';
  });
}

// ---- PluginInstance members of this service (declared in plugin_instance.hpp)

og_status PluginInstance::signal(const og_conversation_signal& signal, std::string& error) {
  const std::string_view kind = view_of(signal.kind);
  const std::string_view data = view_of(signal.data_json);
  if (!valid_signal_kind(kind)) {
    error = "signal kind must be 1..32 of [a-z_.]";
    return OG_PERMANENT;
  }
  if (!data.empty() && !is_json_object(data)) {
    error = "signal data_json must be a JSON object or empty";
    return OG_PERMANENT;
  }
  const int64_t id = signal.conversation_id;
  if (!owns_conversation(id)) {
    error = "instance " + config_.instance + " has no conversation " + std::to_string(id);
    return OG_NOT_FOUND;
  }
  if (services_.live.signalled)
    services_.live.signalled(config_.instance, id, std::string(kind), std::string(data));
  return OG_OK;
}

bool PluginInstance::owns_conversation(int64_t id) {
  if (own_conversations_.contains(id)) return true;
  // A conversation this process has not seen go through the instance (one from before a
  // restart): a read, never a write, and remembered.
  const auto conversation = id > 0 ? services_.store.get_conversation(id) : std::nullopt;
  if (!conversation || conversation->channel_instance != config_.instance) return false;
  own_conversations_.add(id);
  return true;
}

og_status PluginInstance::conversation_action(const og_conversation_action& action,
                                              og_commit_fn done, void* user, std::string& error) {
  if (action.kind < OG_ACTION_ANSWERED || action.kind > OG_ACTION_TRANSFER) {
    error = "action kind must be 1..5 (OG_ACTION_*), not " + std::to_string(action.kind);
    return OG_PERMANENT;
  }
  const std::string_view agent = view_of(action.agent_id);
  const std::string_view reason = view_of(action.reason);
  const std::string_view data = view_of(action.data_json);
  if (!data.empty() && !is_json_object(data)) {
    error = "action data_json must be a JSON object or empty";
    return OG_PERMANENT;
  }
  if (agent.size() > max_action_agent_bytes) {
    error = "action agent_id is longer than " + std::to_string(max_action_agent_bytes) + " bytes";
    return OG_PERMANENT;
  }
  if (reason.size() > max_action_reason_bytes) {
    error = "action reason is longer than " + std::to_string(max_action_reason_bytes) + " bytes";
    return OG_PERMANENT;
  }
  if (action.kind == OG_ACTION_TRANSFER && agent.empty()) {
    error = "a TRANSFER action needs agent_id (the target agent)";
    return OG_PERMANENT;
  }
  if (!accepts_plugin_calls()) {
    error = "channel instance is not running";
    return OG_RETRY;
  }
  int64_t id = action.conversation_id;
  if (id != 0) {
    if (!owns_conversation(id)) {
      error = "instance " + config_.instance + " has no conversation " + std::to_string(id);
      return OG_NOT_FOUND;
    }
  } else {
    const std::string thread_key = copy_of(action.thread_key);
    const auto found = thread_key.empty() ? std::nullopt
                                          : services_.store.open_conversation_by_thread(
                                                config_.instance, thread_key);
    if (!found) {
      error = "instance " + config_.instance +
              " has no conversation with this thread_key that is not resolved or closed";
      return OG_NOT_FOUND;
    }
    id = *found;
    own_conversations_.add(id);
  }
  if (!services_.live.act) {
    error = "routing is not running";
    return OG_RETRY;
  }
  store::ChannelAction handed;
  handed.kind = static_cast<store::ChannelAction::Kind>(action.kind);
  handed.conversation_id = id;
  handed.instance = config_.instance;
  handed.agent_id = std::string(agent);
  handed.reason = std::string(reason);
  handed.data_json = std::string(data);
  const uint64_t commit_key = done != nullptr ? next_id_.fetch_add(1) : 0;
  if (done != nullptr) {
    std::lock_guard lock(state_mu_);
    commits_[commit_key] = PendingCommit{done, user, std::nullopt, id};
  }
  auto settled = [weak = weak_from_this(), commit_key, id, instance = config_.instance,
                  kind = action.kind](store::ChannelActionOutcome outcome) {
    if (!outcome.ok) {
      ::omnigate::log(LogLevel::warn, "plugin_host",
                      "instance " + instance + ": " + action_name(kind) +
                          " action on conversation " + std::to_string(id) +
                          " refused by routing: " + outcome.error);
    }
    auto self = weak.lock();
    if (self && commit_key != 0)
      self->settle_action(commit_key, outcome.ok ? OG_OK : OG_CONFIG, id);
  };
  try {
    services_.live.act(std::move(handed), std::move(settled));
  } catch (const std::exception& e) {
    std::lock_guard lock(state_mu_);
    commits_.erase(commit_key);
    error = std::string("routing refused the action: ") + e.what();
    return OG_RETRY;
  }
  return OG_OK;
}

void PluginInstance::settle_action(uint64_t commit_key, og_status status, int64_t conversation_id) {
  {
    std::lock_guard lock(state_mu_);
    auto it = commits_.find(commit_key);
    if (it == commits_.end()) return;  // the instance stopped: already run by drain_and_destroy
    it->second.outcome = std::pair<og_status, int64_t>{status, conversation_id};
  }
  on_strand([this, commit_key] { deliver_commit(commit_key); });
}

og_status PluginInstance::customer_lookup(std::string_view kind, std::string_view address,
                                          og_customer_visit_fn visit, void* user,
                                          std::string& error) {
  if (kind.empty() || address.empty()) {
    error = "customer_lookup needs a kind and an address";
    return OG_PERMANENT;
  }
  const auto found = services_.store.customer_by_identity(kind, address);
  if (!found) {
    error = "no customer with this " + std::string(kind) + " identity";
    return OG_NOT_FOUND;
  }
  if (visit != nullptr) {
    const std::string tier = store::to_string(found->customer.tier);
    auto info = make_abi_struct<og_customer_info>();
    info.customer_id = found->customer.id;
    info.display_name = og_str_of(found->customer.display_name);
    info.tier = og_str_of(tier);
    info.open_conversations = found->open_conversations;
    visit(user, &info);
  }
  return OG_OK;
}

void PluginInstance::command(const store::ChannelCommand& command, const std::string& thread_key,
                             std::function<void(store::ChannelCommandOutcome)> done) {
  using Kind = store::ChannelCommandOutcome::Kind;
  if (api_.on_command == nullptr) {  // optional; NULL also for a plugin older than 2.2
    done(
        {Kind::not_possible, "the channel of instance " + config_.instance + " takes no commands"});
    return;
  }
  on_strand([this, command, thread_key, done = std::move(done)] {
    if (phase_ != Phase::running) {
      done({Kind::not_possible, "channel instance " + config_.instance + " is not running"});
      return;
    }
    auto c = make_abi_struct<og_channel_command>();
    c.conversation_id = command.conversation_id;
    c.thread_key = og_str_of(thread_key);
    c.command = og_str_of(command.command);
    c.data_json = og_str_of(command.data_json);
    c.agent_id = og_str_of(command.agent_id);
    og_error err = make_abi_error();
    const og_status status = api_.on_command(plugin_state_, &c, &err);
    err.message[sizeof err.message - 1] = '\0';  // a C plugin may have filled it to the brim
    std::string message = err.message;
    if (message.empty() && status != OG_OK)
      message = "the channel answered status " + std::to_string(status);
    if (status == OG_OK) return done({Kind::done, {}});
    if (status == OG_PERMANENT) return done({Kind::invalid, std::move(message)});
    done({Kind::not_possible, std::move(message)});
  });
}

og_status PluginInstance::channel_availability(const std::vector<og_skill_requirement>& skills,
                                               og_channel_availability& out, std::string& error) {
  SkillNeeds needs;
  for (std::size_t i = 0; i < skills.size(); ++i) {
    const og_skill_requirement& s = skills[i];
    if (s.skill.len == 0) {
      error = "skills[" + std::to_string(i) + "].skill is empty";
      return OG_PERMANENT;
    }
    if (s.min_level < 1 || s.min_level > 5) {
      error = "skills[" + std::to_string(i) + "].min_level must be 1..5";
      return OG_PERMANENT;
    }
    needs.emplace_back(copy_of(s.skill), s.min_level);
  }
  if (!services_.live.availability) {
    error = "routing is not running";
    return OG_RETRY;
  }
  const ChannelAvailability a = services_.live.availability(config_.instance, channel_kind_, needs);
  out.agents_online = a.agents_online;
  out.agents_free = a.agents_free;
  out.queued = a.queued;
  out.expected_wait_ms = a.expected_wait_ms;
  return OG_OK;
}

namespace {

og_status host_signal(og_host_ctx* ctx, const og_conversation_signal* signal, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    const auto s = read_abi_struct(signal);
    if (!s) {
      error = "og_conversation_signal is NULL or its struct_size is too small";
      return OG_PERMANENT;
    }
    return inst.signal(*s, error);
  });
}

og_status host_channel_availability(og_host_ctx* ctx, const og_skill_requirement* skills,
                                    size_t skill_count, og_channel_availability* out,
                                    og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    if (out == nullptr || out->struct_size < sizeof(uint32_t)) {
      error = "og_channel_availability is NULL or its struct_size is too small";
      return OG_PERMANENT;
    }
    std::string array_error;
    const auto needs = read_abi_array(skills, skill_count, array_error);
    if (!needs) {
      error = "skills" + array_error;
      return OG_PERMANENT;
    }
    auto answer = make_abi_struct<og_channel_availability>();
    const og_status status = inst.channel_availability(*needs, answer, error);
    if (status != OG_OK) return status;
    // Caller-owned: written only as far as its struct_size covers, which it keeps.
    const uint32_t size = out->struct_size;
    std::memcpy(out, &answer, std::min<std::size_t>(size, sizeof answer));
    out->struct_size = size;
    return OG_OK;
  });
}

og_status host_conversation_action(og_host_ctx* ctx, const og_conversation_action* action,
                                   og_commit_fn done, void* user, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    const auto a = read_abi_struct(action);
    if (!a) {
      error = "og_conversation_action is NULL or its struct_size is too small";
      return OG_PERMANENT;
    }
    return inst.conversation_action(*a, done, user, error);
  });
}

og_status host_customer_lookup(og_host_ctx* ctx, og_str kind, og_str address,
                               og_customer_visit_fn visit, void* user, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    return inst.customer_lookup(view_of(kind), view_of(address), visit, user, error);
  });
}

}  // namespace

void install_live_functions(og_host_api& api) {
  api.signal = &host_signal;
  api.channel_availability = &host_channel_availability;
  api.conversation_action = &host_conversation_action;
  api.customer_lookup = &host_customer_lookup;
}

}  // namespace omnigate::plugin_host
