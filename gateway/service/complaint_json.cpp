#include "service/complaint_json.hpp"

namespace omnigate::service {
namespace {

using nlohmann::json;

template <class T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <class T>
std::optional<T> optional_of(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return j.at(key).get<T>();
}

json level_json(const LevelRecord& l) {
  return {{"level", l.level},
          {"role", l.role},
          {"notified", l.notified},
          {"started_at", l.started_at},
          {"window_due", l.window_due},
          {"done_at", or_null(l.done_at)},
          {"done_by", l.done_by},
          {"in_time", l.in_time},
          {"missed", l.missed},
          {"commitment", l.commitment},
          {"fix_due", or_null(l.fix_due)},
          {"executive", l.executive}};
}

LevelRecord level_from(const json& j) {
  LevelRecord l;
  l.level = j.at("level").get<int>();
  l.role = j.at("role").get<std::string>();
  l.notified = j.at("notified").get<std::string>();
  l.started_at = j.at("started_at").get<UnixMs>();
  l.window_due = j.at("window_due").get<UnixMs>();
  l.done_at = optional_of<UnixMs>(j, "done_at");
  l.done_by = j.at("done_by").get<std::string>();
  l.in_time = j.at("in_time").get<bool>();
  l.missed = j.at("missed").get<bool>();
  l.commitment = j.at("commitment").get<std::string>();
  l.fix_due = optional_of<UnixMs>(j, "fix_due");
  l.executive = j.at("executive").get<std::string>();
  return l;
}

}  // namespace

json complaint_to_json(const Complaint& c) {
  json levels = json::array();
  for (const auto& l : c.levels) levels.push_back(level_json(l));
  return {{"id", c.id},
          {"conversation_id", c.conversation_id},
          {"customer_id", c.customer_id},
          {"filed_at", c.filed_at},
          {"filed_by", c.filed_by},
          {"complainant", c.complainant},
          {"channel", c.channel},
          {"matter", c.matter},
          {"contact", c.contact},
          {"severity", c.major ? "major" : "normal"},
          {"status", c.open ? "open" : "closed"},
          {"level", c.level},
          {"levels", levels},
          {"close_due", or_null(c.close_due)},
          {"close_breached", c.close_breached},
          {"closed_at", or_null(c.closed_at)},
          {"closed_by", c.closed_by},
          {"report", c.report}};
}

Complaint complaint_from_json(const json& j) {
  Complaint c;
  c.id = j.at("id").get<store::Id>();
  c.conversation_id = j.at("conversation_id").get<store::Id>();
  c.customer_id = j.at("customer_id").get<store::Id>();
  c.filed_at = j.at("filed_at").get<UnixMs>();
  c.filed_by = j.at("filed_by").get<std::string>();
  c.complainant = j.at("complainant").get<std::string>();
  c.channel = j.at("channel").get<std::string>();
  c.matter = j.at("matter").get<std::string>();
  c.contact = j.at("contact").get<std::string>();
  c.major = j.at("severity").get<std::string>() == "major";
  c.open = j.at("status").get<std::string>() == "open";
  c.level = j.at("level").get<int>();
  for (const auto& l : j.at("levels")) c.levels.push_back(level_from(l));
  c.close_due = optional_of<UnixMs>(j, "close_due");
  c.close_breached = j.at("close_breached").get<bool>();
  c.closed_at = optional_of<UnixMs>(j, "closed_at");
  c.closed_by = j.at("closed_by").get<std::string>();
  c.report = j.at("report").get<std::string>();
  return c;
}

}  // namespace omnigate::service
