#include "webhooks/event_types.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace omnigate::webhooks {

namespace {

using nlohmann::json;

// Transcript event kind → public name. Several kinds may share a name (the SLA timers); the
// payload's data keeps what tells them apart ("timer").
constexpr std::array<std::pair<std::string_view, std::string_view>, 26> kPublicNames{{
    {"conversation.created", "conversation.created"},
    {"conversation.assigned", "conversation.assigned"},
    {"conversation.transferred", "conversation.transferred"},
    {"conversation.priority_changed", "conversation.priority_changed"},
    {"conversation.resolved", "conversation.resolved"},
    {"conversation.reopened", "conversation.reopened"},
    {"message.received", "message.created"},
    {"message.sent", "message.created"},
    {"sla.first_response_warning", "sla.warning"},
    {"sla.resolution_warning", "sla.warning"},
    {"sla.first_response_breach", "sla.breached"},
    {"sla.resolution_breach", "sla.breached"},
    {"sla.resolution_max_breach", "sla.breached"},
    {"sla.escalation", "sla.escalated"},
    {"sla.complaint_escalation", "sla.escalated"},
    {"escalation.notified", "escalation.notified"},
    {"complaint.filed", "complaint.filed"},
    {"complaint.level_started", "complaint.level_started"},
    {"complaint.escalated", "complaint.escalated"},
    {"complaint.contact_recorded", "complaint.contact_recorded"},
    {"complaint.commitment_recorded", "complaint.commitment_recorded"},
    {"complaint.executive_assigned", "complaint.executive_assigned"},
    {"complaint.window_missed", "complaint.window_missed"},
    {"complaint.close_breached", "complaint.close_breached"},
    {"complaint.closed", "complaint.closed"},
    {"customer.merged", "customer.merged"},
}};

// The distinct names of kPublicNames (a unit test checks that each is listed here).
constexpr std::array<std::string_view, 21> kPublicTypes{
    "conversation.created",
    "conversation.assigned",
    "conversation.transferred",
    "conversation.priority_changed",
    "conversation.resolved",
    "conversation.reopened",
    "message.created",
    "sla.warning",
    "sla.breached",
    "sla.escalated",
    "escalation.notified",
    "complaint.filed",
    "complaint.level_started",
    "complaint.escalated",
    "complaint.contact_recorded",
    "complaint.commitment_recorded",
    "complaint.executive_assigned",
    "complaint.window_missed",
    "complaint.close_breached",
    "complaint.closed",
    "customer.merged",
};

std::optional<std::string_view> public_name(std::string_view kind) {
  for (const auto& [internal, name] : kPublicNames)
    if (internal == kind) return name;
  return std::nullopt;
}

json message_json(const store::Message& m) {
  return {{"id", m.id},
          {"direction", m.direction},
          {"author_kind", m.author_kind},
          {"author_id", m.author_id},
          {"subject", m.subject},
          {"body_text", m.body_text},
          {"created_at", m.created_at}};
}

}  // namespace

std::span<const std::string_view> public_event_types() {
  return kPublicTypes;
}

bool pattern_matches(std::string_view pattern, std::string_view type) {
  if (pattern == "*") return true;
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == ".*")
    return type.size() > pattern.size() - 1 &&
           type.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  return pattern == type;
}

std::string pattern_error(std::string_view pattern) {
  const auto star = pattern.find('*');
  if (star != std::string_view::npos && star != pattern.size() - 1)
    return "\"*\" may only end a pattern (\"sla.*\", \"*\")";
  if (star != std::string_view::npos && pattern != "*" &&
      (pattern.size() < 3 || pattern[pattern.size() - 2] != '.'))
    return "\"*\" must follow a \".\" (\"sla.*\") or stand alone";
  const auto types = public_event_types();
  if (std::none_of(types.begin(), types.end(),
                   [&](std::string_view t) { return pattern_matches(pattern, t); })) {
    std::string known;
    for (const auto t : types) known += (known.empty() ? "" : ", ") + std::string(t);
    return "matches no event (known: " + known + ")";
  }
  return "";
}

std::optional<PublicEvent> public_event(const store::WebhookSourceEvent& source) {
  const auto& e = source.event;
  const auto name = public_name(e.kind);
  if (!name) return std::nullopt;
  json data = json::parse(e.data_json, nullptr, /*allow_exceptions=*/false);
  if (!data.is_object()) data = json::object();
  data["actor"] = e.actor;
  data["channel_instance"] = source.channel_instance;
  data["channel_kind"] = source.channel_kind;
  data["customer_id"] = source.customer_id;
  if (e.kind.rfind("sla.", 0) == 0) data["timer"] = e.kind.substr(4);
  if (source.message) data["message"] = message_json(*source.message);
  const json body = {{"id", e.id},
                     {"type", *name},
                     {"created_at", e.created_at},
                     {"conversation_id", e.conversation_id},
                     {"data", std::move(data)}};
  return PublicEvent{std::string(*name), body.dump()};
}

}  // namespace omnigate::webhooks
