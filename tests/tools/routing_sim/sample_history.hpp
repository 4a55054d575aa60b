// Writes a small gateway history of known shape into a real database through og_store, for
// the routing-sim replay test and the README's worked example.
#pragma once

#include <array>
#include <string>

#include "day.hpp"

namespace routing_sim::sample {

// Monday 2026-11-16, 08:00 to 12:00 UTC: the window the sample's contacts arrive in.
inline constexpr UnixMs kFrom = 1794787200000LL + 8 * 3600000LL;
inline constexpr UnixMs kTo = kFrom + 4 * 3600000LL;
inline constexpr int kContacts = 60;  // one every 4 minutes, tiers S:A:B:C = 1:2:3:4
inline constexpr std::array<int, 4> kPerTier = {6, 12, 18, 24};
inline constexpr UnixMs kHandleMs = 30 * 60000;  // assignment to resolution, every resolved one
inline constexpr UnixMs kReplyMs = 60000;        // first reply after assignment
inline constexpr UnixMs kAbandonAfterMs = 12 * 60000;
// The exceptions to "assigned after 2 minutes, answered, resolved after 30":
inline constexpr int kAbandoned = 5;       // webchat, closed unanswered after 12 minutes
inline constexpr int kOpenAtEnd = 58;      // email, assigned, never resolved
inline constexpr int kNeverAssigned = 59;  // webchat, still queued
inline constexpr UnixMs kBobOffline = kFrom + 3 * 3600000LL;  // bob logs off at 11:00

// Agents alice and bob (desk_north, every tier) and carol (key_accounts, S/A), each taking one
// email and one webchat at a time; 10 customers (even ones write e-mails, odd ones chat);
// kContacts contacts in the window and two after it; first contacts of every customer a week
// before.
void write_sample_history(const std::string& db_path, const std::string& attachments_dir);

}  // namespace routing_sim::sample
