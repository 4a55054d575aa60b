// Value types shared by the routing engine's API: tiers, channel kinds, presence, ids.
// Pure data; no I/O. Times are Unix milliseconds (UTC) supplied by the caller (injected clock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace omnigate::routing {

using UnixMs = std::int64_t;
using ConversationId = std::int64_t;
using AgentId = std::string;  // the gateway's agent login name, e.g. "alice"

// Customer tiers, best first (S = strategic, A = core, B = key development, C = standard).
enum class Tier { S, A, B, C };
inline constexpr int kTierCount = 4;
const char* to_string(Tier t);
std::optional<Tier> tier_from_string(std::string_view s);

// Channel kinds the engine budgets capacity for. webchat and voice need live handling:
// they are re-queued when their agent goes offline.
enum class ChannelKind { sms, email, webchat, voice };
inline constexpr int kChannelKindCount = 4;
const char* to_string(ChannelKind k);
std::optional<ChannelKind> channel_kind_from_string(std::string_view s);
bool needs_live_handling(ChannelKind k);

// online: receives offers. busy/away: keeps its conversations, receives nothing new.
// offline: receives nothing and its live (webchat/voice) conversations are re-queued.
enum class Presence { online, busy, away, offline };
const char* to_string(Presence p);
std::optional<Presence> presence_from_string(std::string_view s);

// Priority 1 (P1, urgent) .. 4 (P4, enquiry).
inline constexpr int kPriorityCount = 4;

struct SkillRequirement {
  std::string skill;
  int min_level = 1;  // 1..5
};

struct Skill {
  std::string skill;
  int level = 1;  // proficiency 1..5
};

// Outcome of an operation that can be refused because of the engine's state or bad input.
// `error` says why in words an operator understands.
struct Status {
  bool ok = true;
  std::string error;
  static Status success() { return {}; }
  static Status failure(std::string why) { return {false, std::move(why)}; }
  explicit operator bool() const { return ok; }
};

}  // namespace omnigate::routing
