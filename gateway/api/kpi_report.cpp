#include "api/kpi_report.hpp"

#include "routing_specs/routing_specs.hpp"

#include <omnigate/routing/engine.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace omnigate::api {

namespace {

using nlohmann::json;

json ratio(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? json(nullptr) : json(static_cast<double>(part) / static_cast<double>(whole));
}

json average(std::int64_t total, std::int64_t n) {
  return n == 0 ? json(nullptr) : json(total / n);
}

// The wait an abandonment recorded (conversation.abandoned {wait_ms}), if readable.
std::optional<std::int64_t> abandoned_wait(const std::string& data_json) {
  const auto data = json::parse(data_json, nullptr, false);
  if (!data.is_object() || !data.contains("wait_ms") || !data["wait_ms"].is_number_integer())
    return std::nullopt;
  return data["wait_ms"].get<std::int64_t>();
}

store::UnixMs first_response_due(const store::Conversation& c, const routing::Policy& policy) {
  if (c.first_response_due) return *c.first_response_due;
  return routing::compute_sla_deadlines(policy, routing_specs::to_routing(c.tier), c.priority,
                                        false, c.created_at, routing::ChannelKind(c.channel_kind))
      .first_response_due;
}

// The figures of one group of contacts (a channel instance, or an attribute's value).
struct Tally {
  std::int64_t contacts = 0, answered = 0, abandoned = 0, within_sla = 0, resolved = 0;
  std::int64_t wait_total = 0, waits = 0;
  std::int64_t first_response_total = 0;

  void add(const store::ContactRecord& r, const routing::Policy& policy) {
    const auto& c = r.conversation;
    ++contacts;
    if (c.first_response_at) {
      // Resolved means an agent answered and closed it: an abandoned call ends resolved too.
      if (c.status == store::ConversationStatus::resolved ||
          c.status == store::ConversationStatus::closed)
        ++resolved;
      const std::int64_t waited = *c.first_response_at - c.created_at;
      ++answered;
      first_response_total += waited;
      wait_total += waited;
      ++waits;
      if (*c.first_response_at <= first_response_due(c, policy)) ++within_sla;
    } else if (r.abandoned_json) {
      ++abandoned;
      if (const auto waited = abandoned_wait(*r.abandoned_json)) {
        wait_total += *waited;
        ++waits;
      }
    }
  }

  json figures() const {
    return {{"contacts", contacts},
            {"answered", answered},
            {"abandoned", abandoned},
            {"abandon_rate", ratio(abandoned, contacts)},
            {"answered_within_sla", within_sla},
            {"service_level", ratio(within_sla, contacts)},
            {"resolved", resolved},
            {"resolution_rate", ratio(resolved, contacts)},
            {"avg_wait_ms", average(wait_total, waits)},
            {"avg_first_response_ms", average(first_response_total, answered)}};
  }
};

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
  std::map<std::string, std::pair<std::string, Tally>> by_channel;  // instance → kind, figures
  std::map<json, Tally> by_value;
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
