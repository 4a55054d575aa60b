#include "traffic.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace routing_sim {

using namespace omnigate::routing;

double daily_curve(double hour) {
  const auto bump = [](double h, double centre, double width) {
    return std::exp(-(h - centre) * (h - centre) / (2 * width * width));
  };
  // A night floor, a morning and an afternoon peak.
  return std::min(1.0, 0.08 + bump(hour, 10, 2.0) + 0.9 * bump(hour, 15, 2.5));
}

namespace {

template <class T>
const T& weighted(std::mt19937_64& rng, const std::vector<std::pair<T, double>>& choices) {
  double total = 0;
  for (const auto& c : choices) total += c.second;
  double x = std::uniform_real_distribution<double>(0, total)(rng);
  for (const auto& c : choices) {
    if (x < c.second) return c.first;
    x -= c.second;
  }
  return choices.back().first;
}

}  // namespace

Day generate_day(const TrafficShape& shape, UnixMs day_start) {
  std::mt19937_64 rng(shape.seed);
  Day day;
  day.start = day_start;
  day.end = day_start + static_cast<UnixMs>(shape.hours * 3600000.0);
  const auto skill = [](int i) { return "skill" + std::to_string(i); };
  // Roster: a key-account team (S/A only), and two service-desk teams; early, late and night
  // shifts so that the day peaks are covered and the night is thin.
  for (int i = 0; i < shape.agents; ++i) {
    AgentSpec a;
    a.id = "agent" + std::to_string(i);
    const int group = i % 5;
    a.team = group == 0 ? "key_accounts" : group % 2 ? "desk_north" : "desk_south";
    if (group == 0) a.tiers_served = {Tier::S, Tier::A};
    for (int s = 0; s < shape.skills; ++s)
      if (std::uniform_real_distribution<double>(0, 1)(rng) < 0.6)
        a.skills.push_back({skill(s), static_cast<int>(rng() % 5) + 1});
    if (a.skills.empty()) a.skills.push_back({skill(static_cast<int>(rng() % shape.skills)), 3});
    day.agents.push_back(a);
    const int slot = i % 4;  // 0,1 early (07-16), 2 late (12-21), 3 night (21-07)
    const UnixMs h = 3600000;
    const auto shift = [&](UnixMs from, UnixMs to) {
      day.presence.push_back({from, a.id, Presence::online});
      day.presence.push_back({to, a.id, Presence::offline});
    };
    if (slot <= 1)
      shift(day_start + 7 * h, day_start + 16 * h);
    else if (slot == 2)
      shift(day_start + 12 * h, day_start + 21 * h);
    else {
      shift(day_start, day_start + 7 * h);
      shift(day_start + 21 * h, day_start + 24 * h);
    }
  }
  std::stable_sort(day.presence.begin(), day.presence.end(),
                   [](const PresenceChange& x, const PresenceChange& y) { return x.at < y.at; });
  // Arrivals: a non-homogeneous Poisson process by thinning against the peak rate.
  const double peak_per_ms = shape.peak_arrivals_per_hour / 3600000.0;
  std::exponential_distribution<double> gap(peak_per_ms);
  std::uniform_real_distribution<double> unit(0, 1);
  const double end = shape.hours * 3600000.0;
  ConversationId next_id = 1;
  std::vector<AgentId> seen_agents;
  for (double t = gap(rng); t < end; t += gap(rng)) {
    if (unit(rng) > daily_curve(std::fmod(t / 3600000.0, 24.0))) continue;
    Arrival a;
    auto& c = a.spec;
    c.id = next_id++;
    c.arrived_at = day_start + static_cast<UnixMs>(t);
    c.tier = weighted<Tier>(rng, {{Tier::S, 2}, {Tier::A, 13}, {Tier::B, 30}, {Tier::C, 55}});
    c.priority = weighted<int>(rng, {{1, 5}, {2, 15}, {3, 40}, {4, 40}});
    c.channel = weighted<ChannelKind>(rng, {{ChannelKind::sms, 15},
                                            {ChannelKind::email, 30},
                                            {ChannelKind::webchat, 30},
                                            {ChannelKind::voice, 25}});
    c.skills.push_back(
        {skill(static_cast<int>(rng() % shape.skills)), static_cast<int>(rng() % 3) + 1});
    if (c.tier == Tier::S || c.tier == Tier::A) c.account_team = "key_accounts";
    if (c.tier == Tier::B && unit(rng) < 0.5)
      c.account_manager = day.agents[rng() % day.agents.size()].id;
    if (unit(rng) < 0.2) c.previous_agent = day.agents[rng() % day.agents.size()].id;
    a.handle_ms = std::exponential_distribution<double>(
        1.0 / (shape.times.handle_minutes_of(c.channel) * 60000.0))(rng);
    a.patience_ms =
        std::exponential_distribution<double>(1.0 / (shape.times.patience_minutes * 60000.0))(rng);
    a.reply_ms = assumed_reply_ms(c.channel, a.handle_ms);
    day.arrivals.push_back(std::move(a));
  }
  return day;
}

}  // namespace routing_sim
