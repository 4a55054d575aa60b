#include "plugin_host/conversation_notices.hpp"

#include "core/log.hpp"
#include "plugin_host/abi_struct.hpp"
#include "plugin_host/host_call.hpp"
#include "plugin_host/plugin_instance.hpp"

namespace omnigate::plugin_host {
namespace {

using Kind = store::ConversationChange::Kind;

// The plugin's four states: "assigned" covers an agent's conversation waiting on the customer.
const char* status_name(store::ConversationStatus status) {
  switch (status) {
    case store::ConversationStatus::queued:
      return "waiting";
    case store::ConversationStatus::assigned:
    case store::ConversationStatus::waiting_customer:
      return "assigned";
    case store::ConversationStatus::resolved:
      return "resolved";
    case store::ConversationStatus::closed:
      return "closed";
  }
  return "";
}

bool names_agent(Kind kind) {
  return kind == Kind::assigned || kind == Kind::transferred || kind == Kind::agent_typing;
}

}  // namespace

void QueuePositions::apply(const store::ConversationChange& change) {
  std::lock_guard lock(mu_);
  if (change.kind == Kind::queue_changed) {
    positions_[change.conversation_id] = {change.queue_position, change.expected_wait_ms};
  } else if (change.kind != Kind::agent_typing) {
    positions_.erase(change.conversation_id);
  }
}

std::pair<int, std::int64_t> QueuePositions::of(store::Id conversation_id) const {
  std::lock_guard lock(mu_);
  const auto it = positions_.find(conversation_id);
  return it == positions_.end() ? std::pair<int, std::int64_t>{0, -1} : it->second;
}

og_conversation_state ConversationSnapshot::view() const {
  auto s = make_abi_struct<og_conversation_state>();
  s.conversation_id = conversation_id;
  s.thread_key = og_str_of(thread_key);
  s.customer_kind = og_str_of(customer_kind);
  s.customer_address = og_str_of(customer_address);
  s.status = og_str_of(status);
  s.priority = priority;
  s.queue_position = queue_position;
  s.expected_wait_ms = expected_wait_ms;
  s.agent_id = og_str_of(agent_id);
  s.agent_display_name = og_str_of(agent_display_name);
  s.agent_contact_json = og_str_of(agent_contact_json);
  return s;
}

std::optional<ConversationSnapshot> conversation_snapshot(store::Store& store,
                                                          store::Id conversation_id,
                                                          const QueuePositions& positions,
                                                          const store::ConversationChange* change) {
  const auto conversation = store.get_conversation(conversation_id);
  if (!conversation) return std::nullopt;
  ConversationSnapshot s;
  s.conversation_id = conversation->id;
  s.channel_instance = conversation->channel_instance;
  s.thread_key = conversation->thread_key;
  s.customer_address = conversation->customer_address;
  s.status = status_name(conversation->status);
  s.priority = conversation->priority;
  if (conversation->status == store::ConversationStatus::queued) {
    std::tie(s.queue_position, s.expected_wait_ms) = positions.of(conversation->id);
  }
  if (const auto customer = store.get_customer(conversation->customer_id)) {
    for (const auto& [kind, address] : customer->identities) {
      if (address == conversation->customer_address) s.customer_kind = kind;
    }
  }
  const std::string agent = change != nullptr && names_agent(change->kind)
                                ? change->agent_id
                                : conversation->assigned_agent.value_or("");
  s.agent_contact_json = "{}";
  if (!agent.empty()) {
    s.agent_id = agent;
    if (const auto a = store.get_agent(agent)) {
      s.agent_display_name = a->display_name;
      if (!a->contact_json.empty()) s.agent_contact_json = a->contact_json;
    }
  }
  return s;
}

// ---- PluginInstance members of this service (declared in plugin_instance.hpp)

void PluginInstance::notify_conversation(const store::ConversationChange& change,
                                         ConversationSnapshot snapshot) {
  if (api_.on_conversation == nullptr) return;  // optional; NULL also for an older plugin
  on_strand([this, kind = change.kind, previous = change.previous_agent_id,
             detail = change.detail_json, snapshot = std::move(snapshot)] {
    if (phase_ != Phase::running) return;  // best effort: a stopping instance is told nothing
    const og_conversation_state state = snapshot.view();
    auto notice = make_abi_struct<og_conversation_notice>();
    notice.change = static_cast<og_conversation_change>(kind);
    notice.state = &state;
    notice.previous_agent_id = og_str_of(previous);
    notice.detail_json = og_str_of(detail);
    api_.on_conversation(plugin_state_, &notice);
  });
}

og_status PluginInstance::get_conversation(int64_t conversation_id, og_conversation_visit_fn visit,
                                           void* user, std::string& error) {
  const auto snapshot =
      conversation_snapshot(services_.store, conversation_id, services_.queue_positions);
  if (!snapshot || snapshot->channel_instance != config_.instance) {
    error =
        "instance " + config_.instance + " has no conversation " + std::to_string(conversation_id);
    return OG_NOT_FOUND;
  }
  if (visit != nullptr) {
    const og_conversation_state state = snapshot->view();
    visit(user, &state);
  }
  return OG_OK;
}

namespace {

og_status host_get_conversation(og_host_ctx* ctx, int64_t conversation_id,
                                og_conversation_visit_fn visit, void* user, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    return inst.get_conversation(conversation_id, visit, user, error);
  });
}

}  // namespace

void install_conversation_functions(og_host_api& api) {
  api.get_conversation = &host_get_conversation;
}

}  // namespace omnigate::plugin_host
