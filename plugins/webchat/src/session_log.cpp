#include "session_log.hpp"

#include "json_text.hpp"
#include "visitor_token.hpp"

namespace omnigate::webchat {
namespace {

using nlohmann::json;

std::string state_key(const std::string& session) {
  return "s/" + session;
}

std::string to_text(const SessionState& s) {
  return json_text(json{{"epoch", s.epoch},
                        {"next", s.next_seq},
                        {"oldest", s.oldest_seq},
                        {"conv", s.conversation_id},
                        {"kind", s.from_kind},
                        {"addr", s.from_address},
                        {"name", s.name},
                        {"email", s.email},
                        {"topic", s.topic},
                        {"read", s.read_seq},
                        {"unread", s.unread_agent_seqs},
                        {"resolved", s.resolved_seq},
                        {"rated", s.rated_seq},
                        {"transcript_at", s.transcript_sent_at_ms}});
}

SessionState from_text(const std::string& text) {
  const json j = json::parse(text);
  SessionState s;
  s.epoch = j.at("epoch").get<std::string>();
  s.next_seq = j.at("next").get<std::uint64_t>();
  s.oldest_seq = j.at("oldest").get<std::uint64_t>();
  s.conversation_id = j.value("conv", std::int64_t{0});
  s.from_kind = j.value("kind", "");
  s.from_address = j.value("addr", "");
  s.name = j.value("name", "");
  s.email = j.value("email", "");
  s.topic = j.value("topic", "");
  s.read_seq = j.value("read", std::uint64_t{0});
  s.unread_agent_seqs = j.value("unread", std::vector<std::uint64_t>{});
  s.resolved_seq = j.value("resolved", std::uint64_t{0});
  s.rated_seq = j.value("rated", std::uint64_t{0});
  s.transcript_sent_at_ms = j.value("transcript_at", std::int64_t{0});
  return s;
}

}  // namespace

SessionLog::SessionLog(Host& host, std::uint64_t replay_limit)
    : host_(host), replay_limit_(replay_limit) {}

std::string SessionLog::entry_key(const std::string& session, std::uint64_t seq) {
  return "e/" + session + "/" + std::to_string(seq);
}

SessionState* SessionLog::find(const std::string& session) {
  if (auto it = cache_.find(session); it != cache_.end()) return &it->second;
  auto stored = host_.kv_get(state_key(session));
  if (!stored) return nullptr;
  SessionState state;
  try {
    state = from_text(*stored);
  } catch (const std::exception& e) {
    // A state we cannot read is a session we cannot continue: start a new epoch rather than
    // hand out numbers that may repeat.
    host_.error("session " + session + ": stored state unreadable (" + e.what() +
                "); starting a new log");
    return nullptr;
  }
  // A crash can leave entries durable whose state write was not: they are shown already
  // (or about to be), so their numbers are taken.
  while (host_.kv_get(entry_key(session, state.next_seq))) ++state.next_seq;
  state.visible_seq = state.next_seq - 1;
  return &cache_.emplace(session, std::move(state)).first->second;
}

std::optional<std::uint64_t> SessionLog::recorded(const std::string& key,
                                                  const std::string& session,
                                                  std::string_view entry_id) const {
  auto value = host_.kv_get(key);
  if (!value) return std::nullopt;
  std::uint64_t seq = 0;
  try {
    seq = std::stoull(value->substr(value->find(' ') + 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  // The key is written before its entry: trust it only once the entry is there too.
  auto text = entry(session, seq);
  if (!text) return std::nullopt;
  const json e = json::parse(*text, nullptr, false);
  if (!e.is_object() || e.value("id", "") != entry_id) return std::nullopt;
  return seq;
}

SessionState& SessionLog::create(const std::string& session, SessionState initial) {
  initial.epoch = random_hex(8);
  initial.next_seq = 1;
  initial.oldest_seq = 1;
  auto& state = cache_.insert_or_assign(session, std::move(initial)).first->second;
  save(session);
  return state;
}

void SessionLog::release(const std::string& session) {
  auto it = cache_.find(session);
  if (it != cache_.end() && it->second.pending_writes == 0) cache_.erase(it);
}

void SessionLog::save(const std::string& session) {
  auto it = cache_.find(session);
  if (it != cache_.end()) host_.kv_put(state_key(session), to_text(it->second));
}

void SessionLog::append(const std::string& session, json entry,
                        const std::vector<std::pair<std::string, std::string>>& extra,
                        std::function<void(bool ok, const std::string& entry_text)> durable) {
  SessionState& state = cache_.at(session);
  const std::uint64_t seq = state.next_seq++;
  entry["seq"] = seq;
  std::string text = json_text(entry);
  // Keys first, the entry next, the state last: kv writes become durable in this order, so a
  // crash leaves at worst keys without their entry (recorded() ignores them) or an entry
  // without its state (find() counts it).
  for (const auto& [key, value] : extra) host_.kv_put(key, value);
  host_.kv_put(entry_key(session, seq), text);
  while (state.next_seq - state.oldest_seq > replay_limit_)
    host_.kv_delete(entry_key(session, state.oldest_seq++));
  // kv writes become durable in call order: the state's completion covers the ones before it.
  ++state.pending_writes;
  host_.kv_put(state_key(session), to_text(state),
               [this, session, seq, text, durable = std::move(durable)](og_status status) {
                 auto it = cache_.find(session);
                 if (it != cache_.end()) {
                   --it->second.pending_writes;
                   // Completions come in call order, so this is the newest durable entry.
                   if (status == OG_OK) it->second.visible_seq = seq;
                 }
                 durable(status == OG_OK, text);
               });
}

std::optional<std::string> SessionLog::entry(const std::string& session, std::uint64_t seq) const {
  return host_.kv_get(entry_key(session, seq));
}

}  // namespace omnigate::webchat
