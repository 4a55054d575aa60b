// Each visitor session's durable log: everything the visitor should see (their messages, the
// agents' replies, "agent joined", "resolved"), numbered 1, 2, 3 … per session, kept in the
// instance's key/value store. Resume replays it from there — after a dropped connection, a page
// reload or a gateway restart alike — so what a visitor receives never depends on memory. The
// log's epoch names this numbering: a client holding another epoch's numbers starts over.
//
// A number becomes visible only once its entry is durable (append's `durable` callback), so a
// crash can never make the log hand out one number twice for different entries.
//
// kv layout (keys of one instance): "s/<session>" the session's state (SessionState as JSON),
// "e/<session>/<seq>" an entry (the server frame text), "c/<session>/<client id>" → seq of a
// visitor message, "o/<idempotency key>" → "<session> <seq>" of an agent reply,
// "f/<session>/<sha256 hex>" a file the session may read, and "x/<thread key>" the address an
// offline message is answered at. kv has no transactions over several keys: the order of the
// writes of one append (append()) is what keeps a crash from numbering an entry twice.
#pragma once

#include <omnigate/plugin.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace omnigate::webchat {

struct SessionState {
  std::string epoch;
  std::uint64_t next_seq = 1;        // what the next entry gets
  std::uint64_t oldest_seq = 1;      // the oldest entry still kept
  std::int64_t conversation_id = 0;  // learnt from the host (0 = not yet known)
  // The customer identity the session's messages are stored under (kind "webchat" and the
  // session id for anonymous visitors, the verified identity otherwise).
  std::string from_kind, from_address;
  std::string name, email, topic;  // from the pre-chat form (the e-mail is never an identity)
  std::uint64_t read_seq = 0;      // agent entries up to here were reported read
  std::vector<std::uint64_t> unread_agent_seqs;  // agent entries not yet reported read
  std::uint64_t resolved_seq = 0;                // the latest "resolved" event
  std::uint64_t rated_seq = 0;                   // the resolved_seq a CSAT answer was given for
  std::int64_t transcript_sent_at_ms = 0;        // rate limit of "e-mail me the transcript"

  // Not stored: entries up to visible_seq are durable (shown and replayed); appends not yet
  // durable keep the state in memory.
  std::uint64_t visible_seq = 0;
  int pending_writes = 0;
};

class SessionLog {
 public:
  // Keeps at most `replay_limit` entries per session (older ones are reported as a gap).
  SessionLog(Host& host, std::uint64_t replay_limit);

  // The session's state (from memory, else kv); nullopt for a session never created.
  SessionState* find(const std::string& session);
  // A new session's state with a fresh epoch, saved.
  SessionState& create(const std::string& session, SessionState initial);
  // Forget the in-memory copy (the session has no connection left); kv keeps it. Kept while
  // appends are on their way to the store.
  void release(const std::string& session);
  // Saves the state (after changing fields other than through append).
  void save(const std::string& session);

  // Appends `entry` (a server frame without "seq"), the extra key/values to write with it, and
  // the state. `durable` gets the entry as text with its seq and runs on the strand once all of
  // it is stored (false: the store failed; the number is then never shown), after visible_seq
  // has moved past it.
  void append(const std::string& session, nlohmann::json entry,
              const std::vector<std::pair<std::string, std::string>>& extra,
              std::function<void(bool ok, const std::string& entry_text)> durable);

  // The stored entry text, nullopt when not kept.
  std::optional<std::string> entry(const std::string& session, std::uint64_t seq) const;

  // The seq a dedupe key ("c/…" or "o/…") recorded for the entry with id `entry_id`; nullopt
  // when there is none or its entry never became durable.
  std::optional<std::uint64_t> recorded(const std::string& key, const std::string& session,
                                        std::string_view entry_id) const;

  // Plain kv access for the file and address keys above.
  std::optional<std::string> get(const std::string& key) const { return host_.kv_get(key); }
  void put(const std::string& key, const std::string& value) { host_.kv_put(key, value); }

  static std::string entry_key(const std::string& session, std::uint64_t seq);

 private:
  Host& host_;
  const std::uint64_t replay_limit_;
  std::map<std::string, SessionState> cache_;
};

}  // namespace omnigate::webchat
