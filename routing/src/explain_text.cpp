#include "explain_text.hpp"

#include <sstream>

namespace omnigate::routing {

std::string seconds(std::int64_t ms) {
  return std::to_string(ms / 1000) + "s";
}

namespace {
std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}
}  // namespace

std::string no_agent_text(const NoAgentFacts& f) {
  const std::string kind(f.kind);
  const std::string where = " in " + std::string(f.team);
  if (f.online == 0) return "no agent online" + where;
  if (f.skilled == 0)
    return "blocked by skills: " +
           (f.missing.empty() ? "no online agent" + where + " has all of " + joined(f.required)
                              : "nobody online" + where + " has " + joined(f.missing));
  if (f.skilled_free == 0)
    return "no free " + kind + " capacity: the " + std::to_string(f.skilled) + " online agent(s)" +
           where + " with the skills are at their limit";
  return "no eligible agent" + where + ": the " + std::to_string(f.skilled_free) +
         " with the skills and free " + kind + " capacity do not serve tier " +
         std::string(to_string(f.tier)) + " or declined it";
}

std::string reason_text(const Choice& why, const ReasonWords& w) {
  using Rule = Choice::Rule;
  std::string text;
  text.reserve(96);  // one allocation for every sentence below but the longest team names
  const auto tier = [&] { text.append(" (tier ").append(to_string(w.tier)).append(")"); };
  const auto stage = [&] {
    if (why.drop > 0)
      text.append(", skill levels lowered by ")
          .append(std::to_string(why.drop))
          .append(" (bullseye)");
  };
  switch (why.rule) {
    case Rule::not_dispatched:
      text.append("not dispatched yet");
      break;
    case Rule::sticky:
      text.append("sticky: returning customer's previous agent ").append(w.agent);
      break;
    case Rule::sticky_wait:
      text.append("waiting for previous agent ")
          .append(w.named)
          .append(" (sticky, up to ")
          .append(seconds(w.sticky_wait_ms))
          .append(")");
      break;
    case Rule::named_manager:
      text.append("named account manager ").append(w.agent);
      tier();
      break;
    case Rule::dedicated_group:
      text.append("dedicated group ").append(w.team);
      tier();
      text.append(", ").append(to_string(w.selection));
      break;
    case Rule::reserved:
      text.append("reserved for the customer's ")
          .append(why.group ? "dedicated group" : "account manager")
          .append(" for ")
          .append(seconds(w.preferred_wait_ms));
      tier();
      break;
    case Rule::pool:
      text.append("best of ").append(why.overflow ? "overflow team " : "");
      text.append(w.team).append(" by ").append(to_string(w.selection));
      stage();
      break;
    case Rule::no_agent:
      text.append(w.no_agent);
      stage();
      break;
    case Rule::given:
      text = w.given;
      break;
  }
  return text;
}

std::string cannot_take_text(const AgentRec& a, const KindSlot& slot, std::string_view kind_name) {
  const std::string kind(kind_name);
  if (a.presence != Presence::online) return a.id + " is " + to_string(a.presence);
  if (a.wrapping_up) return a.id + " is in wrap-up until " + std::to_string(a.wrap_up_until);
  if (a.total_load >= a.total_cap)
    return a.id + " is at total capacity: " + std::to_string(a.total_load) + " of " +
           std::to_string(a.total_cap) + " conversations across all channels";
  if (slot.cap == 0) return a.id + " takes no " + kind + " conversations (" + kind + " capacity 0)";
  if (slot.load >= slot.cap)
    return a.id + " is at " + kind + " capacity: " + std::to_string(slot.load) + " of " +
           std::to_string(slot.cap) + " " + kind + " conversations";
  return a.id + " is on a voice call (voice_blocks_chat)";
}

std::string describe_conversation(const ConversationSpec& spec, std::string_view team) {
  std::ostringstream s;
  s << "conversation " << spec.id << ": P" << spec.priority << " tier " << to_string(spec.tier)
    << " " << spec.channel.name();
  for (const auto& r : spec.skills) s << " " << r.skill << ">=" << r.min_level;
  s << ", arrived " << spec.arrived_at;
  if (!team.empty()) s << ", team " << team;
  return s.str();
}

std::string agent_tally_text(const AgentTally& t, std::string_view kind, Tier tier) {
  std::ostringstream out;
  out << "agents: " << t.offline << " not online, " << t.no_capacity << " without free " << kind
      << " capacity, " << t.no_skill << " missing a required skill level, " << t.no_tier
      << " not serving tier " << to_string(tier) << ", " << t.declined << " declined it, "
      << t.eligible << " otherwise eligible\n";
  return out.str();
}

}  // namespace omnigate::routing
