// What the store keeps for quality review (docs/qa.md): the facts about a conversation that
// sampling filters on, samples with their items, versioned scorecards and reviews. The logic
// over them (drawing, scoring, calibration) is og_qa's; the store only selects and persists.
#pragma once

#include "store/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace omnigate::store {

// One conversation as sampling sees it. The agent is the one who holds it or last held it.
struct QaConversation {
  Id id = 0;
  std::string agent;  // "" when nobody ever held it
  std::string team;   // the agent's team
  std::string channel_kind;
  std::string tier;
  int priority = 4;
  UnixMs created_at = 0;
  std::optional<UnixMs> first_response_at;
  std::optional<UnixMs> first_response_due;
  std::optional<UnixMs> resolved_at;  // the first "conversation.resolved" event
  bool sla_breached = false;          // an sla.*_breach event
  bool escalated = false;             // an sla.escalation or sla.complaint_escalation event
  bool transferred = false;           // a conversation.transferred event
  bool keyword_hit = false;           // a message (subject or body) contains the filter's keyword
  bool low_csat = false;              // rated 1 or 2 (csat_records.hpp)
};

// Which conversations sampling may draw from. Every set field narrows; the targeted conditions
// (sla_breached ... keyword) select the conversations meeting ANY of those given, so one targeted
// sample gathers every reason for a second look.
struct QaConversationFilter {
  std::optional<UnixMs> from, to;  // created_at in [from, to)
  std::vector<std::string> agents, teams, channels, tiers;
  bool sla_breached = false;
  bool escalated = false;
  bool transferred = false;
  bool low_csat = false;                // the customer rated it 1 or 2
  std::optional<UnixMs> min_handle_ms;  // created → first resolution at least this long
  std::string keyword;                  // case-insensitive (ASCII) substring of subject or body
  bool targeted() const {
    return sla_breached || escalated || transferred || low_csat || min_handle_ms ||
           !keyword.empty();
  }
};

struct QaSampleItem {
  Id conversation_id = 0;
  std::string agent;
  std::string stratum;   // the stratum's value for a stratified sample, else ""
  std::string reviewer;  // user name; "" when no reviewer could be given (no self-review)
};

struct QaSample {
  Id id = 0;
  std::string name;
  std::string strategy_json;  // og_qa's strategy, as drawn
  std::string filter_json;    // the QaConversationFilter, as drawn
  std::int64_t seed = 0;      // 0 .. 2^53-1, so JSON clients read it exactly
  std::string created_by;
  UnixMs created_at = 0;
  std::vector<QaSampleItem> items;  // in draw order
};

// One version of a scorecard; a new version never changes the ones reviews already use.
struct QaScorecard {
  Id id = 0;
  std::string name;
  int version = 0;
  std::string definition_json;  // og_qa's Scorecard
  std::string created_by;
  UnixMs created_at = 0;
};

struct QaCriterionScore {
  std::string criterion;
  std::optional<int> score;  // nullopt: N/A
  std::string comment;
};

// submitted → acknowledged | disputed; disputed → dispute_upheld | dispute_rejected.
struct QaReview {
  Id id = 0;
  Id scorecard_id = 0;
  Id conversation_id = 0;
  std::optional<Id> sample_id;
  std::string reviewer;
  std::string agent;
  bool expert = false;  // the calibration reference for this conversation
  double overall = 0;   // percent, computed by og_qa from the scorecard's weights
  bool auto_failed = false;
  std::string comment;
  std::string state = "submitted";
  std::string dispute_reason;
  std::string resolution_note;
  std::string resolved_by;
  UnixMs created_at = 0;
  UnixMs updated_at = 0;
  std::vector<QaCriterionScore> scores;
};

struct QaReviewFilter {
  std::optional<Id> conversation_id, sample_id;
  std::string reviewer, agent, state;  // "" = any
  int limit = 200;
};

// A change of a review's state, applied only when the review is still in `from`; with scores
// (a dispute upheld with corrections) the scores and overall are replaced too.
struct QaReviewChange {
  Id review_id = 0;
  std::string from, to;
  std::string actor;
  std::string dispute_reason;   // to = disputed
  std::string resolution_note;  // to = dispute_*
  std::optional<std::vector<QaCriterionScore>> scores;
  double overall = 0;
  bool auto_failed = false;
  UnixMs at = 0;
};

}  // namespace omnigate::store
