#include "api/notes_api.hpp"

#include "api/json_response.hpp"
#include "api/role_guard.hpp"
#include "api/workspace_bodies.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

namespace {

using nlohmann::json;

json note_json(const store::Note& n) {
  return {{"id", n.id},
          {"conversation_id", n.conversation_id},
          {"author", n.author},
          {"body", n.body},
          {"created_at", n.created_at}};
}

}  // namespace

struct NotesApi::Impl : std::enable_shared_from_this<NotesApi::Impl> {
  store::Store& store;

  explicit Impl(store::Store& s) : store(s) {}

  // Who may reply may write a note: an agent only on the conversations assigned to them.
  void add_note(const http::Request& req, const Caller& c, http::Reply reply) {
    const auto id = id_param(req, reply);
    if (!id) return;
    const auto conv = store.get_conversation(*id);
    if (!conv)
      return reply(error_response(404, "not_found", "no conversation " + std::to_string(*id)));
    if (c.user.limited_to_own_work() &&
        (!c.user.agent_id || conv->assigned_agent != c.user.agent_id))
      return reply(error_response(
          403, "forbidden", "conversation " + std::to_string(*id) + " is not assigned to you"));
    auto body = parse_note_body(req.body);
    if (!body.value) return reply(body_error(body.error));
    store::Note note;
    note.conversation_id = *id;
    note.author = c.user.name;
    note.body = std::move(*body.value);
    note.created_at = now_ms();
    store.add_note(std::move(note), [self = shared_from_this(), reply, user = c.user.name,
                                     remote = req.remote_addr](store::Outcome<store::Note> r) {
      if (!r.ok) return reply(store_refusal(r.error));
      // The text is in the transcript already; the audit row says who wrote which note.
      self->store.audit(
          {user, "conversation.note", "conversation:" + std::to_string(r.value.conversation_id),
           remote, json{{"note_id", r.value.id}}.dump(), r.value.created_at},
          [](store::Outcome<store::Nothing>) {});
      reply(json_response(201, {{"note", note_json(r.value)}}));
    });
  }
};

NotesApi::NotesApi(store::Store& store) : impl_(std::make_shared<Impl>(store)) {}

NotesApi::~NotesApi() = default;

void NotesApi::register_routes(http::Router& router) {
  using R = store::Role;
  router.add("POST", "/api/v1/conversations/{id}/notes",
             guarded_method(impl_, {R::agent, R::supervisor, R::admin}, &Impl::add_note));
}

}  // namespace omnigate::api
