#include "service/escalation_notifier.hpp"

#include "core/clock.hpp"
#include "service/group_resolver.hpp"

#include <nlohmann/json.hpp>

#include <array>

namespace omnigate::service {

namespace {
// The handbook: P1/P2 go at once to the service director and the technical experts.
constexpr std::array kEscalationRoles{"service_director", "technical_expert"};
}  // namespace

struct EscalationNotifier::State {
  store::Store& store;
  std::shared_ptr<api::LiveEvents> live;
  std::shared_ptr<Strand> strand;
};

EscalationNotifier::EscalationNotifier(store::Store& store, Executor& executor,
                                       std::shared_ptr<api::LiveEvents> live)
    : state_(std::make_shared<State>(State{store, std::move(live), executor.make_strand()})) {}

void EscalationNotifier::escalated(store::Id conversation_id, store::UnixMs due_at,
                                   const std::string& reason) {
  auto state = state_;
  state->strand->post([state, conversation_id, due_at, reason] {
    const auto conv = state->store.get_conversation(conversation_id);
    if (!conv) return;
    const auto resolve = group_resolver(state->store, conv->customer_id);
    const store::UnixMs now = now_ms();
    nlohmann::json recipients = nlohmann::json::array();
    for (const char* role : kEscalationRoles) {
      const std::string who = resolve(role);
      recipients.push_back({{"role", role}, {"notified", who}});
      if (!state->live) continue;
      dispatch::LiveEvent e;
      e.type = "escalation.notification";
      e.at = now;
      e.conversation_id = conversation_id;
      e.tier = store::to_string(conv->tier);
      e.priority = conv->priority;
      e.channel_kind = conv->channel_kind;
      e.target = role;
      e.due_at = due_at;
      e.recipient = who;
      if (who.rfind("agent:", 0) == 0) e.agent = who.substr(6);
      e.reason = reason;
      state->live->publish(e);
    }
    state->store.add_event(
        {conversation_id, "escalation.notified", "system",
         nlohmann::json{{"recipients", recipients}, {"reason", reason}}.dump(), now},
        [](store::Outcome<store::Id>) {});
  });
}

}  // namespace omnigate::service
