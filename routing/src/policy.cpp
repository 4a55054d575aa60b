// Policy defaults (the handbooks' numbers) and parsing of the gateway's [routing] table.
// Every error names the full key path so an operator can find the line in the TOML file.
#include "omnigate/routing/policy.hpp"

#include <cctype>
#include <nlohmann/json.hpp>
#include <string>

#include "civil_time.hpp"

namespace omnigate::routing {

const char* to_string(Selection s) {
  switch (s) {
    case Selection::least_occupied:
      return "least_occupied";
    case Selection::longest_idle:
      return "longest_idle";
    case Selection::round_robin:
      return "round_robin";
    case Selection::most_skilled:
      return "most_skilled";
  }
  return "?";
}

const BusinessCalendar& Policy::calendar_for(Tier t) const {
  const auto it = calendars.find(tiers[static_cast<int>(t)].calendar);
  return it != calendars.end() ? it->second : calendars.at("24x7");
}

namespace {

ServiceDuration minutes(std::int64_t m) {
  return {m * kMinuteMs, 0};
}
ServiceDuration hours(std::int64_t h) {
  return {h * kHourMs, 0};
}
ServiceDuration working_days(std::int64_t d) {
  return {0, d};
}

BusinessCalendar office_hours_5x8() {
  std::array<std::vector<OpenInterval>, 7> week;
  for (int d = 0; d < 5; ++d) week[d] = {{9 * 60, 17 * 60}};
  return BusinessCalendar("5x8", TimeZone(), week, {}, 8 * kHourMs);
}

}  // namespace

Policy Policy::defaults() {
  Policy p;
  p.sla.by_priority = {SlaTarget{minutes(15), hours(2), hours(4), {}},
                       SlaTarget{minutes(30), hours(4), hours(24), {}},
                       SlaTarget{hours(2), working_days(3), working_days(3), {}},
                       SlaTarget{hours(4), working_days(5), working_days(5), {}}};
  p.sla.dedicated_first_response = {minutes(15), minutes(15), hours(2), hours(2)};
  p.calendars.emplace("24x7", BusinessCalendar());
  p.calendars.emplace("5x8", office_hours_5x8());
  p.tiers[static_cast<int>(Tier::S)] = {"24x7", true, true, 2 * kMinuteMs};
  p.tiers[static_cast<int>(Tier::A)] = {"24x7", true, true, 2 * kMinuteMs};
  p.tiers[static_cast<int>(Tier::B)] = {"5x8", false, true, 0};
  p.tiers[static_cast<int>(Tier::C)] = {"5x8", false, false, 0};
  p.bullseye = {{2 * kMinuteMs, 1}, {5 * kMinuteMs, 2}};
  return p;
}

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& path, const std::string& why) {
  throw PolicyError(path + ": " + why);
}

const json& require_object(const json& j, const std::string& path) {
  if (!j.is_object()) bad(path, "must be a table");
  return j;
}

// Calls `handle(key, value, path)` for each key; unknown keys are reported by the handler
// returning false, so a typo never silently falls back to a default.
template <class Handler>
void for_each_key(const json& j, const std::string& path, Handler&& handle) {
  require_object(j, path);
  for (const auto& [key, value] : j.items()) {
    const std::string sub = path + "." + key;
    if (!handle(key, value, sub)) bad(sub, "unknown key");
  }
}

bool parse_bool(const json& j, const std::string& path) {
  if (!j.is_boolean()) bad(path, "must be true or false");
  return j.get<bool>();
}

std::int64_t parse_int(const json& j, const std::string& path, std::int64_t lo, std::int64_t hi) {
  if (!j.is_number_integer()) bad(path, "must be an integer");
  const auto v = j.get<std::int64_t>();
  if (v < lo || v > hi)
    bad(path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return v;
}

std::string parse_string(const json& j, const std::string& path) {
  if (!j.is_string()) bad(path, "must be a string");
  return j.get<std::string>();
}

// A number of seconds, or a string "<n><unit>" with unit s, m, h, d (24 h) or wd (working
// days of the calendar the duration is applied on).
ServiceDuration parse_duration(const json& j, const std::string& path) {
  constexpr std::int64_t kMax = 10LL * 365 * 24 * kHourMs;
  if (j.is_number_integer()) {
    const auto s = j.get<std::int64_t>();
    if (s < 0 || s * kSecondMs > kMax) bad(path, "duration out of range");
    return {s * kSecondMs, 0};
  }
  if (!j.is_string()) bad(path, "must be seconds or a string like \"15m\", \"2h\", \"3wd\"");
  const auto text = j.get<std::string>();
  std::size_t i = 0;
  std::int64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    n = n * 10 + (text[i++] - '0');
    if (n > 1000000) bad(path, "duration out of range");
  }
  if (i == 0) bad(path, "\"" + text + "\" does not start with a number");
  const std::string unit = text.substr(i);
  std::int64_t ms = 0;
  if (unit == "s")
    ms = n * kSecondMs;
  else if (unit == "m")
    ms = n * kMinuteMs;
  else if (unit == "h")
    ms = n * kHourMs;
  else if (unit == "d")
    ms = n * 24 * kHourMs;
  else if (unit == "wd") {
    if (n > 3650) bad(path, "more than 3650 working days");
    return {0, n};
  } else
    bad(path, "unknown unit \"" + unit + "\" (use s, m, h, d or wd)");
  if (ms > kMax) bad(path, "duration out of range");
  return {ms, 0};
}

std::int64_t parse_wall_duration(const json& j, const std::string& path) {
  const auto d = parse_duration(j, path);
  if (d.working_days != 0) bad(path, "working days (wd) only apply to SLA targets");
  return d.ms;
}

int parse_priority_key(const std::string& key) {
  if (key.size() == 2 && key[0] == 'P' && key[1] >= '1' && key[1] <= '4') return key[1] - '1';
  return -1;
}

void parse_sla(const json& j, const std::string& path, SlaPolicy& sla) {
  for_each_key(j, path, [&](const std::string& key, const json& v, const std::string& sub) {
    if (const int p = parse_priority_key(key); p >= 0) {
      auto& target = sla.by_priority[p];
      for_each_key(v, sub, [&](const std::string& k, const json& tv, const std::string& s) {
        if (k == "first_response")
          target.first_response = parse_duration(tv, s);
        else if (k == "first_response_by_kind") {
          for_each_key(tv, s, [&](const std::string& kind, const json& kv, const std::string& ks) {
            if (kind.empty()) bad(ks, "must name a channel kind");
            target.first_response_by_kind[ChannelKind(kind)] = parse_duration(kv, ks);
            return true;
          });
        } else if (k == "resolution")
          target.resolution = parse_duration(tv, s);
        else if (k == "resolution_max")
          target.resolution_max = parse_duration(tv, s);
        else if (k == "dedicated_first_response")
          sla.dedicated_first_response[p] = parse_duration(tv, s);
        else
          return false;
        return true;
      });
    } else if (key == "warn_before")
      sla.warn_before_ms = parse_wall_duration(v, sub);
    else if (key == "pause_while_waiting_customer")
      sla.pause_while_waiting_customer = parse_bool(v, sub);
    else if (key == "escalate_at_once_up_to_priority")
      sla.escalate_at_once_up_to_priority = static_cast<int>(parse_int(v, sub, 0, 4));
    else if (key == "progress_update_every") {
      sla.progress_update_every_ms = parse_wall_duration(v, sub);
      if (sla.progress_update_every_ms < kMinuteMs) bad(sub, "must be at least 1 minute");
    } else if (key == "progress_update_up_to_priority")
      sla.progress_update_up_to_priority = static_cast<int>(parse_int(v, sub, 0, 4));
    else
      return false;
    return true;
  });
  for (int p = 0; p < kPriorityCount; ++p) {
    const auto& t = sla.by_priority[p];
    if (t.resolution_max.ms < t.resolution.ms ||
        t.resolution_max.working_days < t.resolution.working_days)
      sla.by_priority[p].resolution_max = t.resolution;  // the maximum can never be earlier
  }
}

int parse_clock_minutes(const std::string& hhmm, const std::string& path) {
  if (hhmm.size() != 5 || hhmm[2] != ':' || !std::isdigit(static_cast<unsigned char>(hhmm[0])) ||
      !std::isdigit(static_cast<unsigned char>(hhmm[1])) ||
      !std::isdigit(static_cast<unsigned char>(hhmm[3])) ||
      !std::isdigit(static_cast<unsigned char>(hhmm[4])))
    bad(path, "\"" + hhmm + "\" is not HH:MM");
  const int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
  const int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) bad(path, "\"" + hhmm + "\" is not a time of day");
  return h * 60 + m;
}

std::int32_t parse_date(const std::string& text, const std::string& path) {
  int y = 0;
  unsigned mo = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    bad(path, "\"" + text + "\" is not YYYY-MM-DD");
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(text[i])))
      bad(path, "\"" + text + "\" is not YYYY-MM-DD");
  y = std::stoi(text.substr(0, 4));
  mo = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  d = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  const auto days = civil::days_from_civil(y, mo, d);
  const auto back = civil::civil_from_days(days);
  if (mo < 1 || mo > 12 || back.month != mo || back.day != d)
    bad(path, "\"" + text + "\" is not a valid date");
  return static_cast<std::int32_t>(days);
}

BusinessCalendar parse_calendar(const std::string& name, const json& j, const std::string& path) {
  static constexpr const char* kDays[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  std::array<std::vector<OpenInterval>, 7> week;
  std::set<std::int32_t> holidays;
  TimeZone zone;
  std::int64_t working_day = 0;
  for_each_key(j, path, [&](const std::string& key, const json& v, const std::string& sub) {
    for (int d = 0; d < 7; ++d) {
      if (key != kDays[d]) continue;
      if (!v.is_array()) bad(sub, "must be a list like [\"09:00-12:00\", \"13:00-18:00\"]");
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string ip = sub + "[" + std::to_string(i) + "]";
        const auto text = parse_string(v[i], ip);
        const auto dash = text.find('-');
        if (dash == std::string::npos) bad(ip, "\"" + text + "\" is not HH:MM-HH:MM");
        const OpenInterval iv{parse_clock_minutes(text.substr(0, dash), ip),
                              parse_clock_minutes(text.substr(dash + 1), ip)};
        if (iv.end_min <= iv.start_min) bad(ip, "interval ends before it starts");
        for (const auto& other : week[d])
          if (iv.start_min < other.end_min && other.start_min < iv.end_min)
            bad(ip, "overlaps another interval");
        week[d].push_back(iv);
      }
      return true;
    }
    if (key == "time_zone") {
      try {
        zone = TimeZone::parse(parse_string(v, sub));
      } catch (const std::invalid_argument& e) {
        bad(sub, e.what());
      }
    } else if (key == "holidays") {
      if (!v.is_array()) bad(sub, "must be a list of \"YYYY-MM-DD\" dates");
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string ip = sub + "[" + std::to_string(i) + "]";
        holidays.insert(parse_date(parse_string(v[i], ip), ip));
      }
    } else if (key == "working_day") {
      working_day = parse_wall_duration(v, sub);
    } else
      return false;
    return true;
  });
  return BusinessCalendar(name, zone, week, holidays, working_day);
}

// The value of customer_attribute.value as text, the way team_rules compares it.
std::string attribute_value_text(const json& j, const std::string& path) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number() || j.is_boolean()) return j.dump();
  bad(path, "must be a string, number or boolean");
}

TeamRule parse_team_rule(const json& j, const std::string& path) {
  TeamRule rule;
  int matches = 0;
  for_each_key(j, path, [&](const std::string& key, const json& v, const std::string& sub) {
    if (key == "team") {
      rule.team = parse_string(v, sub);
      if (rule.team.empty()) bad(sub, "must name a team");
    } else if (key == "when") {
      for_each_key(v, sub, [&](const std::string& k, const json& w, const std::string& ws) {
        ++matches;
        if (k == "channel_instance") {
          rule.channel_instance = parse_string(w, ws);
          if (rule.channel_instance.empty()) bad(ws, "must name a plugin instance");
        } else if (k == "skill") {
          rule.skill = parse_string(w, ws);
          if (rule.skill.empty()) bad(ws, "must name a skill");
        } else if (k == "customer_attribute") {
          bool has_value = false;
          for_each_key(w, ws, [&](const std::string& a, const json& av, const std::string& as) {
            if (a == "key") {
              rule.attribute_key = parse_string(av, as);
              if (rule.attribute_key.empty()) bad(as, "must name an attribute");
            } else if (a == "value") {
              rule.attribute_value = attribute_value_text(av, as);
              has_value = true;
            } else
              return false;
            return true;
          });
          if (rule.attribute_key.empty() || !has_value) bad(ws, "needs key and value");
        } else
          return false;
        return true;
      });
      if (matches != 1)
        bad(sub, "needs exactly one of channel_instance, skill, customer_attribute");
    } else
      return false;
    return true;
  });
  if (rule.team.empty()) bad(path + ".team", "is required");
  if (matches == 0) bad(path + ".when", "is required");
  return rule;
}

void parse_tier(const json& j, const std::string& path, TierPolicy& tier) {
  for_each_key(j, path, [&](const std::string& key, const json& v, const std::string& sub) {
    if (key == "calendar")
      tier.calendar = parse_string(v, sub);
    else if (key == "dedicated_group")
      tier.dedicated_group = parse_bool(v, sub);
    else if (key == "named_manager")
      tier.named_manager = parse_bool(v, sub);
    else if (key == "preferred_wait")
      tier.preferred_wait_ms = parse_wall_duration(v, sub);
    else
      return false;
    return true;
  });
}

}  // namespace

Policy parse_policy(const json& table) {
  Policy p = Policy::defaults();
  const std::string root = "routing";
  for_each_key(table, root, [&](const std::string& key, const json& v, const std::string& sub) {
    if (key == "sla")
      parse_sla(v, sub, p.sla);
    else if (key == "calendars") {
      for_each_key(v, sub, [&](const std::string& name, const json& cv, const std::string& cs) {
        p.calendars.insert_or_assign(name, parse_calendar(name, cv, cs));
        return true;
      });
    } else if (key == "tiers") {
      for_each_key(v, sub, [&](const std::string& name, const json& tv, const std::string& ts) {
        const auto tier = tier_from_string(name);
        if (!tier) return false;
        parse_tier(tv, ts, p.tiers[static_cast<int>(*tier)]);
        return true;
      });
    } else if (key == "bullseye") {
      if (!v.is_array()) bad(sub, "must be a list of {after, level_drop} steps");
      p.bullseye.clear();
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string ip = sub + "[" + std::to_string(i) + "]";
        BullseyeStep step;
        for_each_key(v[i], ip, [&](const std::string& k, const json& sv, const std::string& ss) {
          if (k == "after")
            step.after_ms = parse_wall_duration(sv, ss);
          else if (k == "level_drop")
            step.level_drop = static_cast<int>(parse_int(sv, ss, 0, 4));
          else
            return false;
          return true;
        });
        if (!p.bullseye.empty() && step.after_ms <= p.bullseye.back().after_ms)
          bad(ip + ".after", "steps must be in increasing order of wait");
        p.bullseye.push_back(step);
      }
    } else if (key == "team_rules") {
      if (!v.is_array()) bad(sub, "must be a list of {team, when} rules");
      for (std::size_t i = 0; i < v.size(); ++i)
        p.team_rules.push_back(parse_team_rule(v[i], sub + "[" + std::to_string(i) + "]"));
    } else if (key == "teams") {
      for_each_key(v, sub, [&](const std::string& name, const json& tv, const std::string& ts) {
        TeamPolicy team;
        for_each_key(tv, ts, [&](const std::string& k, const json& x, const std::string& s) {
          if (k == "overflow_after")
            team.overflow_after_ms = parse_wall_duration(x, s);
          else if (k == "overflow_to") {
            if (!x.is_array()) bad(s, "must be a list of team names");
            for (std::size_t i = 0; i < x.size(); ++i)
              team.overflow_to.push_back(parse_string(x[i], s + "[" + std::to_string(i) + "]"));
          } else
            return false;
          return true;
        });
        p.teams[name] = team;
        return true;
      });
    } else if (key == "selection") {
      const auto s = parse_string(v, sub);
      if (s == "least_occupied")
        p.selection = Selection::least_occupied;
      else if (s == "longest_idle")
        p.selection = Selection::longest_idle;
      else if (s == "round_robin")
        p.selection = Selection::round_robin;
      else if (s == "most_skilled")
        p.selection = Selection::most_skilled;
      else
        bad(sub,
            "\"" + s + "\" is not one of least_occupied, longest_idle, round_robin, most_skilled");
    } else if (key == "ageing") {
      for_each_key(v, sub, [&](const std::string& k, const json& x, const std::string& s) {
        if (k == "enabled")
          p.ageing.enabled = parse_bool(x, s);
        else if (k == "step")
          p.ageing.step_ms = parse_wall_duration(x, s);
        else if (k == "max_bands")
          p.ageing.max_bands = static_cast<int>(parse_int(x, s, 0, 15));
        else
          return false;
        return true;
      });
    } else if (key == "sticky") {
      for_each_key(v, sub, [&](const std::string& k, const json& x, const std::string& s) {
        if (k == "enabled")
          p.sticky.enabled = parse_bool(x, s);
        else if (k == "wait")
          p.sticky.wait_ms = parse_wall_duration(x, s);
        else
          return false;
        return true;
      });
    } else if (key == "capacity") {
      // `total` and `default` are the two settings; every other key is a channel kind.
      for_each_key(v, sub, [&](const std::string& k, const json& x, const std::string& s) {
        if (k == "total")
          p.capacity.total = static_cast<int>(parse_int(x, s, 1, 1000));
        else if (k == "default")
          p.capacity.other_kinds = static_cast<int>(parse_int(x, s, 0, 1000));
        else if (k.empty())
          bad(s, "a channel kind needs a name");
        else
          p.capacity.per_kind[ChannelKind(k)] = static_cast<int>(parse_int(x, s, 0, 1000));
        return true;
      });
    } else if (key == "live_kinds") {
      if (!v.is_array()) bad(sub, "must be a list of channel kinds, like [\"webchat\", \"voice\"]");
      p.live_kinds.clear();
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string ip = sub + "[" + std::to_string(i) + "]";
        const auto kind = parse_string(v[i], ip);
        if (kind.empty()) bad(ip, "a channel kind needs a name");
        p.live_kinds.insert(ChannelKind(kind));
      }
    } else if (key == "voice_blocks_chat")
      p.voice_blocks_chat = parse_bool(v, sub);
    else if (key == "manual_pick")
      p.manual_pick = parse_bool(v, sub);
    else if (key == "reservation_timeout_s")
      p.reservation_timeout_ms = parse_int(v, sub, 0, 3600) * kSecondMs;
    else if (key == "wrap_up") {
      // Keys are channel kinds; the kinds it does not name keep their default (voice 30 s).
      for_each_key(v, sub, [&](const std::string& k, const json& x, const std::string& s) {
        if (k.empty()) bad(s, "a channel kind needs a name");
        p.wrap_up_ms[ChannelKind(k)] = parse_int(x, s, 0, 3600) * kSecondMs;
        return true;
      });
    } else
      return false;
    return true;
  });
  for (int t = 0; t < kTierCount; ++t)
    if (!p.calendars.count(p.tiers[t].calendar))
      bad(root + ".tiers." + to_string(static_cast<Tier>(t)) + ".calendar",
          "no calendar named \"" + p.tiers[t].calendar + "\" in routing.calendars");
  for (const auto& [name, team] : p.teams)
    for (const auto& target : team.overflow_to)
      if (target == name)
        bad(root + ".teams." + name + ".overflow_to", "a team cannot overflow to itself");
  return p;
}

Policy parse_policy_json(std::string_view json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number too large for a double (406).
    throw PolicyError(std::string("routing: not valid JSON: ") + e.what());
  }
  return parse_policy(j);
}

}  // namespace omnigate::routing
