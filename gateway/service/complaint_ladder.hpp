// The handbooks' complaint ladder as a pure state machine (docs/service-processes.md): every
// function takes `now` and returns the steps it took; nothing here reads a clock, the store or
// the network, so each rule is unit-tested on its own.
//
// Level 1: the account manager is notified at once and must contact the customer within the
//          contact window (1 h). Missed → level 2.
// Level 2: the service director must commit to a fix within the director window (4 h); the fix
//          is due at most fix_due_ms (24 h) after level 2 began. A missed window or fix → level 3.
// Level 3: a responsible executive must be assigned within the executive window (24 h); the
//          complaint closes only with a report.
// A major complaint runs 7×24 and must be closed within major_close_ms (24 h) of filing; a breach
// takes it to level 3 at once.
#pragma once

#include "store/model.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace omnigate::service {

using store::UnixMs;

struct LadderWindows {
  std::int64_t contact_ms = 3'600'000;           // level 1: account manager contacts the customer
  std::int64_t director_ms = 4 * 3'600'000;      // level 2: service director commits to a fix
  std::int64_t fix_due_ms = 24 * 3'600'000;      // level 2: the committed fix, from level 2's start
  std::int64_t executive_ms = 24 * 3'600'000;    // level 3: an executive takes it
  std::int64_t major_close_ms = 24 * 3'600'000;  // major complaints close within this of filing
};

// Where a window of `ms` service time starting at `from` ends: a normal complaint's business
// calendar, or plain addition for a major one (7×24).
using DeadlineFn = std::function<UnixMs(UnixMs from, std::int64_t ms)>;

// Who a level's role reaches: an agent ("agent:<id>"), a named person ("person:<name>"), or the
// bare role ("role:<role>") when the customer's group has nobody in it.
using Resolver = std::function<std::string(const std::string& role)>;

struct LevelRecord {
  int level = 1;
  std::string role;      // account_manager | service_director | executive
  std::string notified;  // Resolver's answer for role, when the level began
  UnixMs started_at = 0;
  UnixMs window_due = 0;          // contact / commitment / executive assignment due
  std::optional<UnixMs> done_at;  // when that happened
  std::string done_by;            // the actor who recorded it
  bool in_time = false;           // done_at <= window_due
  bool missed = false;            // the window (or the committed fix) passed first
  // Level 2: the committed fix. Level 3: the executive assigned.
  std::string commitment;
  std::optional<UnixMs> fix_due;
  std::string executive;
};

struct Complaint {
  store::Id id = 0;
  store::Id conversation_id = 0;
  store::Id customer_id = 0;
  UnixMs filed_at = 0;
  std::string filed_by;  // actor
  std::string complainant, channel, matter, contact;
  bool major = false;
  bool open = true;
  int level = 1;
  std::vector<LevelRecord> levels;  // one per level reached, in order
  std::optional<UnixMs> close_due;  // major complaints only
  bool close_breached = false;
  std::optional<UnixMs> closed_at;
  std::string closed_by, report;

  LevelRecord& current() { return levels.back(); }
  const LevelRecord& current() const { return levels.back(); }
};

// One thing the ladder did: a transcript event "complaint.<kind>" and, when `notify` is set, a
// notification to `notified` on the event stream.
struct Step {
  std::string kind;  // filed, level_started, contact_recorded, commitment_recorded,
                     // executive_assigned, window_missed, close_breached, closed
  int level = 1;
  std::string role;
  std::string notified;  // for notify: who
  UnixMs at = 0;
  UnixMs due_at = 0;  // the window in question (0 = none)
  std::string actor;
  std::string detail;  // in words
  bool notify = false;
};

struct StepResult {
  std::string error;  // "" = done; else why not (nothing changed)
  std::vector<Step> steps;
};

const char* level_role(int level);  // 1 account_manager, 2 service_director, 3 executive

struct Filing {
  store::Id conversation_id = 0, customer_id = 0;
  std::string complainant, channel, matter, contact;
  bool major = false;
  std::string actor;
};

// A new complaint at level 1, its account manager notified at once.
Complaint file_complaint(const Filing& filing, UnixMs now, const LadderWindows& w,
                         const DeadlineFn& deadline, const Resolver& resolve,
                         std::vector<Step>& steps);

// Every window that has passed by `now` (in order: a late tick catches up level by level).
std::vector<Step> advance(Complaint& c, UnixMs now, const LadderWindows& w,
                          const DeadlineFn& deadline, const Resolver& resolve);

// Level 1: the account manager reached the customer.
StepResult record_contact(Complaint& c, const std::string& actor, UnixMs now);
// The customer is not satisfied: on to the next level now (levels 1 and 2).
StepResult escalate(Complaint& c, const std::string& actor, const std::string& reason, UnixMs now,
                    const LadderWindows& w, const DeadlineFn& deadline, const Resolver& resolve);
// Level 2: the service director's fix commitment; fix_due unset = the latest allowed.
StepResult record_commitment(Complaint& c, const std::string& actor, const std::string& text,
                             std::optional<UnixMs> fix_due, UnixMs now, const LadderWindows& w);
// Level 3: the responsible executive.
StepResult assign_executive(Complaint& c, const std::string& actor, const std::string& executive,
                            UnixMs now);
// Closes it; level 3 needs an assigned executive and a report.
StepResult close_complaint(Complaint& c, const std::string& actor, const std::string& report,
                           UnixMs now);

// The earliest instant advance() would change something (unset = nothing pending).
std::optional<UnixMs> next_due(const Complaint& c);

}  // namespace omnigate::service
