#include "linear_scan.hpp"

#include <algorithm>
#include <tuple>

namespace routing_bench {

using namespace omnigate::routing;

namespace {
// The workload's four kinds as indexes into an agent's arrays.
int kind_index(const ChannelKind& kind) {
  return kind == ChannelKind::sms       ? 0
         : kind == ChannelKind::email   ? 1
         : kind == ChannelKind::webchat ? 2
                                        : 3;
}

auto order_key(const ConversationSpec& c) {
  return std::make_tuple(c.priority, static_cast<int>(c.tier), c.arrived_at, c.id);
}
}  // namespace

LinearScanRouter::LinearScanRouter(const std::vector<AgentSpec>& agents) {
  for (const auto& spec : agents) {
    Agent a;
    for (const auto& s : spec.skills) a.skills.emplace_back(s.skill, s.level);
    for (const auto& [kind, cap] : spec.capacity) a.cap[kind_index(kind)] = cap;
    a.total_cap = spec.total_capacity;
    agents_.push_back(std::move(a));
  }
}

void LinearScanRouter::enqueue(const ConversationSpec& c) {
  const auto at =
      std::upper_bound(queue_.begin(), queue_.end(), c,
                       [](const auto& x, const auto& y) { return order_key(x) < order_key(y); });
  queue_.insert(at, c);
}

void LinearScanRouter::assign(const ConversationSpec& c, int agent) {
  auto& a = agents_[static_cast<std::size_t>(agent)];
  ++a.load[kind_index(c.channel)];
  ++a.total_load;
  assigned_.emplace_back(c, agent);
}

bool LinearScanRouter::eligible(const Agent& a, const ConversationSpec& c, int k) const {
  if (a.total_load >= a.total_cap || a.load[k] >= a.cap[k]) return false;
  for (const auto& req : c.skills) {
    const bool has = std::any_of(a.skills.begin(), a.skills.end(), [&](const auto& s) {
      return s.first == req.skill && s.second >= req.min_level;
    });
    if (!has) return false;
  }
  return true;
}

std::optional<std::pair<ConversationId, int>> LinearScanRouter::decide() {
  for (std::size_t q = 0; q < queue_.size(); ++q) {
    int best = -1;
    const int k = kind_index(queue_[q].channel);
    for (int i = 0; i < static_cast<int>(agents_.size()); ++i)
      if (eligible(agents_[i], queue_[q], k) &&
          (best < 0 || agents_[i].total_load < agents_[best].total_load))
        best = i;
    if (best < 0) continue;
    auto& a = agents_[best];
    ++a.load[k];
    ++a.total_load;
    assigned_.emplace_back(queue_[q], best);
    const auto id = queue_[q].id;
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(q));
    return std::make_pair(id, best);
  }
  return std::nullopt;
}

void LinearScanRouter::finish(ConversationId id) {
  const auto it = std::find_if(assigned_.begin(), assigned_.end(),
                               [&](const auto& x) { return x.first.id == id; });
  if (it == assigned_.end()) return;
  auto& a = agents_[it->second];
  --a.load[kind_index(it->first.channel)];
  --a.total_load;
  *it = assigned_.back();
  assigned_.pop_back();
}

}  // namespace routing_bench
