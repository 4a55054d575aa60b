#include "api/kpi_report.hpp"

#include "api/kpi_tally.hpp"

#include <map>
#include <string>
#include <utility>

namespace omnigate::api {

namespace {

using nlohmann::json;

// The customer's top-level attribute `key` as the group's value: strings as they are, numbers and
// booleans as written (as team and tier rules compare them), absent or unreadable as null.
json attribute_value(const std::string& attributes_json, const std::string& key) {
  const auto attributes = json::parse(attributes_json, nullptr, false);
  if (!attributes.is_object() || !attributes.contains(key)) return nullptr;
  const auto& v = attributes[key];
  if (v.is_string()) return v;
  if (v.is_number() || v.is_boolean()) return v.dump();
  return nullptr;
}

}  // namespace

json kpi_report(const std::vector<store::ContactRecord>& contacts, const routing::Policy& policy,
                store::UnixMs from, store::UnixMs to, const std::string& by_attribute) {
  std::map<std::string, std::pair<std::string, KpiTally>> by_channel;  // instance → kind, figures
  std::map<json, KpiTally> by_value;
  for (const auto& r : contacts) {
    auto& [kind, tally] = by_channel[r.conversation.channel_instance];
    kind = r.conversation.channel_kind;
    tally.add(r, policy);
    if (!by_attribute.empty())
      by_value[attribute_value(r.customer_attributes_json, by_attribute)].add(r, policy);
  }
  json channels = json::array();
  for (const auto& [instance, group] : by_channel) {
    json entry = {{"channel", instance}, {"channel_kind", group.first}};
    entry.update(group.second.figures());
    channels.push_back(std::move(entry));
  }
  json report = {{"from", from}, {"to", to}, {"by_channel", std::move(channels)}};
  if (!by_attribute.empty()) {
    json groups = json::array();
    for (const auto& [value, tally] : by_value) {
      json entry = {{"value", value}};
      entry.update(tally.figures());
      groups.push_back(std::move(entry));
    }
    report["by_attribute"] = {{"key", by_attribute}, {"groups", std::move(groups)}};
  }
  return report;
}

}  // namespace omnigate::api
