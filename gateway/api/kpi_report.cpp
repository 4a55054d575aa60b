#include "api/kpi_report.hpp"

#include "routing_specs/routing_specs.hpp"

#include <omnigate/routing/engine.hpp>

#include <map>
#include <optional>
#include <string>

namespace omnigate::api {

namespace {

using nlohmann::json;

struct ChannelTally {
  std::string kind;
  std::int64_t contacts = 0, answered = 0, abandoned = 0, within_sla = 0;
  std::int64_t wait_total = 0, waits = 0;
  std::int64_t first_response_total = 0;
};

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

}  // namespace

json kpi_report(const std::vector<store::ContactRecord>& contacts, const routing::Policy& policy,
                store::UnixMs from, store::UnixMs to) {
  std::map<std::string, ChannelTally> by_channel;
  for (const auto& [c, abandoned_json] : contacts) {
    auto& t = by_channel[c.channel_instance];
    t.kind = c.channel_kind;
    ++t.contacts;
    if (c.first_response_at) {
      const std::int64_t waited = *c.first_response_at - c.created_at;
      ++t.answered;
      t.first_response_total += waited;
      t.wait_total += waited;
      ++t.waits;
      if (*c.first_response_at <= first_response_due(c, policy)) ++t.within_sla;
    } else if (abandoned_json) {
      ++t.abandoned;
      if (const auto waited = abandoned_wait(*abandoned_json)) {
        t.wait_total += *waited;
        ++t.waits;
      }
    }
  }
  json channels = json::array();
  for (const auto& [instance, t] : by_channel)
    channels.push_back({{"channel", instance},
                        {"channel_kind", t.kind},
                        {"contacts", t.contacts},
                        {"answered", t.answered},
                        {"abandoned", t.abandoned},
                        {"abandon_rate", ratio(t.abandoned, t.contacts)},
                        {"answered_within_sla", t.within_sla},
                        {"service_level", ratio(t.within_sla, t.contacts)},
                        {"avg_wait_ms", average(t.wait_total, t.waits)},
                        {"avg_first_response_ms", average(t.first_response_total, t.answered)}});
  return {{"from", from}, {"to", to}, {"by_channel", std::move(channels)}};
}

}  // namespace omnigate::api
