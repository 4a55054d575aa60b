// What the agents' workspace keeps beside conversations (docs/api.md "Internal notes",
// "Preferences", "Canned responses", "Merging conversations"): notes agents leave for each
// other, each user's language and time zone, the texts agents insert into replies, and the
// merge of two conversations of one customer.
#pragma once

#include "store/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace omnigate::store {

// An internal note: a transcript event ("note.added"), never sent to the customer. Its id is
// the event's id.
struct Note {
  Id id = 0;
  Id conversation_id = 0;
  std::string author;  // user name
  std::string body;
  UnixMs created_at = 0;
};

// A user's console settings; unset = the console's default (language) or the browser's zone.
struct UserPreferences {
  std::optional<std::string> language;   // "en" | "zh-CN"
  std::optional<std::string> time_zone;  // an IANA name the system tz database knows
};

struct CannedResponse {
  Id id = 0;  // 0: a new one (save_canned_response)
  std::string shortcut, title, body;
  std::optional<std::string> language;  // unset: any language
  std::optional<std::string> team;      // unset: every team
  std::string updated_by;               // user name
  UnixMs updated_at = 0;
};

struct CannedResponseFilter {
  // Case-insensitive (ASCII) substring of the shortcut, title or body; "" = any.
  std::string text;
  // This language's and the language-neutral ones; unset = every language.
  std::optional<std::string> language;
  // This team's and everyone's; unset = every team's.
  std::optional<std::string> team;
};

// `from` joins `into`: both conversations of one customer. `from` is resolved (when still open)
// with the reason "merged into #<into>"; its messages stay where they are.
struct ConversationMerge {
  Id into = 0;
  Id from = 0;
  std::string actor;  // "user:sue"
  UnixMs at = 0;
};

// What merge_conversations did: whether `from` was open (and so resolved by the merge).
struct ConversationMergeResult {
  bool resolved_from = false;
};

// A transcript event the event stream relays (note.added, message.sent, delivery.*).
struct ActivityEvent {
  Event event;
  Id message_id = 0;  // message.sent and delivery.*: the outbound message (0 when unknown)
};

}  // namespace omnigate::store
