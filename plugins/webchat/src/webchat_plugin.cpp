// The web-chat channel plugin: the widget a company embeds on its site, and the WebSocket
// sessions it talks over (protocol: plugins/webchat/README.md).
// In:  visitor frames on /ws (protocol.hpp), acknowledged once committed to the store and
//      written to the session's log (session_log.hpp); files over POST /uploads; the offline
//      form over POST /offline.
// Out: agents' replies and conversation notices become log entries, broadcast to every tab of
//      the session and replayed on resume.
#include "json_text.hpp"
#include "protocol.hpp"
#include "session_log.hpp"
#include "visitor_connections.hpp"
#include "visitor_http.hpp"
#include "visitor_token.hpp"
#include "webchat_config.hpp"

#include <omnigate/plugin.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>

namespace omnigate::webchat {
namespace {

using nlohmann::json;

constexpr std::uint32_t kSweepMs = 1000;
constexpr std::int64_t kTypingSignalEveryMs = 2000;
constexpr std::int64_t kTranscriptEveryMs = 60000;

// WebSocket close codes (RFC 6455 §7.4.1).
constexpr int kClosePolicy = 1008;
constexpr int kCloseTooBig = 1009;
constexpr int kCloseUnsupported = 1003;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "s:<session>" (a live chat) or "offline:<session>:<id>" (the offline form) → the session.
std::string session_of_thread(std::string_view thread_key) {
  auto take = [&](std::string_view prefix) -> std::string {
    if (thread_key.substr(0, prefix.size()) != prefix) return {};
    auto rest = thread_key.substr(prefix.size());
    return std::string(rest.substr(0, rest.find(':')));
  };
  if (auto s = take("s:"); !s.empty()) return s;
  return take("offline:");
}

// A visitor message waiting for both halves of its acknowledgement: the store's commit and the
// durability of its log entry.
struct PendingAck {
  std::uint64_t conn = 0;
  std::string id;
  std::uint64_t seq = 0;
  bool committed = false;
};

class WebchatPlugin final : public Plugin {
 public:
  explicit WebchatPlugin(const PluginContext& context)
      : Plugin(context),
        config_(parse_config(context.config_json)),
        tokens_(config_.secret, config_.identity_secret),
        log_(host(), config_.replay_limit),
        conns_(config_.messages_per_second, config_.burst),
        http_(config_, host(), tokens_, log_),
        refused_(host().counter("webchat_refused_total",
                                "Connections and frames refused (origin, flood, size, identity).")),
        sessions_gauge_(host().gauge("webchat_connections", "Open visitor connections.")) {
    if (auto info = host().host_info()) mount_ = info->mount_path;
    http_.register_routes(mount_);
    host().ws_route("/ws",
                    {[this](uint64_t conn, const HttpRequest& r) { return on_open(conn, r); },
                     [this](uint64_t conn, std::string_view data, bool is_text) {
                       on_frame(conn, data, is_text);
                     },
                     [this](uint64_t conn) { on_close(conn); }});
    if (config_.mail) mail_ = std::make_unique<MailSender>(*config_.mail);
  }

  void start() override { sweep_timer_ = host().set_timer(kSweepMs); }
  void stop() override { host().cancel_timer(sweep_timer_); }

  void on_timer(uint64_t timer_id) override {
    if (timer_id != sweep_timer_) return;
    for (auto conn : conns_.silent_since(now_ms() - config_.hello_timeout_ms))
      refuse(conn, kClosePolicy,
             "no hello within " + std::to_string(config_.hello_timeout_ms) + " ms");
    sweep_timer_ = host().set_timer(kSweepMs);
  }

  void send(uint64_t ticket, const OutboundMessage& message) override {
    const std::string session = session_of_thread(message.thread_key);
    SessionState* state = session.empty() ? nullptr : log_.find(session);
    if (state == nullptr)
      throw PermanentError("no web-chat session for thread \"" + message.thread_key + "\"");
    if (message.conversation_id != 0 && state->conversation_id != message.conversation_id) {
      state->conversation_id = message.conversation_id;
      log_.save(session);
    }
    const std::string dedupe_key = "o/" + message.idempotency_key;
    // Stable across re-sends of this reply, so a re-send finds its entry.
    const std::string entry_id =
        "a" + hmac_sha256_hex("entry", message.idempotency_key).substr(0, 16);
    if (auto seq = log_.recorded(dedupe_key, session, entry_id)) {
      // A re-send after a crash: in the log already.
      host().send_result(ticket, {OG_OK, session + ":" + std::to_string(*seq), "", "", 0});
      return;
    }
    const std::uint64_t seq = state->next_seq;
    json attachments = json::array();
    std::vector<std::pair<std::string, std::string>> extra{
        {dedupe_key, session + " " + std::to_string(seq)}};
    for (const auto& a : message.attachments) {
      auto file = http_.keep_agent_file(session, a);
      attachments.push_back(file.entry);
      extra.emplace_back(std::move(file.key), std::move(file.value));
    }
    state->unread_agent_seqs.push_back(seq);
    const std::string provider_id = session + ":" + std::to_string(seq);
    json entry{{"type", "message"},
               {"id", entry_id},
               {"author", "agent"},
               {"name", message.author_name},
               {"text", message.body_text},
               {"attachments", std::move(attachments)},
               {"at", now_ms()}};
    append(session, std::move(entry), extra, [this, ticket, provider_id](bool ok) {
      if (ok) {
        host().send_result(ticket, {OG_OK, provider_id, "", "", 0});
      } else {
        host().send_result(ticket, {OG_RETRY, "", "store", "the session log was not stored", 0});
      }
    });
    if (message.thread_key.rfind("offline:", 0) == 0) mail_offline_reply(message);
  }

  void on_conversation(const ConversationNotice& notice) override {
    const std::string session = session_of_thread(notice.state.thread_key);
    SessionState* state = session.empty() ? nullptr : log_.find(session);
    if (state == nullptr) return;
    if (state->conversation_id != notice.state.conversation_id &&
        notice.state.thread_key.rfind("s:", 0) == 0) {
      state->conversation_id = notice.state.conversation_id;
      log_.save(session);
    }
    const std::string& agent = notice.state.agent_display_name;
    switch (notice.change) {
      case OG_CONVERSATION_ASSIGNED:
        append_event(session, "agent_joined", agent);
        break;
      case OG_CONVERSATION_TRANSFERRED:
        append_event(session, "transferred", agent);
        break;
      case OG_CONVERSATION_RESOLVED:
        state->resolved_seq = state->next_seq;
        append_event(session, "resolved", agent);
        break;
      case OG_CONVERSATION_AGENT_TYPING:
        broadcast(session, json_text({{"type", "typing"}, {"on", true}, {"name", agent}}));
        break;
      case OG_CONVERSATION_QUEUE_CHANGED:
        broadcast(session, queue_frame(notice.state));
        break;
      default:
        break;  // kinds added later
    }
    release_if_idle(session);
  }

 private:
  static std::string queue_frame(const ConversationState& c) {
    return json_text({{"type", "queue"},
                      {"position", c.queue_position},
                      {"expected_wait_ms", c.expected_wait_ms}});
  }

  // ----------------------------------------------------------------------- connections

  bool on_open(uint64_t conn, const HttpRequest& upgrade) {
    const auto origin = upgrade.header("Origin");
    if (!origin || !config_.origin_allowed(*origin)) {
      refused_.add();
      host().warn("refused a WebSocket from " + std::string(upgrade.remote_addr) + ": origin " +
                  (origin ? "\"" + std::string(*origin) + "\" is not allowed" : "missing"));
      return false;
    }
    const int held = conns_.open(conn, std::string(upgrade.remote_addr), now_ms());
    sessions_gauge_.set(static_cast<double>(conns_.size()));
    if (held > config_.max_connections_per_ip) {
      refuse(conn, kClosePolicy,
             "more than " + std::to_string(config_.max_connections_per_ip) + " connections from " +
                 std::string(upgrade.remote_addr));
    }
    return true;
  }

  void on_close(uint64_t conn) {
    const std::string session = conns_.close(conn);
    sessions_gauge_.set(static_cast<double>(conns_.size()));
    if (!session.empty()) release_if_idle(session);
  }

  // Closes a connection for a violation, logged (never with the frame's content).
  void refuse(uint64_t conn, int code, const std::string& why) {
    refused_.add();
    host().warn("closing visitor connection " + std::to_string(conn) + " (" + std::to_string(code) +
                "): " + why);
    host().ws_close(conn, code, why.substr(0, 120));
    on_close(conn);  // no frame of it is read any more
  }

  void on_frame(uint64_t conn, std::string_view data, bool is_text) {
    if (!conns_.known(conn)) return;  // refused already; the close is on its way
    if (!conns_.take(conn, now_ms()))
      return refuse(conn, kClosePolicy, "more than the allowed messages per second");
    if (data.size() > config_.max_frame_bytes) {
      return refuse(conn, kCloseTooBig,
                    "frame of " + std::to_string(data.size()) + " bytes (limit " +
                        std::to_string(config_.max_frame_bytes) + ")");
    }
    if (!is_text) return refuse(conn, kCloseUnsupported, "binary frame");
    auto decoded = decode_client_frame(data, config_.protocol);
    if (auto* error = std::get_if<ProtocolError>(&decoded)) {
      host().ws_send(conn, encode_error(*error));
      return;
    }
    auto& frame = std::get<ClientFrame>(decoded);
    const std::string session = conns_.session_of(conn);
    if (session.empty()) {
      if (auto* hello = std::get_if<HelloFrame>(&frame)) return on_hello(conn, *hello);
      return refuse(conn, kClosePolicy, "the first frame must be hello");
    }
    SessionState* state = log_.find(session);
    if (state == nullptr) return refuse(conn, kClosePolicy, "session state lost");
    std::visit(
        [&](auto& f) {
          using F = std::decay_t<decltype(f)>;
          if constexpr (std::is_same_v<F, HelloFrame>) {
            host().ws_send(conn, encode_error({"bad_field", "hello was said already", ""}));
          } else if constexpr (std::is_same_v<F, MessageFrame>) {
            on_message(conn, session, *state, f, data);
          } else if constexpr (std::is_same_v<F, TypingFrame>) {
            on_typing(session, *state, f);
          } else if constexpr (std::is_same_v<F, SeenFrame>) {
            on_seen(session, *state, f);
          } else if constexpr (std::is_same_v<F, CsatFrame>) {
            on_csat(conn, session, *state, f);
          } else if constexpr (std::is_same_v<F, TranscriptFrame>) {
            on_transcript(conn, session, *state, f);
          } else {
            host().ws_send(conn, R"({"type":"pong"})");
          }
        },
        frame);
  }

  // ----------------------------------------------------------------------- hello and resume

  void on_hello(uint64_t conn, const HelloFrame& hello) {
    std::string from_kind = "webchat", from_address;
    if (hello.identity) {
      if (!tokens_.identity_verified(hello.identity->id, hello.identity->hash)) {
        host().ws_send(conn,
                       encode_error({"bad_identity", "the identity hash does not verify", ""}));
        return refuse(conn, kClosePolicy, "identity hash does not verify");
      }
      if (hello.identity->kind == "external") {
        from_address = "user:" + hello.identity->id;
      } else {
        from_kind = hello.identity->kind;
        from_address = hello.identity->id;
      }
    }
    std::string token = hello.token;
    auto session = tokens_.session_of(token);
    SessionState* state = session ? log_.find(*session) : nullptr;
    // A session belongs to one identity: a visitor who signs in (or another user on the same
    // browser) starts a session of their own.
    if (state != nullptr && !from_address.empty() &&
        (state->from_kind != from_kind || state->from_address != from_address))
      state = nullptr;
    if (state == nullptr) {
      token = tokens_.issue();
      session = tokens_.session_of(token);
      SessionState initial;
      initial.from_kind = from_kind;
      initial.from_address = from_address.empty() ? *session : from_address;
      state = &log_.create(*session, std::move(initial));
    }
    if (hello.profile) {
      state->name = hello.profile->name;
      state->email = hello.profile->email;
      if (config_.topic(hello.profile->topic) != nullptr) state->topic = hello.profile->topic;
      log_.save(*session);
    }
    conns_.join(conn, *session);

    const bool reset = hello.epoch != state->epoch;
    std::uint64_t from = reset ? 0 : std::min(hello.last_seq, state->visible_seq);
    json welcome{{"type", "welcome"},
                 {"token", token},
                 {"session", *session},
                 {"epoch", state->epoch},
                 {"last_seq", state->visible_seq},
                 {"reset", reset && !hello.epoch.empty()},
                 {"online", http_.online()},
                 {"state", conversation_summary(*state)},
                 {"limits",
                  {{"max_message_bytes", config_.protocol.max_text_bytes},
                   {"max_upload_bytes", config_.max_upload_bytes},
                   {"upload_types", config_.upload_types}}}};
    host().ws_send(conn, json_text(welcome));
    if (from + 1 < state->oldest_seq) {
      host().ws_send(
          conn, json_text({{"type", "gap"}, {"from", from + 1}, {"to", state->oldest_seq - 1}}));
      from = state->oldest_seq - 1;
    }
    for (std::uint64_t seq = from + 1; seq <= state->visible_seq; ++seq) {
      if (auto entry = log_.entry(*session, seq)) {
        host().ws_send(conn, *entry);
      } else {  // lost by a failed store write: reported, never skipped silently
        host().ws_send(conn, json_text({{"type", "gap"}, {"from", seq}, {"to", seq}}));
      }
    }
  }

  json conversation_summary(const SessionState& state) {
    json summary{
        {"status", "none"}, {"queue_position", 0}, {"expected_wait_ms", -1}, {"agent", nullptr}};
    if (state.conversation_id == 0) return summary;
    std::optional<ConversationState> c;
    try {
      c = host().get_conversation(state.conversation_id);
    } catch (const std::exception&) {
      return summary;  // a 2.0-less host or a store hiccup: the widget just shows no state
    }
    if (!c) return summary;
    summary["status"] = c->status;
    summary["queue_position"] = c->queue_position;
    summary["expected_wait_ms"] = c->expected_wait_ms;
    if (!c->agent_display_name.empty()) summary["agent"] = c->agent_display_name;
    return summary;
  }

  // ----------------------------------------------------------------------- visitor frames

  void on_message(uint64_t conn, const std::string& session, SessionState& state,
                  const MessageFrame& m, std::string_view raw) {
    InboundMessage in;
    in.provider_message_id = session + ":" + m.id;
    in.from_kind = state.from_kind;
    in.from_address = state.from_address;
    in.from_name = state.name;
    in.thread_key = "s:" + session;
    in.body_text = m.text;
    in.raw = std::string(raw);
    in.sent_at_ms = now_ms();
    in.skills = config_.skills;
    if (const Topic* topic = config_.topic(state.topic); topic && !topic->skill.empty())
      in.skills.push_back({topic->skill, topic->min_level});
    in.priority = config_.default_priority;
    json meta{{"session", session}, {"client_id", m.id}};
    if (!state.email.empty()) meta["email_unverified"] = state.email;
    if (!state.topic.empty()) meta["topic"] = state.topic;
    in.metadata_json = json_text(meta);
    json attachments = json::array();
    for (const auto& ref : m.uploads) {
      auto file = http_.session_file(session, ref.substr(7));
      if (!file) {
        host().ws_send(
            conn, encode_error({"bad_field",
                                "attachment " + ref + " was not uploaded in this session", m.id}));
        return;
      }
      in.attachments.push_back(file->attachment);
      attachments.push_back(file->entry);
    }

    const std::string dedupe_key = "c/" + session + "/" + m.id;
    std::uint64_t seq = 0;
    if (auto known = log_.recorded(dedupe_key, session, m.id)) {
      // Sent again (no ack reached the visitor): submitted again all the same — the store keeps
      // one copy — so the ack still means "committed" even if the first commit never happened.
      seq = *known;
    } else {
      seq = state.next_seq;
      json entry{{"type", "message"},  {"id", m.id},     {"author", "visitor"},
                 {"name", state.name}, {"text", m.text}, {"attachments", std::move(attachments)},
                 {"at", in.sent_at_ms}};
      append(session, std::move(entry), {{dedupe_key, std::to_string(seq)}}, [](bool) {});
    }
    pending_acks_[session].push_back({conn, m.id, seq, false});
    host().submit_inbound(0, in, [this, session, seq, id = m.id](og_status status, int64_t) {
      auto& acks = pending_acks_[session];
      for (auto& a : acks) {
        if (a.seq != seq || a.id != id) continue;
        if (status == OG_OK) {
          a.committed = true;
        } else {
          host().ws_send(a.conn,
                         encode_error({"not_stored", "not stored; send it again later", id}));
          a.seq = 0;  // dropped below
        }
      }
      flush_acks(session);
    });
  }

  void flush_acks(const std::string& session) {
    auto it = pending_acks_.find(session);
    if (it == pending_acks_.end()) return;
    SessionState* state = log_.find(session);
    const std::uint64_t visible = state ? state->visible_seq : 0;
    auto& acks = it->second;
    std::erase_if(acks, [&](const PendingAck& a) {
      if (a.seq == 0) return true;
      if (!a.committed || a.seq > visible) return false;
      host().ws_send(a.conn, json_text({{"type", "ack"}, {"id", a.id}, {"seq", a.seq}}));
      return true;
    });
    if (acks.empty()) pending_acks_.erase(it);
  }

  void on_typing(const std::string& session, SessionState& state, const TypingFrame& t) {
    if (state.conversation_id == 0) return;  // nobody is looking yet
    auto& last = typing_signalled_[session];
    const auto now = now_ms();
    if (t.on && now - last < kTypingSignalEveryMs) return;
    last = t.on ? now : 0;
    // ABI 2.1 (a 2.0 host has no signals: the agent just does not see it).
    host().signal(state.conversation_id, "typing", json_text({{"on", t.on}}));
  }

  void on_seen(const std::string& session, SessionState& state, const SeenFrame& s) {
    if (s.seq <= state.read_seq) return;
    state.read_seq = std::min(s.seq, state.visible_seq);
    std::erase_if(state.unread_agent_seqs, [&](std::uint64_t seq) {
      if (seq > state.read_seq) return false;
      host().submit_delivery(0,
                             {session + ":" + std::to_string(seq), OG_DELIVERY_READ, "", "", ""});
      return true;
    });
    log_.save(session);
  }

  void on_csat(uint64_t conn, const std::string& session, SessionState& state, const CsatFrame& c) {
    if (state.resolved_seq == 0 || state.rated_seq == state.resolved_seq) {
      host().ws_send(conn,
                     encode_error({"bad_field", "there is no resolved conversation to rate", ""}));
      return;
    }
    ChannelEvent e;
    e.provider_event_id = session + ":csat:" + std::to_string(state.resolved_seq);
    e.kind = "csat.answered";
    e.from_kind = state.from_kind;
    e.from_address = state.from_address;
    e.thread_key = "s:" + session;
    e.data_json = json_text({{"score", c.score}, {"comment", c.comment}, {"scale", 5}});
    const std::uint64_t rated = state.resolved_seq;
    host().submit_event(0, e, [this, conn, session, rated](og_status status, int64_t) {
      if (status != OG_OK) {
        host().ws_send(conn, encode_error({"not_stored", "not stored; send it again later", ""}));
        return;
      }
      if (SessionState* s = log_.find(session)) {
        s->rated_seq = rated;
        log_.save(session);
      }
      host().ws_send(conn, R"({"type":"csat_thanks"})");
    });
  }

  void on_transcript(uint64_t conn, const std::string& session, SessionState& state,
                     const TranscriptFrame& t) {
    if (!mail_) {
      host().ws_send(conn, encode_error({"mail_unavailable", "this chat cannot send e-mail", ""}));
      return;
    }
    const auto now = now_ms();
    if (now - state.transcript_sent_at_ms < kTranscriptEveryMs) {
      host().ws_send(conn,
                     encode_error({"rate_limited", "a transcript was sent a moment ago", ""}));
      return;
    }
    state.transcript_sent_at_ms = now;
    log_.save(session);
    std::vector<TranscriptLine> lines;
    for (std::uint64_t seq = state.oldest_seq; seq <= state.visible_seq; ++seq) {
      auto text = log_.entry(session, seq);
      if (!text) continue;
      const json entry = json::parse(*text, nullptr, false);
      if (!entry.is_object()) continue;
      TranscriptLine line;
      line.author = entry.value("type", "") == "message" ? entry.value("author", "") : "event";
      line.name = entry.value("name", "");
      line.text = line.author == "event" ? entry.value("kind", "") : entry.value("text", "");
      line.at_ms = entry.value("at", std::int64_t{0});
      for (const auto& a : entry.value("attachments", json::array()))
        line.attachment_names.push_back(a.value("name", ""));
      lines.push_back(std::move(line));
    }
    std::string mail;
    try {
      mail = compose_transcript_mail(*config_.mail, t.email, config_.site_name, lines);
    } catch (const std::exception& e) {
      host().ws_send(conn,
                     encode_error({"bad_field", std::string("cannot mail that: ") + e.what(), ""}));
      return;
    }
    mail_->send(t.email, std::move(mail), [this, conn](bool ok, std::string error) {
      host().post([this, conn, ok, error] {
        if (ok) {
          host().ws_send(conn, R"({"type":"transcript_sent"})");
        } else {
          host().warn("transcript mail not sent: " + error);
          host().ws_send(conn,
                         encode_error({"mail_unavailable", "the mail could not be sent", ""}));
        }
      });
    });
  }

  // E-mail-style: the reply to an offline message also goes to the address the form gave.
  // Best effort on top of the log, which already holds it for the visitor's next visit.
  void mail_offline_reply(const OutboundMessage& message) {
    auto to = log_.get("x/" + message.thread_key);
    if (!mail_ || !to) return;
    std::string mail;
    try {
      // The seed makes the Message-ID, the same for every attempt of this reply.
      mail = compose_reply_mail(
          *config_.mail, *to, "Re: your message on " + config_.site_name, message.body_text,
          message.author_name, hmac_sha256_hex("message-id", message.idempotency_key).substr(0, 32),
          "");
    } catch (const std::exception& e) {
      host().warn("reply to offline message " + message.thread_key + " not e-mailed: " + e.what());
      return;
    }
    mail_->send(*to, std::move(mail),
                [this, thread = message.thread_key](bool ok, std::string error) {
                  if (!ok)
                    host().post([this, thread, error] {
                      host().warn("reply to offline message " + thread + " not e-mailed: " + error);
                    });
                });
  }

  // ----------------------------------------------------------------------- the log

  void append(const std::string& session, json entry,
              const std::vector<std::pair<std::string, std::string>>& extra,
              std::function<void(bool)> then) {
    log_.append(session, std::move(entry), extra,
                [this, session, then = std::move(then)](bool ok, const std::string& text) {
                  // Durable: shown to every tab now (in order: completions come in call order).
                  if (ok) broadcast(session, text);
                  flush_acks(session);
                  then(ok);
                  release_if_idle(session);
                });
  }

  void append_event(const std::string& session, const char* kind, const std::string& agent) {
    append(session, {{"type", "event"}, {"kind", kind}, {"name", agent}, {"at", now_ms()}}, {},
           [](bool) {});
  }

  void broadcast(const std::string& session, const std::string& text) {
    for (auto conn : conns_.of_session(session)) host().ws_send(conn, text);
  }

  void release_if_idle(const std::string& session) {
    if (conns_.of_session(session).empty() && !pending_acks_.count(session)) {
      log_.release(session);
      typing_signalled_.erase(session);
    }
  }

  const WebchatConfig config_;
  const VisitorTokens tokens_;
  SessionLog log_;
  VisitorConnections conns_;
  VisitorHttp http_;
  Host::Metric refused_;
  Host::Metric sessions_gauge_;
  std::string mount_;
  std::map<std::string, std::vector<PendingAck>> pending_acks_;  // by session
  std::map<std::string, std::int64_t> typing_signalled_;         // by session
  std::unique_ptr<MailSender> mail_;
  uint64_t sweep_timer_ = 0;
};

}  // namespace
}  // namespace omnigate::webchat

OMNIGATE_PLUGIN(omnigate::webchat::WebchatPlugin, "webchat", "1.0.0", "webchat",
                "Web chat: an embeddable widget over WebSocket with resume, never losing a message",
                omnigate::webchat::config_schema())
