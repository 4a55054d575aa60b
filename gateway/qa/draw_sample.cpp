#include "qa/draw_sample.hpp"

#include "qa/draw_order.hpp"

#include <algorithm>
#include <cmath>

namespace omnigate::qa {
namespace {

struct Keyed {
  std::uint64_t key;
  store::QaConversation conversation;
  std::string group;
};

// The first `n` of a group, in draw order, appended to `out`.
void take_first(std::vector<Keyed>& group, std::size_t n, std::vector<Keyed>& out) {
  n = std::min(n, group.size());
  std::move(group.begin(), group.begin() + static_cast<std::ptrdiff_t>(n), std::back_inserter(out));
}

bool by_draw_order(const Keyed& a, const Keyed& b) {
  return a.key != b.key ? a.key < b.key : a.conversation.id < b.conversation.id;
}

// How many of an agent's n conversations `percent` asks for, rounded up so that an agent with
// any conversations is never skipped; at least the minimum, at most n.
std::size_t percent_count(std::size_t n, double percent, int min_per_agent) {
  // Rounding up a product like 10 × 30% must give 3, not 4: the product is taken in hundredths.
  const auto hundredths = static_cast<std::int64_t>(std::llround(percent * 100.0));
  const auto wanted =
      static_cast<std::size_t>((static_cast<std::int64_t>(n) * hundredths + 9999) / 10000);
  return std::min(n, std::max(wanted, static_cast<std::size_t>(min_per_agent)));
}

}  // namespace

std::string stratum_of(const store::QaConversation& c, const std::string& by) {
  if (by == "channel") return c.channel_kind;
  if (by == "tier") return c.tier;
  if (by == "priority") return std::to_string(c.priority);
  if (by == "team") return c.team;
  return {};
}

DrawnSample draw_sample(const SamplingStrategy& strategy,
                        std::vector<store::QaConversation> candidates, std::int64_t seed) {
  using Kind = SamplingStrategy::Kind;
  const bool per_agent = strategy.kind == Kind::random_percent || strategy.kind == Kind::per_agent;
  std::map<std::string, std::vector<Keyed>> groups;
  for (auto& c : candidates) {
    if (per_agent && c.agent.empty()) continue;
    std::string group = per_agent                           ? c.agent
                        : strategy.kind == Kind::stratified ? stratum_of(c, strategy.stratify_by)
                                                            : std::string();
    if (strategy.kind == Kind::stratified && !strategy.strata.contains(group)) continue;
    const auto key = draw_key(seed, c.id);
    groups[group].push_back({key, std::move(c), std::move(group)});
  }
  DrawnSample out;
  std::vector<Keyed> chosen;
  for (auto& [group, members] : groups) std::sort(members.begin(), members.end(), by_draw_order);
  switch (strategy.kind) {
    case Kind::random_percent:
      for (auto& [agent, members] : groups)
        take_first(members, percent_count(members.size(), strategy.percent, strategy.min_per_agent),
                   chosen);
      break;
    case Kind::per_agent:
      for (auto& [agent, members] : groups)
        take_first(members, static_cast<std::size_t>(strategy.per_agent), chosen);
      break;
    case Kind::stratified:
      for (const auto& [stratum, size] : strategy.strata) {
        auto& members = groups[stratum];
        const auto wanted = static_cast<std::size_t>(size);
        if (members.size() < wanted)
          out.shortfalls[stratum] = static_cast<int>(wanted - members.size());
        take_first(members, wanted, chosen);
      }
      break;
    case Kind::targeted: {
      auto& members = groups[""];
      take_first(members,
                 strategy.limit ? static_cast<std::size_t>(*strategy.limit) : members.size(),
                 chosen);
      break;
    }
  }
  std::sort(chosen.begin(), chosen.end(), by_draw_order);
  for (auto& k : chosen) {
    out.items.push_back({std::move(k.conversation),
                         strategy.kind == Kind::stratified ? std::move(k.group) : std::string()});
  }
  return out;
}

}  // namespace omnigate::qa
