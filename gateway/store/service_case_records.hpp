// After-sales service cases (DOMAIN.md "After-sales"; docs/service-processes.md): a conversation
// may carry one case that moves through the handbook's stages, each with a response target.
#pragma once

#include "store/model.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace omnigate::store {

// The handbook's stages, in order. A case moves forward only (stages that do not apply, such as
// an on-site appointment, may be skipped); `closed` is the last.
inline constexpr std::array<std::string_view, 10> kCaseStages{
    "received",    "recorded", "classified", "solution_proposed", "confirmed",
    "appointment", "accepted", "settled",    "follow_up",         "closed"};

// The stage's position in kCaseStages, or nullopt for an unknown name.
std::optional<int> case_stage_index(std::string_view stage);

struct ServiceCase {
  Id id = 0;
  Id conversation_id = 0;
  std::string stage;
  UnixMs stage_since = 0;
  std::optional<UnixMs> stage_due_at;  // the stage's response target (none once closed)
  std::optional<UnixMs> overdue_at;    // the current stage's target passed (flagged once)
  UnixMs opened_at = 0;
  std::string opened_by;
};

// One stage a case was in: when it entered, its target, when and by whom it moved on.
struct CaseStage {
  std::string stage;
  UnixMs entered_at = 0;
  std::string entered_by;
  std::string note;
  std::optional<UnixMs> due_at;
  std::optional<UnixMs> left_at;
};

// A new case on a conversation (stage "received"), or a move of one to a later stage.
struct CaseStageMove {
  Id case_id = 0;          // 0: open a case on conversation_id
  Id conversation_id = 0;  // opening only
  std::string stage;
  std::string note;
  std::string actor;
  UnixMs at = 0;
  std::optional<UnixMs> due_at;  // the new stage's target; nullopt for closed
};

struct ServiceCaseFilter {
  std::optional<bool> open;   // not closed / closed
  bool overdue_only = false;  // the current stage's target has passed (as of `now`)
  UnixMs now = 0;
  int limit = 100;
};

// How a stage went for the cases that entered it in a period.
struct CaseStageFigure {
  std::string stage;
  int entered = 0;
  int left_in_time = 0;  // moved on by the stage's target
  int left_late = 0;     // moved on after it
  int open_overdue = 0;  // still in the stage, target passed
  double avg_hours = 0;  // time spent in the stage, over those that left it
};

}  // namespace omnigate::store
