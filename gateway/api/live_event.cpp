#include "api/live_event.hpp"

#include "api/supervisor_view.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

std::string event_message(const dispatch::LiveEvent& e, std::uint64_t seq) {
  using nlohmann::json;
  auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json j = {{"type", e.type}, {"seq", seq}, {"at", e.at}};
  if (e.conversation_id != 0) {
    j["conversation_id"] = e.conversation_id;
    j["team"] = or_null(e.team);
    j["tier"] = e.tier;
    j["priority"] = e.priority;
    j["channel_kind"] = e.channel_kind;
    j["state"] = e.state;
    j["waiting"] = e.waiting ? waiting_json(*e.waiting, e.at) : json(nullptr);
    if (e.previous_team) j["previous_team"] = or_null(*e.previous_team);
  }
  j["agent"] = or_null(e.agent);
  if (!e.agent.empty()) j["agent_team"] = e.agent_team;
  j["reason"] = e.reason;
  if (!e.presence.empty()) {
    j["presence"] = e.presence;
    j["load"] = e.load;
  }
  if (e.expires_at != 0) j["expires_at"] = e.expires_at;
  if (!e.target.empty()) {
    j["target"] = e.target;
    j["due_at"] = e.due_at;
    if (e.level > 0) j["level"] = e.level;
  }
  if (e.message_id != 0) j["message_id"] = e.message_id;
  if (!e.author.empty()) j["author"] = e.author;
  if (e.note_id != 0) j["note_id"] = e.note_id;
  if (!e.delivery_state.empty()) {
    j["delivery_state"] = e.delivery_state;
    j["error_code"] = or_null(e.error_code);
  }
  if (e.complaint_id != 0) j["complaint_id"] = e.complaint_id;
  if (!e.recipient.empty()) j["recipient"] = e.recipient;
  if (!e.signal.empty()) {
    j["signal"] = e.signal;
    // The plugin host checked it is one JSON object; anything else shows as {}.
    json data = json::parse(e.signal_data_json, nullptr, false);
    j["data"] = data.is_object() ? std::move(data) : json::object();
  }
  // Reasons quote customer-controlled text at times: never let bad UTF-8 throw here.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace omnigate::api
