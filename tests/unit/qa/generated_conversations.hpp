// A store of generated conversations whose sampling facts are known in advance: each one's
// agent, channel, tier, priority, SLA events, escalations, transfers, handle time and message
// text follow from its number alone, and the expectations below are computed from the same
// rules, not from the store's queries. Near misses (an SLA warning, a notified escalation, a
// keyword split by a space) sit beside the real cases so a loose query would be caught.
#pragma once

#include "store/qa_records.hpp"

#include <string>
#include <vector>

namespace omnigate::qa::test {

inline constexpr int kAgents = 12;  // agent0 .. agent11, teams alpha/beta/gamma in turn
inline constexpr std::int64_t kDayMs = 86'400'000;
inline constexpr std::int64_t kEpoch = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
inline constexpr std::int64_t kLongHandleMs = 3'600'000;
inline constexpr const char* kKeyword = "refund";

// What conversation number i (1-based) is.
struct GeneratedFacts {
  std::string agent;  // "" for one in 20: nobody held it
  std::string team;
  std::string channel;  // sms, email, webchat, voice
  std::string tier;     // A, B, C
  int priority = 4;
  std::int64_t created_at = 0;  // spread over 60 days from kEpoch
  bool sla_breached = false;
  bool escalated = false;
  bool transferred = false;
  std::optional<std::int64_t> handle_ms;  // set when resolved
  bool keyword_hit = false;
  std::optional<int> csat;  // the customer's rating 1..5, for one in 6
};
GeneratedFacts generated_facts(std::int64_t i);

// Writes `count` conversations (ids 1..count) with their messages, events, agents and one
// customer into the migrated database at `path`, in one transaction.
void generate_conversations(const std::string& path, std::int64_t count);

// The ids of 1..count that `filter` should select, by the rules above.
std::vector<std::int64_t> expected_ids(const store::QaConversationFilter& filter,
                                       std::int64_t count);

}  // namespace omnigate::qa::test
