#include "api/kpi_tally.hpp"

#include "routing_specs/routing_specs.hpp"

#include <omnigate/routing/engine.hpp>

#include <optional>
#include <string>

namespace omnigate::api {

namespace {

using nlohmann::json;

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

json kpi_ratio(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? json(nullptr) : json(static_cast<double>(part) / static_cast<double>(whole));
}

json kpi_average(std::int64_t total, std::int64_t n) {
  return n == 0 ? json(nullptr) : json(total / n);
}

void KpiTally::add(const store::ContactRecord& r, const routing::Policy& policy) {
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

json KpiTally::figures() const {
  return {{"contacts", contacts},
          {"answered", answered},
          {"abandoned", abandoned},
          {"abandon_rate", kpi_ratio(abandoned, contacts)},
          {"answered_within_sla", within_sla},
          {"service_level", kpi_ratio(within_sla, contacts)},
          {"resolved", resolved},
          {"resolution_rate", kpi_ratio(resolved, contacts)},
          {"avg_wait_ms", kpi_average(wait_total, waits)},
          {"avg_first_response_ms", kpi_average(first_response_total, answered)}};
}

}  // namespace omnigate::api
