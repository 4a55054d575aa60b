#include "service/complaint_ladder.hpp"

#include <algorithm>

namespace omnigate::service {
namespace {

std::int64_t window_of(int level, const LadderWindows& w) {
  return level == 1 ? w.contact_ms : level == 2 ? w.director_ms : w.executive_ms;
}

const char* window_task(int level) {
  return level == 1 ? "contact the customer" : level == 2 ? "commit to a fix" : "take it over";
}

// Level `level` begins at `at`: its role is notified with its window.
void start_level(Complaint& c, int level, UnixMs at, const std::string& why, const LadderWindows& w,
                 const DeadlineFn& deadline, const Resolver& resolve, std::vector<Step>& steps) {
  LevelRecord l;
  l.level = level;
  l.role = level_role(level);
  l.notified = resolve(l.role);
  l.started_at = at;
  l.window_due = deadline(at, window_of(level, w));
  c.level = level;
  c.levels.push_back(l);
  steps.push_back({"level_started", level, l.role, l.notified, at, l.window_due, "system",
                   "level " + std::to_string(level) + ": " + l.role + " to " + window_task(level) +
                       " (" + why + ")",
                   true});
}

Step missed(const Complaint& c, const LevelRecord& l, UnixMs due, const std::string& what) {
  return {"window_missed",
          l.level,
          l.role,
          l.notified,
          due,
          due,
          "system",
          what + " missed at level " + std::to_string(l.level) +
              (c.level < 3 ? ": escalated" : ": nothing above level 3, still open"),
          true};
}

StepResult refuse(std::string why) {
  return {std::move(why), {}};
}

}  // namespace

const char* level_role(int level) {
  return level == 1 ? "account_manager" : level == 2 ? "service_director" : "executive";
}

Complaint file_complaint(const Filing& f, UnixMs now, const LadderWindows& w,
                         const DeadlineFn& deadline, const Resolver& resolve,
                         std::vector<Step>& steps) {
  Complaint c;
  c.conversation_id = f.conversation_id;
  c.customer_id = f.customer_id;
  c.filed_at = now;
  c.filed_by = f.actor;
  c.complainant = f.complainant;
  c.channel = f.channel;
  c.matter = f.matter;
  c.contact = f.contact;
  c.major = f.major;
  if (c.major) c.close_due = now + w.major_close_ms;
  steps.push_back({"filed", 1, "", "", now, c.close_due.value_or(0), f.actor,
                   std::string(c.major ? "major" : "normal") + " complaint: " + f.matter, false});
  start_level(c, 1, now, "complaint filed", w, deadline, resolve, steps);
  return c;
}

std::vector<Step> advance(Complaint& c, UnixMs now, const LadderWindows& w,
                          const DeadlineFn& deadline, const Resolver& resolve) {
  std::vector<Step> steps;
  // Each pass settles the earliest lapse; a level begun by a lapse starts at the lapse's time,
  // so a tick that comes late produces the same record as one on time.
  while (c.open) {
    auto& l = c.current();
    const bool breach_due = c.close_due && !c.close_breached && now >= *c.close_due;
    std::optional<UnixMs> lapse;
    std::string what;
    if (!l.done_at && !l.missed && now >= l.window_due) {
      lapse = l.window_due;
      what = std::string("window to ") + window_task(l.level);
    } else if (l.level == 2 && l.fix_due && !l.missed && now >= *l.fix_due) {
      lapse = *l.fix_due;
      what = "committed fix";
    }
    if (breach_due && (!lapse || *c.close_due <= *lapse)) {
      c.close_breached = true;
      steps.push_back({"close_breached", c.level, l.role, l.notified, *c.close_due, *c.close_due,
                       "system", "major complaint not closed within its 24×7 limit", true});
      if (c.level < 3) {
        l.missed = l.missed || !l.done_at;
        start_level(c, 3, *c.close_due, "major complaint breached its close limit", w, deadline,
                    resolve, steps);
      }
      continue;
    }
    if (!lapse) break;
    l.missed = true;
    steps.push_back(missed(c, l, *lapse, what));
    if (c.level < 3)
      start_level(c, c.level + 1, *lapse, what + " missed", w, deadline, resolve, steps);
  }
  return steps;
}

StepResult record_contact(Complaint& c, const std::string& actor, UnixMs now) {
  if (!c.open) return refuse("the complaint is closed");
  auto& l = c.current();
  if (l.level != 1)
    return refuse("contact is recorded at level 1; the complaint is at level " +
                  std::to_string(l.level));
  if (l.done_at) return refuse("contact was already recorded");
  l.done_at = now;
  l.done_by = actor;
  l.in_time = now <= l.window_due;
  return {"",
          {{"contact_recorded", 1, l.role, l.notified, now, l.window_due, actor,
            l.in_time ? "customer contacted in time" : "customer contacted late", false}}};
}

StepResult escalate(Complaint& c, const std::string& actor, const std::string& reason, UnixMs now,
                    const LadderWindows& w, const DeadlineFn& deadline, const Resolver& resolve) {
  if (!c.open) return refuse("the complaint is closed");
  if (c.level >= 3) return refuse("the complaint is at level 3 already");
  StepResult r;
  r.steps.push_back({"escalated", c.level, c.current().role, "", now, 0, actor,
                     "customer not satisfied: " + reason, false});
  start_level(c, c.level + 1, now, "escalated by " + actor, w, deadline, resolve, r.steps);
  return r;
}

StepResult record_commitment(Complaint& c, const std::string& actor, const std::string& text,
                             std::optional<UnixMs> fix_due, UnixMs now, const LadderWindows& w) {
  if (!c.open) return refuse("the complaint is closed");
  auto& l = c.current();
  if (l.level != 2)
    return refuse("a fix commitment is recorded at level 2; the complaint is at level " +
                  std::to_string(l.level));
  if (l.done_at) return refuse("a fix commitment was already recorded");
  const UnixMs latest = l.started_at + w.fix_due_ms;
  if (fix_due && (*fix_due > latest || *fix_due < now))
    return refuse("fix_due must lie between now and " + std::to_string(latest));
  l.done_at = now;
  l.done_by = actor;
  l.in_time = now <= l.window_due;
  l.commitment = text;
  l.fix_due = fix_due.value_or(latest);
  return {"",
          {{"commitment_recorded", 2, l.role, l.notified, now, *l.fix_due, actor,
            "fix committed: " + text, false}}};
}

StepResult assign_executive(Complaint& c, const std::string& actor, const std::string& executive,
                            UnixMs now) {
  if (!c.open) return refuse("the complaint is closed");
  auto& l = c.current();
  if (l.level != 3)
    return refuse("an executive is assigned at level 3; the complaint is at level " +
                  std::to_string(l.level));
  if (l.done_at) return refuse("an executive was already assigned");
  l.done_at = now;
  l.done_by = actor;
  l.in_time = now <= l.window_due;
  l.executive = executive;
  return {"",
          {{"executive_assigned", 3, l.role, executive, now, l.window_due, actor,
            "responsible executive: " + executive, true}}};
}

StepResult close_complaint(Complaint& c, const std::string& actor, const std::string& report,
                           UnixMs now) {
  if (!c.open) return refuse("the complaint is closed");
  const auto& l = c.current();
  if (l.level == 3 && !l.done_at)
    return refuse("level 3 closes only once an executive is assigned");
  if (l.level == 3 && report.empty()) return refuse("level 3 closes only with a report");
  c.open = false;
  c.closed_at = now;
  c.closed_by = actor;
  c.report = report;
  const bool late = c.close_due && now > *c.close_due;
  return {"",
          {{"closed", c.level, l.role, "", now, c.close_due.value_or(0), actor,
            late ? "closed after its close limit" : "closed", false}}};
}

std::optional<UnixMs> next_due(const Complaint& c) {
  if (!c.open) return std::nullopt;
  std::optional<UnixMs> due;
  auto consider = [&due](UnixMs t) { due = due ? std::min(*due, t) : t; };
  const auto& l = c.current();
  if (!l.done_at && !l.missed) consider(l.window_due);
  if (l.level == 2 && l.fix_due && !l.missed) consider(*l.fix_due);
  if (c.close_due && !c.close_breached) consider(*c.close_due);
  return due;
}

}  // namespace omnigate::service
