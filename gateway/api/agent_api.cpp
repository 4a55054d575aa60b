#include "api/agent_api.hpp"

#include "api/idempotency_key.hpp"
#include "api/json_response.hpp"
#include "api/json_views.hpp"
#include "api/kpi_report.hpp"
#include "api/live_filter.hpp"
#include "api/period_params.hpp"
#include "api/report_export_audit.hpp"
#include "api/request_body.hpp"
#include "api/role_guard.hpp"
#include "api/supervisor_view.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "store/attachment_files.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <span>

namespace omnigate::api {

namespace {

using nlohmann::json;
using store::Role;

// Statuses in which a conversation's handling is over: no resolving or reclassifying.
constexpr std::array kEnded{store::ConversationStatus::resolved, store::ConversationStatus::closed};
// Closed for good: nothing more may be added to it (replies).
constexpr std::array kClosed{store::ConversationStatus::closed};
// The longest customer attribute name the KPIs group by.
constexpr std::size_t kMaxAttributeKeyBytes = 128;
// GET /conversations?q=: a search term, not a document.
constexpr std::size_t kMaxSearchTextBytes = 200;
// GET /conversations?view=row: a console's whole list of open conversations in one page.
constexpr int kMaxRowListLimit = 5000;

}  // namespace

struct AgentApi::Impl : std::enable_shared_from_this<AgentApi::Impl> {
  store::Store& store;
  dispatch::RoutingDispatcher& dispatcher;
  OutboxSender& outbox;
  Metrics& metrics;
  store::ChannelCommandHandler channel_command;  // set before the routes serve
  const UploadOptions uploads;
  const store::AttachmentFiles files;

  Impl(store::Store& s, dispatch::RoutingDispatcher& d, OutboxSender& o, Metrics& m,
       UploadOptions u)
      : store(s),
        dispatcher(d),
        outbox(o),
        metrics(m),
        uploads(std::move(u)),
        files(uploads.attachments_dir) {}

  using Authed = AuthedHandler;

  // Wraps a handler with token authentication and the roles allowed to call it.
  http::Endpoint guarded(std::initializer_list<Role> roles, Authed handler) {
    return api::guarded(weak_from_this(), roles, std::move(handler));
  }

  // The conversation named by {id}, if it exists; otherwise the error to send.
  std::optional<store::Conversation> existing_conversation(const http::Request& req,
                                                           http::Reply& reply) {
    const auto id = id_param(req, reply);
    if (!id) return std::nullopt;
    const std::string text = std::to_string(*id);
    auto conv = store.get_conversation(*id);
    if (!conv) {
      reply(error_response(404, "not_found", "no conversation " + text));
      return std::nullopt;
    }
    return conv;
  }

  // The conversation named by {id}, if the caller may see it; otherwise the error to send.
  std::optional<store::Conversation> visible_conversation(const http::Request& req, const Caller& c,
                                                          http::Reply& reply) {
    auto conv = existing_conversation(req, reply);
    // Agents work on their own conversations only.
    if (conv && c.user.limited_to_own_work() &&
        (!c.user.agent_id || conv->assigned_agent != c.user.agent_id)) {
      reply(error_response(403, "forbidden",
                           "conversation " + std::to_string(conv->id) + " is not assigned to you"));
      return std::nullopt;
    }
    return conv;
  }

  // Sends 409 when the conversation's status is one of `refused` (work on it has ended).
  static bool in_status(const store::Conversation& conv,
                        std::span<const store::ConversationStatus> refused, http::Reply& reply) {
    if (std::find(refused.begin(), refused.end(), conv.status) == refused.end()) return false;
    reply(error_response(
        409, "conflict",
        "conversation " + std::to_string(conv.id) + " is " + store::to_string(conv.status)));
    return true;
  }

  void audit(const Caller& c, const http::Request& req, std::string action, std::string object,
             json detail = json::object()) {
    store.audit({c.user.name, std::move(action), std::move(object), req.remote_addr, detail.dump(),
                 now_ms()},
                [](store::Outcome<store::Nothing>) {});
  }

  // ---- handlers

  void me(const http::Request&, const Caller& c, http::Reply reply) {
    json out = user_json(c.user);
    out.update(preferences_json(store.user_preferences(c.user.name)));
    reply(json_response(200, out));
  }

  void list_conversations(const http::Request& req, const Caller& c, http::Reply reply) {
    store::ConversationFilter filter;
    if (auto s = req.query_param("status")) {
      filter.status = store::status_from_string(*s);
      if (!filter.status)
        return reply(error_response(
            400, "invalid_field",
            "status must be one of queued, assigned, waiting_customer, resolved, closed",
            "status"));
    }
    if (auto ch = req.query_param("channel")) filter.channel_instance = *ch;
    if (auto a = req.query_param("assigned_agent")) filter.assigned_agent = *a;
    if (auto t = req.query_param("tier")) {
      filter.tier = store::tier_from_string(*t);
      if (!filter.tier)
        return reply(
            error_response(400, "invalid_field", "tier must be one of S, A, B, C", "tier"));
    }
    if (auto p = req.query_param("priority")) {
      if (p->size() != 1 || (*p)[0] < '1' || (*p)[0] > '4')
        return reply(error_response(400, "invalid_field", "priority must be 1..4", "priority"));
      filter.priority = (*p)[0] - '0';
    }
    if (auto t = req.query_param("team")) filter.team = *t;
    if (auto text = req.query_param("q")) {
      if (text->size() > kMaxSearchTextBytes)
        return reply(error_response(
            400, "too_long", "q: at most " + std::to_string(kMaxSearchTextBytes) + " bytes", "q"));
      filter.text = *text;
    }
    if (auto mine = req.query_param("mine"); mine && *mine == "true") {
      if (!c.user.agent_id)
        return reply(
            error_response(400, "invalid_field", "mine: you have no agent profile", "mine"));
      filter.assigned_agent = *c.user.agent_id;
    }
    if (auto v = req.query_param("after_id")) {
      const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), filter.after_id);
      if (ec != std::errc() || end != v->data() + v->size() || filter.after_id < 0)
        return reply(error_response(400, "invalid_field", "after_id must be a non-negative integer",
                                    "after_id"));
    }
    const auto view = req.query_param("view");
    if (view && *view != "row")
      return reply(error_response(400, "invalid_field", "view must be row", "view"));
    if (auto v = req.query_param("limit")) {
      const int most = view ? kMaxRowListLimit : kMaxListLimit;
      const auto n = parse_list_limit(*v, most);
      if (!n)
        return reply(error_response(400, "invalid_field",
                                    "limit must be 1.." + std::to_string(most), "limit"));
      filter.limit = *n;
    }
    if (c.user.limited_to_own_work()) {
      // An agent's list is their own work, whatever filter they asked for.
      if (!c.user.agent_id) return reply(json_response(200, {{"conversations", json::array()}}));
      if (filter.assigned_agent && *filter.assigned_agent != *c.user.agent_id)
        return reply(error_response(403, "forbidden", "agents see only their own conversations",
                                    "assigned_agent"));
      filter.assigned_agent = *c.user.agent_id;
    }
    if (view) return reply(json_response(200, {{"conversations", conversation_rows_json(filter)}}));
    json out = json::array();
    for (const auto& conv : store.list_conversations(filter))
      out.push_back(conversation_json(conv));
    reply(json_response(200, {{"conversations", out}}));
  }

  // GET /conversations?view=row: what a queue row shows, for the whole list in one request (the
  // console's list of 5,000 open conversations; docs/api.md). The preview is the list's, not a
  // transcript read: it is not audited as one.
  json conversation_rows_json(const store::ConversationFilter& filter) {
    json out = json::array();
    for (const auto& row : store.list_conversation_rows(filter)) {
      json item = conversation_json(row.conversation);
      item["customer_display_name"] = row.customer_display_name;
      item["last_message_preview"] = row.last_message_preview;
      out.push_back(std::move(item));
    }
    return out;
  }

  json transcript_json(store::Id id) {
    json entries = json::array();
    for (const auto& e : store.transcript(id)) entries.push_back(transcript_entry_json(e));
    return entries;
  }

  void get_conversation(const http::Request& req, const Caller& c, http::Reply reply) {
    auto conv = visible_conversation(req, c, reply);
    if (!conv) return;
    json body = {{"conversation", conversation_json(*conv)}, {"customer", nullptr}};
    if (auto cust = store.get_customer(conv->customer_id)) body["customer"] = customer_json(*cust);
    body["transcript"] = transcript_json(conv->id);
    audit(c, req, "transcript.read", "conversation:" + std::to_string(conv->id));
    reply(json_response(200, body));
  }

  void get_transcript(const http::Request& req, const Caller& c, http::Reply reply) {
    auto conv = visible_conversation(req, c, reply);
    if (!conv) return;
    audit(c, req, "transcript.read", "conversation:" + std::to_string(conv->id));
    reply(json_response(200, {{"transcript", transcript_json(conv->id)}}));
  }

  void reply_to(const http::Request& req, const Caller& c, http::Reply reply) {
    auto conv = visible_conversation(req, c, reply);
    if (!conv || in_status(*conv, kClosed, reply)) return;
    auto body = parse_reply_body(req.body);
    if (!body.value) return reply(body_error(body.error));

    store::ReplyRecord rec;
    if (auto k = req.header("Idempotency-Key")) {
      auto key = parse_idempotency_key(*k);
      if (!key.value) return reply(body_error(key.error));
      rec.client_key = std::move(*key.value);
    }
    rec.conversation_id = conv->id;
    rec.agent_id = c.user.agent_id.value_or(c.user.name);
    rec.body_text = std::move(body.value->text);
    rec.body_html = std::move(body.value->html);
    rec.subject = std::move(body.value->subject);
    rec.attachments = std::move(body.value->attachments);
    for (std::size_t i = 0; i < rec.attachments.size(); ++i) {
      auto& a = rec.attachments[i];
      if (a.blob_sha256.empty()) continue;
      const auto size = files.size_of(a.blob_sha256);
      if (!size) {
        const std::string field = "attachments[" + std::to_string(i) + "].sha256";
        return reply(error_response(400, "invalid_field",
                                    field + ": no uploaded file " + a.blob_sha256 +
                                        " (upload it with POST /api/v1/attachments first)",
                                    field));
      }
      a.size = static_cast<std::int64_t>(*size);
    }
    rec.at = now_ms();
    const auto id = conv->id;
    auto self = shared_from_this();
    const std::string remote = req.remote_addr;
    store.enqueue_reply(std::move(rec), [self, c, id, remote,
                                         reply](store::Outcome<store::ReplyResult> r) {
      if (!r.ok)
        return reply(error_response(500, "store_error", "the reply was not stored: " + r.error));
      using Kind = store::ReplyResult::Kind;
      if (r.value.kind == Kind::key_mismatch)
        return reply(error_response(
            422, "idempotency_mismatch",
            "this Idempotency-Key was already used for a different reply (message " +
                std::to_string(r.value.message_id) +
                "); send a new key for a new reply, or repeat the first request exactly",
            "Idempotency-Key"));
      // The first reply is stored, queued and audited already: a replay changes nothing.
      if (r.value.kind == Kind::replayed)
        return reply(json_response(202, {{"message_id", r.value.message_id},
                                         {"outbox_id", r.value.outbox_id},
                                         {"replayed", true}}));
      self->outbox.wake();
      self->dispatcher.replied(id);
      self->metrics.counter_add("omnigate_agent_replies_total", "Replies agents queued.", {});
      self->store.audit(
          {c.user.name, "conversation.reply", "conversation:" + std::to_string(id), remote,
           json{{"message_id", r.value.message_id}, {"outbox_id", r.value.outbox_id}}.dump(),
           now_ms()},
          [](store::Outcome<store::Nothing>) {});
      reply(json_response(202, {{"message_id", r.value.message_id},
                                {"outbox_id", r.value.outbox_id},
                                {"replayed", false}}));
    });
  }

  // One file, the body's bytes, into the content-addressed attachment store; the answer's sha256
  // names it in a reply's attachments. Durable (fsync, rename) before the 201. The body limit
  // is the route's (max_upload_bytes), enforced by the server before the body is read.
  void upload_attachment(const http::Request& req, const Caller& c, http::Reply reply) {
    auto meta = parse_upload_meta(req.query_param("filename"), req.header("Content-Type"));
    if (!meta.value) return reply(body_error(meta.error));
    std::string sha;
    try {
      store::AttachmentWriter writer(uploads.attachments_dir);
      writer.write(req.body);
      sha = writer.finish();
    } catch (const std::exception& e) {
      return reply(
          error_response(500, "store_error", std::string("the file was not stored: ") + e.what()));
    }
    const json out = {{"sha256", sha},
                      {"size", req.body.size()},
                      {"filename", meta.value->filename},
                      {"content_type", meta.value->content_type}};
    audit(c, req, "attachment.upload", "attachment:" + sha, out);
    reply(json_response(201, out));
  }

  void resolve(const http::Request& req, const Caller& c, http::Reply reply) {
    auto conv = visible_conversation(req, c, reply);
    if (!conv || in_status(*conv, kEnded, reply)) return;
    const auto id = conv->id;
    audit(c, req, "conversation.resolve", "conversation:" + std::to_string(id));
    auto self = shared_from_this();
    store.set_conversation_status(id, store::ConversationStatus::resolved, c.actor(),
                                  [self, id, reply](store::Outcome<store::Nothing> r) {
                                    if (!r.ok)
                                      return reply(error_response(500, "store_error", r.error));
                                    self->dispatcher.resolved(id);
                                    reply(json_response(200, {{"status", "resolved"}}));
                                  });
  }

  // Only the agent the conversation is assigned to types in it; the channel is told at once
  // (nothing is stored, nothing audited: a signal, sent again while the agent keeps typing).
  void typing(const http::Request& req, const Caller& c, http::Reply reply) {
    auto conv = existing_conversation(req, reply);
    if (!conv) return;
    if (!c.user.agent_id || conv->assigned_agent != c.user.agent_id) {
      return reply(
          error_response(403, "forbidden",
                         "conversation " + std::to_string(conv->id) + " is not assigned to you"));
    }
    if (conv->status != store::ConversationStatus::assigned &&
        conv->status != store::ConversationStatus::waiting_customer) {
      return reply(error_response(
          409, "conflict",
          "conversation " + std::to_string(conv->id) + " is " + store::to_string(conv->status)));
    }
    dispatcher.agent_typing(conv->id, *c.user.agent_id);
    reply(json_response(202, {{"status", "sent"}}));
  }

  // An agent's command for the conversation's channel (a call's recording paused while card
  // details are given), answered with what the channel plugin said. Audited.
  void command(const http::Request& req, const Caller& c, http::Reply reply) {
    auto conv = visible_conversation(req, c, reply);
    if (!conv) return;
    auto body = parse_command_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    if (!channel_command)
      return reply(error_response(409, "conflict", "no channel takes commands here"));
    audit(c, req, "conversation.command", "conversation:" + std::to_string(conv->id),
          {{"command", body.value->command}});
    store::ChannelCommand cmd{conv->id, body.value->command, body.value->data_json,
                              c.user.agent_id ? *c.user.agent_id : c.actor()};
    channel_command(std::move(cmd), [reply](store::ChannelCommandOutcome outcome) {
      using Kind = store::ChannelCommandOutcome::Kind;
      switch (outcome.kind) {
        case Kind::done:
          return reply(json_response(202, {{"status", "done"}}));
        case Kind::invalid:
          return reply(error_response(400, "invalid_command", outcome.error));
        case Kind::unknown_conversation:
          return reply(error_response(404, "not_found", outcome.error));
        case Kind::not_possible:
          break;
      }
      reply(error_response(409, "conflict", outcome.error));
    });
  }

  void transfer(const http::Request& req, const Caller& c, http::Reply reply) {
    auto conv = visible_conversation(req, c, reply);
    if (!conv) return;
    auto body = parse_transfer_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    const auto id = conv->id;
    json detail = body.value->team.empty() ? json{{"agent_id", body.value->agent_id}}
                                           : json{{"team", body.value->team}};
    detail["mode"] = body.value->warm ? "warm" : "cold";
    audit(c, req, "conversation.transfer", "conversation:" + std::to_string(id), detail);
    auto done = [reply, detail](std::string error) {
      if (!error.empty()) return reply(error_response(409, "conflict", error));
      json out = detail;
      out["status"] = "transferred";
      reply(json_response(200, out));
    };
    if (!body.value->agent_id.empty()) {
      if (!store.get_agent(body.value->agent_id))
        return reply(
            error_response(400, "invalid_field", "no agent " + body.value->agent_id, "agent_id"));
      dispatcher.transfer_to_agent(id, body.value->agent_id, c.actor(), body.value->warm, done);
    } else {
      dispatcher.transfer_to_team(id, body.value->team, c.actor(), done);
    }
  }

  // Contact-centre KPIs over the conversations created in [from, to) (default: the last 24 h),
  // of one channel instance or all, optionally also per value of a customer attribute.
  void kpis(const http::Request& req, const Caller& c, http::Reply reply) {
    constexpr store::UnixMs kDayMs = 24LL * 60 * 60 * 1000;
    auto period = period_params(req, now_ms(), kDayMs);
    if (auto* bad = std::get_if<http::Response>(&period)) return reply(std::move(*bad));
    const store::UnixMs from = std::get<Period>(period).from, to = std::get<Period>(period).to;
    audit_report_export(store, c, req, "kpis", std::get<Period>(period));
    const std::string by_attribute = req.query_param("by_attribute").value_or("");
    if (by_attribute.size() > kMaxAttributeKeyBytes)
      return reply(error_response(
          400, "invalid_field",
          "by_attribute: at most " + std::to_string(kMaxAttributeKeyBytes) + " bytes",
          "by_attribute"));
    auto contacts = std::make_shared<std::vector<store::ContactRecord>>(
        store.contacts_created(from, to, req.query_param("channel").value_or("")));
    dispatcher.current_policy([contacts, from, to, by_attribute, reply](routing::Policy policy) {
      reply(json_response(200, kpi_report(*contacts, policy, from, to, by_attribute)));
    });
  }

  // Agents classify what they handle; supervisors raise or lower any open conversation.
  void set_priority(const http::Request& req, const Caller& c, http::Reply reply) {
    auto conv = visible_conversation(req, c, reply);
    if (!conv) return;
    auto body = parse_priority_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    if (in_status(*conv, kEnded, reply)) return;
    const auto id = conv->id;
    const int priority = body.value->priority;
    audit(c, req, "conversation.priority", "conversation:" + std::to_string(id),
          {{"priority", priority}, {"reason", body.value->reason}});
    dispatcher.set_priority(
        id, priority, body.value->reason, c.actor(), [reply, priority](std::string error) {
          if (!error.empty()) return reply(error_response(409, "conflict", error));
          reply(json_response(200, {{"status", "updated"}, {"priority", priority}}));
        });
  }

  void set_presence(const http::Request& req, const Caller& c, http::Reply reply) {
    if (!c.user.agent_id)
      return reply(error_response(403, "forbidden", "you have no agent profile"));
    auto body = parse_presence_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    const auto presence = *body.value;
    audit(c, req, "agent.presence", "agent:" + *c.user.agent_id,
          {{"presence", store::to_string(presence)}});
    dispatcher.set_presence(*c.user.agent_id, presence, [reply, presence](std::string error) {
      if (!error.empty()) return reply(error_response(500, "store_error", error));
      reply(json_response(200, {{"presence", store::to_string(presence)}}));
    });
  }

  // accept / decline / pick: the caller acts as their agent profile on a conversation that is
  // not theirs yet (so not visible_conversation); the routing engine decides whether it may.
  using AgentAction = void (dispatch::RoutingDispatcher::*)(store::Id, const std::string&,
                                                            const std::string&,
                                                            dispatch::AgentActionDone);
  void agent_action(const http::Request& req, const Caller& c, http::Reply reply,
                    AgentAction action, const std::string& verb, const std::string& outcome) {
    if (!c.user.agent_id)
      return reply(error_response(403, "forbidden", "you have no agent profile"));
    auto conv = existing_conversation(req, reply);
    if (!conv) return;
    const auto id = conv->id;
    const auto agent = *c.user.agent_id;
    audit(c, req, "conversation." + verb, "conversation:" + std::to_string(id));
    (dispatcher.*action)(
        id, agent, c.actor(), [reply, id, agent, outcome](dispatch::AgentActionResult r) {
          using Kind = dispatch::AgentActionResult::Kind;
          switch (r.kind) {
            case Kind::done:
              return reply(json_response(
                  200, {{"conversation_id", id}, {"status", outcome}, {"agent_id", agent}}));
            case Kind::not_allowed:
              return reply(error_response(403, "forbidden", r.error));
            case Kind::conflict:
              return reply(error_response(409, "conflict", r.error));
            case Kind::store_failed:
              return reply(error_response(500, "store_error", r.error));
          }
        });
  }
  void accept_offer(const http::Request& req, const Caller& c, http::Reply reply) {
    agent_action(req, c, std::move(reply), &dispatch::RoutingDispatcher::accept_offer, "accept",
                 "assigned");
  }
  void decline_offer(const http::Request& req, const Caller& c, http::Reply reply) {
    agent_action(req, c, std::move(reply), &dispatch::RoutingDispatcher::decline_offer, "decline",
                 "declined");
  }
  void pick(const http::Request& req, const Caller& c, http::Reply reply) {
    agent_action(req, c, std::move(reply), &dispatch::RoutingDispatcher::pick, "pick", "assigned");
  }

  void list_offers(const http::Request& req, const Caller& c, http::Reply reply) {
    std::string agent;
    if (auto a = req.query_param("agent_id")) agent = *a;
    if (c.user.limited_to_own_work()) {
      // An agent sees the offers made to them, whatever filter they asked for.
      if (!c.user.agent_id) return reply(json_response(200, {{"offers", json::array()}}));
      if (!agent.empty() && agent != *c.user.agent_id)
        return reply(
            error_response(403, "forbidden", "agents see only their own offers", "agent_id"));
      agent = *c.user.agent_id;
    }
    dispatcher.pending_offers(agent, [reply](std::vector<dispatch::PendingOffer> offers) {
      json out = json::array();
      for (const auto& o : offers) {
        const auto& q = o.conversation;
        out.push_back({{"conversation_id", q.conversation_id},
                       {"agent_id", o.agent_id},
                       {"offered_at", o.offered_at},
                       {"expires_at", o.expires_at},
                       {"reason", o.reason},
                       {"tier", q.tier},
                       {"priority", q.priority},
                       {"channel_kind", q.channel_kind},
                       {"queued_at", q.queued_at},
                       {"first_response_due",
                        q.first_response_due == 0 ? json(nullptr) : json(q.first_response_due)}});
      }
      reply(json_response(200, {{"offers", out}}));
    });
  }

  void list_agents(const http::Request&, const Caller&, http::Reply reply) {
    auto stored = std::make_shared<std::vector<store::Agent>>(store.list_agents());
    dispatcher.agent_loads([stored, reply](std::vector<dispatch::AgentLoad> loads) {
      reply(json_response(200, {{"agents", agents_json(*stored, loads, {})}}));
    });
  }

  void queue(const http::Request& req, const Caller&, http::Reply reply) {
    auto filter = parse_live_filter(req);
    if (!filter.value) return reply(body_error(filter.error));
    auto counts = std::make_shared<store::QueueCounts>(store.queue_counts());
    dispatcher.live_view([counts, filter = *filter.value, reply](dispatch::LiveView view) {
      json body = queue_view_json(view, filter);
      body["counts"] = counts->by_status;
      reply(json_response(200, body));
    });
  }

  void explain(const http::Request& req, const Caller& c, http::Reply reply) {
    auto conv = visible_conversation(req, c, reply);
    if (!conv) return;
    const auto id = conv->id;
    dispatcher.explain(id, [id, reply](std::string why) {
      reply(json_response(200, {{"conversation_id", id}, {"explanation", why}}));
    });
  }

  void reload_routing(const http::Request& req, const Caller& c, http::Reply reply) {
    auto body = parse_routing_reload_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    try {
      dispatcher.reload_policy(*body.value);
    } catch (const config::ConfigError& e) {
      return reply(error_response(400, "invalid_policy", e.what()));
    }
    audit(c, req, "routing.reload", "routing:policy");
    reply(json_response(200, {{"status", "reloaded"}}));
  }
};

AgentApi::AgentApi(store::Store& store, dispatch::RoutingDispatcher& dispatcher,
                   OutboxSender& outbox, Metrics& metrics, UploadOptions uploads)
    : impl_(std::make_shared<Impl>(store, dispatcher, outbox, metrics, std::move(uploads))) {}

AgentApi::~AgentApi() = default;

void AgentApi::on_channel_command(store::ChannelCommandHandler fn) {
  impl_->channel_command = std::move(fn);
}

void AgentApi::register_routes(http::Router& router) {
  using R = Role;
  auto& i = *impl_;
  auto bind = [this](void (Impl::*fn)(const http::Request&, const Caller&, http::Reply)) {
    std::weak_ptr<Impl> weak = impl_;
    return [weak, fn](const http::Request& req, const Caller& c, http::Reply reply) {
      if (auto self = weak.lock()) ((*self).*fn)(req, c, std::move(reply));
    };
  };
  const std::string base = "/api/v1";
  const std::initializer_list<Role> everyone = {R::agent, R::supervisor, R::qa, R::admin};
  router.add("GET", base + "/me", i.guarded(everyone, bind(&Impl::me)));
  router.add("GET", base + "/conversations", i.guarded(everyone, bind(&Impl::list_conversations)));
  router.add("GET", base + "/conversations/{id}",
             i.guarded(everyone, bind(&Impl::get_conversation)));
  router.add("GET", base + "/conversations/{id}/transcript",
             i.guarded(everyone, bind(&Impl::get_transcript)));
  router.add("POST", base + "/conversations/{id}/reply",
             i.guarded({R::agent, R::supervisor}, bind(&Impl::reply_to)));
  router.add("POST", base + "/attachments",
             i.guarded({R::agent, R::supervisor, R::admin}, bind(&Impl::upload_attachment)),
             i.uploads.max_upload_bytes);
  router.add("POST", base + "/conversations/{id}/resolve",
             i.guarded({R::agent, R::supervisor, R::admin}, bind(&Impl::resolve)));
  router.add("POST", base + "/conversations/{id}/typing",
             i.guarded({R::agent, R::supervisor, R::admin}, bind(&Impl::typing)));
  router.add("POST", base + "/conversations/{id}/command",
             i.guarded({R::agent, R::supervisor, R::admin}, bind(&Impl::command)));
  router.add("POST", base + "/conversations/{id}/transfer",
             i.guarded({R::agent, R::supervisor, R::admin}, bind(&Impl::transfer)));
  router.add("POST", base + "/conversations/{id}/priority",
             i.guarded({R::agent, R::supervisor, R::admin}, bind(&Impl::set_priority)));
  router.add("POST", base + "/conversations/{id}/accept",
             i.guarded({R::agent, R::supervisor}, bind(&Impl::accept_offer)));
  router.add("POST", base + "/conversations/{id}/decline",
             i.guarded({R::agent, R::supervisor}, bind(&Impl::decline_offer)));
  router.add("POST", base + "/conversations/{id}/pick",
             i.guarded({R::agent, R::supervisor}, bind(&Impl::pick)));
  router.add("GET", base + "/offers",
             i.guarded({R::agent, R::supervisor, R::admin}, bind(&Impl::list_offers)));
  router.add("GET", base + "/conversations/{id}/explain",
             i.guarded({R::supervisor, R::admin}, bind(&Impl::explain)));
  router.add("PUT", base + "/agents/me/presence",
             i.guarded({R::agent, R::supervisor}, bind(&Impl::set_presence)));
  // Agents see their colleagues' presence and load: whom a conversation can be transferred to.
  router.add("GET", base + "/agents",
             i.guarded({R::agent, R::supervisor, R::admin}, bind(&Impl::list_agents)));
  router.add("GET", base + "/queue", i.guarded({R::supervisor, R::admin}, bind(&Impl::queue)));
  router.add("GET", base + "/kpis", i.guarded({R::supervisor, R::admin}, bind(&Impl::kpis)));
  router.add("POST", base + "/admin/routing/reload",
             i.guarded({R::admin}, bind(&Impl::reload_routing)));
}

}  // namespace omnigate::api
