// Value types shared by the routing engine's API: tiers, channel kinds, presence, ids.
// Pure data; no I/O. Times are Unix milliseconds (UTC) supplied by the caller (injected clock).
#pragma once

#include <compare>
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

// A channel kind: the `channel_kind` a channel plugin declares ("sms", "email", "echo", ...).
// Any non-empty name is routable: the engine budgets capacity per name (the policy's
// `capacity.<kind>`, else `capacity.default`), so a new plugin needs no change here.
class ChannelKind {
 public:
  ChannelKind() = default;  // empty: not a kind (enqueue refuses it)
  ChannelKind(std::string name) : name_(std::move(name)) {}  // NOLINT: a name is a kind
  ChannelKind(const char* name) : name_(name) {}             // NOLINT
  ChannelKind(std::string_view name) : name_(name) {}        // NOLINT

  const std::string& name() const { return name_; }
  bool empty() const { return name_.empty(); }
  friend bool operator==(const ChannelKind&, const ChannelKind&) = default;
  friend auto operator<=>(const ChannelKind&, const ChannelKind&) = default;

  // The kinds of the bundled plugins, which the policy's defaults name.
  static const ChannelKind sms, email, webchat, voice;

 private:
  std::string name_;
};
inline const ChannelKind ChannelKind::sms{"sms"};
inline const ChannelKind ChannelKind::email{"email"};
inline const ChannelKind ChannelKind::webchat{"webchat"};
inline const ChannelKind ChannelKind::voice{"voice"};
inline const std::string& to_string(const ChannelKind& k) {
  return k.name();
}

// online: receives offers. busy/away: keeps its conversations, receives nothing new.
// offline: receives nothing and its conversations of live kinds (policy `live_kinds`: webchat,
// voice) are re-queued.
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
