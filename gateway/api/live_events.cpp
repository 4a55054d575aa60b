#include "api/live_events.hpp"

#include "api/supervisor_view.hpp"

namespace omnigate::api {

namespace {

// `object` is a serialised JSON object: the same text with "prev_seq" added, so an event is
// serialised once however many subscribers it has.
std::string with_prev_seq(const std::string& object, std::uint64_t prev_seq) {
  std::string out = object.substr(0, object.size() - 1);
  out += ",\"prev_seq\":" + std::to_string(prev_seq) + "}";
  return out;
}

}  // namespace

void LiveEvents::subscribe(std::shared_ptr<http::WsConnection> conn, LiveFilter filter,
                           const Snapshot& snapshot) {
  std::lock_guard lock(mu_);
  const auto id = conn->id();
  const auto it =
      subscribers_.insert_or_assign(id, Subscriber{std::move(conn), std::move(filter), last_seq_})
          .first;
  send_or_drop(it, snapshot(it->second.filter, last_seq_));
}

void LiveEvents::unsubscribe(std::uint64_t connection_id) {
  std::lock_guard lock(mu_);
  subscribers_.erase(connection_id);
}

void LiveEvents::publish(const dispatch::LiveEvent& event) {
  std::lock_guard lock(mu_);
  const auto seq = ++last_seq_;
  if (subscribers_.empty()) return;
  const std::string text = event_message(event, seq);
  for (auto it = subscribers_.begin(); it != subscribers_.end();) {
    auto next = std::next(it);
    if (passes(it->second.filter, event)) {
      const auto prev = it->second.last_seq;
      it->second.last_seq = seq;
      send_or_drop(it, with_prev_seq(text, prev));
    }
    it = next;
  }
}

void LiveEvents::resnapshot(const dispatch::LiveView& view,
                            const std::vector<store::Agent>& agents) {
  std::lock_guard lock(mu_);
  for (auto it = subscribers_.begin(); it != subscribers_.end();) {
    auto next = std::next(it);
    it->second.last_seq = last_seq_;
    send_or_drop(it, snapshot_message(view, agents, it->second.filter, last_seq_));
    it = next;
  }
}

void LiveEvents::heartbeat(store::UnixMs at) {
  std::lock_guard lock(mu_);
  for (auto it = subscribers_.begin(); it != subscribers_.end();) {
    auto next = std::next(it);
    send_or_drop(it, "{\"type\":\"heartbeat\",\"at\":" + std::to_string(at) +
                         ",\"last_seq\":" + std::to_string(it->second.last_seq) + "}");
    it = next;
  }
}

std::size_t LiveEvents::subscriber_count() const {
  std::lock_guard lock(mu_);
  return subscribers_.size();
}

void LiveEvents::send_or_drop(std::map<std::uint64_t, Subscriber>::iterator it, std::string text) {
  if (!it->second.conn->send(std::move(text), true)) subscribers_.erase(it);
}

}  // namespace omnigate::api
