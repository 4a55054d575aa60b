#include "api/conversation_activity_relay.hpp"

#include <nlohmann/json.hpp>

#include <atomic>

namespace omnigate::api {

namespace {

constexpr int kEventsPerPoll = 500;

// "user:alice" → "alice", "agent:bob" → "bob".
std::string actor_name(const std::string& actor) {
  const auto colon = actor.find(':');
  return colon == std::string::npos ? actor : actor.substr(colon + 1);
}

std::string data_string(const nlohmann::json& data, const char* key) {
  const auto it = data.find(key);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

struct ConversationActivityRelay::State : std::enable_shared_from_this<State> {
  store::Store& store;
  std::shared_ptr<Strand> strand;
  std::shared_ptr<dispatch::LivePublisher> live;
  std::atomic<bool> running{false};
  std::uint64_t timer = 0;
  store::Id cursor = 0;  // the last event looked at

  State(store::Store& s, Executor& e, std::shared_ptr<dispatch::LivePublisher> l)
      : store(s), strand(e.make_strand()), live(std::move(l)) {}

  void schedule() {
    if (!running) return;
    std::weak_ptr<State> weak = shared_from_this();
    timer = strand->post_after(kActivityPollInterval, [weak] {
      if (auto self = weak.lock()) self->poll();
    });
  }

  void poll() {
    if (!running) return;
    // Nobody listens: nothing to build, and nothing of now is news to a later subscriber.
    if (live->subscriber_count() == 0) {
      cursor = store.last_event_id();
      return schedule();
    }
    const auto page = store.activity_after(cursor, kEventsPerPoll);
    for (const auto& a : page) {
      cursor = a.event.id;
      if (auto e = live_event(a)) live->publish(*e);
    }
    if (static_cast<int>(page.size()) == kEventsPerPoll) {
      std::weak_ptr<State> weak = shared_from_this();
      strand->post([weak] {
        if (auto self = weak.lock()) self->poll();
      });
      return;
    }
    schedule();
  }

  std::optional<dispatch::LiveEvent> live_event(const store::ActivityEvent& a) {
    const auto conv = store.get_conversation(a.event.conversation_id);
    if (!conv) return std::nullopt;
    dispatch::LiveEvent e;
    e.at = a.event.created_at;
    e.conversation_id = conv->id;
    e.team = conv->team;
    e.tier = store::to_string(conv->tier);
    e.priority = conv->priority;
    e.channel_kind = conv->channel_kind;
    e.state = store::to_string(conv->status);
    e.agent = conv->assigned_agent.value_or("");
    if (!e.agent.empty())
      if (const auto agent = store.get_agent(e.agent)) e.agent_team = agent->team;
    const auto data = nlohmann::json::parse(a.event.data_json, nullptr, false);
    const auto& kind = a.event.kind;
    if (kind == "note.added") {
      e.type = "note.added";
      e.note_id = a.event.id;
      e.author = actor_name(a.event.actor);
      e.reason = "note by " + e.author;
    } else if (kind == "message.sent") {
      e.type = "message.sent";
      e.message_id = a.message_id;
      e.author = actor_name(a.event.actor);
      e.reason = "reply by " + e.author;
    } else {
      e.type = "message.status";
      e.message_id = a.message_id;
      e.delivery_state = kind.substr(kind.find('.') + 1);
      if (data.is_object()) e.error_code = data_string(data, "error_code");
      e.reason = "delivery " + e.delivery_state;
    }
    return e;
  }
};

ConversationActivityRelay::ConversationActivityRelay(store::Store& store, Executor& executor,
                                                     std::shared_ptr<dispatch::LivePublisher> live)
    : state_(std::make_shared<State>(store, executor, std::move(live))) {}

ConversationActivityRelay::~ConversationActivityRelay() {
  stop();
}

void ConversationActivityRelay::start() {
  state_->cursor = state_->store.last_event_id();
  state_->running = true;
  state_->schedule();
}

void ConversationActivityRelay::stop() {
  if (!state_->running.exchange(false)) return;
  auto state = state_;
  state->strand->post([state] { state->strand->cancel(state->timer); });
}

}  // namespace omnigate::api
