#include "api/json_views.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

namespace {

using nlohmann::json;

template <class T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json skills_json(const std::vector<store::SkillLevel>& skills) {
  json out = json::array();
  for (const auto& s : skills) out.push_back({{"skill", s.skill}, {"level", s.level}});
  return out;
}

// Event data is stored as a JSON object; anything else is shown as the raw text it is.
json event_data(const std::string& data_json) {
  if (data_json.empty()) return json::object();
  json parsed = json::parse(data_json, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? json(data_json) : parsed;
}

}  // namespace

json conversation_json(const store::Conversation& c) {
  return {{"id", c.id},
          {"customer_id", c.customer_id},
          {"tier", store::to_string(c.tier)},
          {"channel_instance", c.channel_instance},
          {"channel_kind", c.channel_kind},
          {"status", store::to_string(c.status)},
          {"priority", c.priority},
          {"skills", skills_json(c.skills)},
          {"subject", c.subject},
          {"customer_address", c.customer_address},
          {"our_address", c.our_address},
          {"assigned_agent", or_null(c.assigned_agent)},
          {"previous_agent", or_null(c.previous_agent)},
          {"team", c.team.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.team)},
          {"created_at", c.created_at},
          {"updated_at", c.updated_at},
          {"queued_at", c.queued_at},
          {"first_response_at", or_null(c.first_response_at)},
          {"first_response_due", or_null(c.first_response_due)},
          {"resolution_due", or_null(c.resolution_due)},
          {"complaint_at", or_null(c.complaint_at)}};
}

json customer_json(const store::Customer& c) {
  json identities = json::array();
  for (const auto& [kind, address] : c.identities)
    identities.push_back({{"kind", kind}, {"address", address}});
  return {{"id", c.id},
          {"display_name", c.display_name},
          {"tier", store::to_string(c.tier)},
          {"tier_source", store::to_string(c.tier_source)},
          {"account_team", c.account_team},
          {"account_manager", c.account_manager.empty() ? json(nullptr) : json(c.account_manager)},
          {"attributes", event_data(c.attributes_json)},
          {"identities", identities},
          {"merged_into", c.merged_into != 0 ? json(c.merged_into) : json(nullptr)}};
}

json transcript_entry_json(const store::TranscriptEntry& e) {
  if (e.message) {
    const auto& m = *e.message;
    json attachments = json::array();
    for (const auto& a : m.attachments)
      attachments.push_back(
          {{"id", a.id},
           {"filename", a.filename},
           {"content_type", a.content_type},
           {"size", a.size},
           {"sha256", a.sha256},
           {"url", a.url},
           {"content_id", a.content_id},
           {"disposition", a.disposition.empty() ? "attachment" : a.disposition}});
    return {{"seq", e.seq},
            {"type", "message"},
            {"at", m.created_at},
            {"message",
             {{"id", m.id},
              {"direction", m.direction},
              {"author_kind", m.author_kind},
              {"author_id", m.author_id},
              {"subject", m.subject},
              {"body_text", m.body_text},
              {"body_html", m.body_html},
              {"provider_message_id", m.provider_message_id},
              {"delivery_state", m.delivery_state},
              {"error_code", m.error_code},
              {"error_text", m.error_text},
              {"malformed", m.malformed},
              {"metadata", event_data(m.metadata_json)},
              {"attachments", attachments}}}};
  }
  const store::Event empty;
  const auto& ev = e.event ? *e.event : empty;
  return {{"seq", e.seq},
          {"type", "event"},
          {"at", ev.created_at},
          {"event",
           {{"id", ev.id},
            {"kind", ev.kind},
            {"actor", ev.actor},
            {"data", event_data(ev.data_json)}}}};
}

// The stored contact object ({} when none or unreadable).
static json contact_of(const store::Agent& a) {
  auto contact = json::parse(a.contact_json, nullptr, false);
  return contact.is_object() ? contact : json::object();
}

json user_json(const store::User& u) {
  json roles = json::array();
  for (const auto r : u.roles) roles.push_back(store::to_string(r));
  return {{"name", u.name},
          {"role", u.roles.empty() ? json(nullptr) : json(store::to_string(u.roles.back()))},
          {"roles", std::move(roles)},
          {"agent_id", u.agent_id ? json(*u.agent_id) : json(nullptr)}};
}

json preferences_json(const std::optional<store::UserPreferences>& p) {
  auto or_null = [](const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); };
  return {{"language", p ? or_null(p->language) : json(nullptr)},
          {"time_zone", p ? or_null(p->time_zone) : json(nullptr)}};
}

json agent_json(const store::Agent& a) {
  json tiers = json::array();
  for (const auto t : a.tiers) tiers.push_back(store::to_string(t));
  return {{"id", a.id},
          {"display_name", a.display_name},
          {"team", a.team},
          {"presence", store::to_string(a.presence)},
          {"presence_since", a.presence_since},
          {"skills", skills_json(a.skills)},
          {"tiers", tiers},
          {"capacity", a.capacity},
          {"contact", contact_of(a)}};
}

}  // namespace omnigate::api
