#include "report.hpp"

#include <algorithm>

namespace routing_sim {

using namespace omnigate::routing;

namespace {

constexpr Tier kTiers[] = {Tier::S, Tier::A, Tier::B, Tier::C};

struct Cell {
  int total = 0, met = 0;
};

// First response within its SLA target; abandoned or never answered counts as missed.
Cell attainment(const SimResult& r, Tier tier, int priority) {
  Cell c;
  for (const auto& o : r.outcomes) {
    if (o.tier != tier || (priority && o.priority != priority)) continue;
    ++c.total;
    if (o.first_response >= 0 && o.first_response <= o.first_response_due) ++c.met;
  }
  return c;
}

std::string percent(const Cell& c) {
  if (c.total == 0) return "    -     ";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%5.1f%% %-4d", 100.0 * c.met / c.total, c.total);
  return buf;
}

}  // namespace

void print_report(std::FILE* out, const std::vector<NamedResult>& runs, bool per_agent) {
  std::fprintf(
      out,
      "SLA attainment: first response within target (abandoned = missed); cell = %% and count\n");
  for (const auto& run : runs) {
    std::fprintf(out, "\n[%s]  %d decisions, simulated in %.2f s\n", run.policy_name.c_str(),
                 run.result->decisions, run.result->wall_seconds);
    std::fprintf(out, "tier  %-11s %-11s %-11s %-11s %-11s\n", "P1", "P2", "P3", "P4", "all");
    for (const Tier t : kTiers) {
      std::fprintf(out, "%-5s", to_string(t));
      for (int p = 1; p <= 5; ++p)
        std::fprintf(out, " %-11s", percent(attainment(*run.result, t, p % 5)).c_str());
      std::fprintf(out, "\n");
    }
  }
  std::fprintf(out, "\n%-34s", "per tier");
  for (const auto& run : runs) std::fprintf(out, " %-22s", run.policy_name.c_str());
  std::fprintf(out, "\n");
  for (const Tier t : kTiers) {
    const auto row = [&](const char* what, auto value) {
      std::fprintf(out, "  tier %s %-25s", to_string(t), what);
      for (const auto& run : runs) std::fprintf(out, " %-22s", value(*run.result).c_str());
      std::fprintf(out, "\n");
    };
    const auto stats = [t](const SimResult& r) {
      double wait_sum = 0, max_wait = 0;
      int answered = 0, abandoned = 0, unanswered = 0;
      for (const auto& o : r.outcomes) {
        if (o.tier != t) continue;
        if (o.answered >= 0) {
          ++answered;
          const double w = static_cast<double>(o.answered - o.arrived) / 60000.0;
          wait_sum += w;
          max_wait = std::max(max_wait, w);
        } else if (o.abandoned) {
          ++abandoned;
        } else {
          ++unanswered;
        }
      }
      struct {
        double asa, max_wait;
        int answered, abandoned, unanswered;
      } s{answered ? wait_sum / answered : 0, max_wait, answered, abandoned, unanswered};
      return s;
    };
    const auto fmt = [](const char* f, auto v) {
      char buf[64];
      std::snprintf(buf, sizeof buf, f, v);
      return std::string(buf);
    };
    row("avg speed of answer", [&](const SimResult& r) { return fmt("%.1f min", stats(r).asa); });
    row("longest wait answered",
        [&](const SimResult& r) { return fmt("%.1f min", stats(r).max_wait); });
    row("answered", [&](const SimResult& r) { return fmt("%d", stats(r).answered); });
    row("abandoned", [&](const SimResult& r) { return fmt("%d", stats(r).abandoned); });
    row("still waiting at end", [&](const SimResult& r) { return fmt("%d", stats(r).unanswered); });
  }
  const auto count_row = [&](const char* what, TimerKind k) {
    std::fprintf(out, "  %-32s", what);
    for (const auto& run : runs) {
      const auto it = run.result->timer_events.find(k);
      std::fprintf(out, " %-22d", it == run.result->timer_events.end() ? 0 : it->second);
    }
    std::fprintf(out, "\n");
  };
  std::fprintf(out, "events\n");
  count_row("escalated at once (P1/P2)", TimerKind::escalation);
  count_row("first-response breaches", TimerKind::first_response_breach);
  count_row("resolution breaches", TimerKind::resolution_breach);
  count_row("progress reminders", TimerKind::progress_reminder);
  count_row("offers expired", TimerKind::reservation_expired);

  std::fprintf(out, "occupancy (busy while online)\n");
  for (const auto& run : runs) {
    double lo = 1, hi = 0, sum = 0;
    int n = 0;
    for (const auto& [id, u] : run.result->agents) {
      if (u.online_ms == 0) continue;
      const double occ = static_cast<double>(u.busy_ms) / static_cast<double>(u.online_ms);
      lo = std::min(lo, occ);
      hi = std::max(hi, occ);
      sum += occ;
      ++n;
    }
    std::fprintf(out, "  %-32s mean %.0f%%, min %.0f%%, max %.0f%% over %d agents\n",
                 run.policy_name.c_str(), n ? 100 * sum / n : 0.0, 100 * lo, 100 * hi, n);
    if (!per_agent) continue;
    for (const auto& [id, u] : run.result->agents)
      std::fprintf(out, "    %-10s %-13s online %5.1f h  occupancy %5.1f%%  handled %d\n",
                   id.c_str(), u.team.c_str(), static_cast<double>(u.online_ms) / 3600000.0,
                   u.online_ms
                       ? 100.0 * static_cast<double>(u.busy_ms) / static_cast<double>(u.online_ms)
                       : 0.0,
                   u.handled);
  }
}

}  // namespace routing_sim
