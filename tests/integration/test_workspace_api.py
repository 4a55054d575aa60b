#!/usr/bin/env python3
"""The agents' workspace through the real gateway, SMS plugin and stand-in provider.

An agent writes an internal note on their SMS conversation: it is in the transcript and on
their event stream, and the stand-in provider never receives it (a reply, sent after it, is the
only message the provider gets, and its message.sent and delivery state reach the stream too).
Users set their language and time zone (a zone the tz database does not know is refused).
Supervisors keep canned responses, agents and QA read them, agents cannot change them. A
customer who wrote through two SMS numbers has two conversations; the agent holding both merges
one into the other, which frees the agent's capacity for the conversation waiting in the queue.
"""

import harness
import ws_client

ADMIN = "admin-token-workspace"
SUPERVISOR = "supervisor-token-workspace"
AGENT = "agent-token-workspace"
QA = "qa-token-workspace"
CUSTOMER = "+14155550100"
SECOND_NUMBER = "+18005550198"


class WorkspaceApiTest(harness.IntegrationCase):

    def start(self, sms_capacity=3):
        self.standin = self.ws.start_standin()
        # A second SMS number: the same customer writing to both has two conversations.
        second_number = {
            "instance": "sms2", "file": harness.sms_plugin_path(), "allow_private_fetch": True,
            "config": {"account_sid": harness.ACCOUNT_SID, "auth_token": harness.AUTH_TOKEN,
                       "public_base_url": harness.PUBLIC_BASE_URL, "api_base": self.standin.url,
                       "from_number": SECOND_NUMBER, "allow_private_api": True,
                       "timeout_ms": 5000}}
        config = self.ws.sms_config(
            self.standin, [harness.agent("al", {"sms": 3}, sms_capacity)], [
                harness.user("root", "admin", ADMIN),
                harness.user("sam", "supervisor", SUPERVISOR),
                harness.user("al", "agent", AGENT, "al"),
                harness.user("quinn", "qa", QA),
            ], extra_plugins=[second_number])
        self.gateway = self.ws.start_gateway(config)
        self.standin.deliver_callbacks_to(self.gateway.url)

    def inbound(self, sender, sid, instance="sms"):
        status, body = self.gateway.send_sms(
            harness.inbound_params(sender, "hello", message_sid=sid), instance=instance)
        self.assertEqual(status, 200, body)
        db = self.ws.database()
        return harness.wait_until(
            lambda: db.query("SELECT conversation_id FROM messages WHERE provider_message_id = ?",
                             (sid,)), 10, f"message {sid} stored")[0][0]

    def assigned_to(self, conversation_id):
        return self.gateway.api_ok("GET", f"/conversations/{conversation_id}",
                                   SUPERVISOR)["conversation"]["assigned_agent"]

    def wait_assigned(self, conversation_id, agent="al"):
        harness.wait_until(lambda: self.assigned_to(conversation_id) == agent, 10,
                           f"conversation {conversation_id} assigned to {agent}")

    def open_stream(self, token):
        stream = ws_client.WebSocket(self.gateway.port, "/api/v1/stream",
                                     {"Authorization": f"Bearer {token}"})
        self.assertEqual(stream.status, 101, stream.body)
        self.addCleanup(stream.close)
        self.assertEqual(stream.next_event()["type"], "snapshot")
        return stream

    def next_of_type(self, stream, event_type):
        while True:
            event = stream.next_event()
            if event["type"] == event_type:
                return event

    def test_a_note_never_reaches_the_provider_and_is_streamed(self):
        self.start()
        conversation = self.inbound(CUSTOMER, "SM" + "1" * 32)
        self.wait_assigned(conversation)
        stream = self.open_stream(AGENT)

        note = self.gateway.api_ok("POST", f"/conversations/{conversation}/notes", AGENT,
                                   {"body": "wants a refund, check order 17"},
                                   expect=(201,))["note"]
        self.assertEqual(note["author"], "al")
        event = self.next_of_type(stream, "note.added")
        self.assertEqual((event["conversation_id"], event["note_id"], event["author"]),
                         (conversation, note["id"], "al"))
        kinds = [(e["event"]["kind"], e["event"]["data"]) for e in
                 self.gateway.transcript(SUPERVISOR, conversation) if e.get("event")]
        self.assertIn(("note.added", {"note_id": note["id"],
                                      "body": "wants a refund, check order 17"}), kinds)
        status, _ = self.gateway.api("POST", f"/conversations/{conversation}/notes", QA,
                                     {"body": "QA reads only"})
        self.assertEqual(status, 403)

        # The reply after it is the one message the provider gets.
        sent = self.gateway.api_ok("POST", f"/conversations/{conversation}/reply", AGENT,
                                   {"text": "We are on it"}, expect=(202,))
        event = self.next_of_type(stream, "message.sent")
        self.assertEqual((event["message_id"], event["author"]), (sent["message_id"], "al"))
        event = self.next_of_type(stream, "message.status")
        self.assertEqual(event["message_id"], sent["message_id"])
        self.assertIn(event["delivery_state"], ("queued", "sent", "delivered"))
        self.assertEqual([dict(m["form"])["Body"] for m in self.standin.messages()],
                         ["We are on it"])

    def test_preferences(self):
        self.start()
        prefs = self.gateway.api_ok("PUT", "/auth/me/preferences", AGENT,
                                    {"language": "zh-CN", "time_zone": "Asia/Shanghai"})
        self.assertEqual(prefs, {"language": "zh-CN", "time_zone": "Asia/Shanghai"})
        for path in ("/me", "/auth/me"):
            me = self.gateway.api_ok("GET", path, AGENT)
            self.assertEqual((me["language"], me["time_zone"]), ("zh-CN", "Asia/Shanghai"))
        status, error = self.gateway.api("PUT", "/auth/me/preferences", AGENT,
                                         {"time_zone": "Asia/Atlantis"})
        self.assertEqual((status, error["error"], error["field"]),
                         (400, "invalid_field", "time_zone"))
        self.assertEqual(self.gateway.api_ok("PUT", "/auth/me/preferences", AGENT,
                                             {"language": None}),
                         {"language": None, "time_zone": "Asia/Shanghai"})
        self.assertIsNone(self.gateway.api_ok("GET", "/me", SUPERVISOR)["language"])

    def test_canned_responses_by_role(self):
        self.start()
        body = {"shortcut": "refund", "title": "Refund", "language": "en",
                "body": "Hi {{customer.name}}, your refund is on its way. {{agent.name}}"}
        status, _ = self.gateway.api("POST", "/canned-responses", AGENT, body)
        self.assertEqual(status, 403)
        made = self.gateway.api_ok("POST", "/canned-responses", SUPERVISOR, body,
                                   expect=(201,))["canned_response"]
        status, error = self.gateway.api("POST", "/canned-responses", ADMIN, body)
        self.assertEqual((status, error["error"]), (409, "conflict"))
        for token in (AGENT, QA, SUPERVISOR, ADMIN):
            found = self.gateway.api_ok("GET", "/canned-responses?q=REFUND&language=en",
                                        token)["canned_responses"]
            self.assertEqual([r["id"] for r in found], [made["id"]])
        path = f"/canned-responses/{made['id']}"
        changed = self.gateway.api_ok("PUT", path, ADMIN, dict(body, title="Refunds"))
        self.assertEqual(changed["canned_response"]["title"], "Refunds")
        self.assertEqual(self.gateway.api("DELETE", path, AGENT)[0], 403)
        self.assertEqual(self.gateway.api("DELETE", path, SUPERVISOR)[0], 204)
        self.assertEqual(self.gateway.api_ok("GET", "/canned-responses", AGENT),
                         {"canned_responses": []})

    def test_merge_frees_the_agents_capacity(self):
        self.start(sms_capacity=2)
        first = self.inbound(CUSTOMER, "SM" + "2" * 32)
        second = self.inbound(CUSTOMER, "SM" + "3" * 32, instance="sms2")
        self.assertNotEqual(first, second)
        self.wait_assigned(first)
        self.wait_assigned(second)
        waiting = self.inbound("+14155550199", "SM" + "4" * 32)
        self.assertIsNone(self.assigned_to(waiting))  # al is full

        status, error = self.gateway.api("POST", f"/conversations/{first}/merge", SUPERVISOR,
                                         {"from": waiting})
        self.assertEqual((status, error["error"]), (409, "conflict"))  # another customer
        survivor = self.gateway.api_ok("POST", f"/conversations/{first}/merge", AGENT,
                                       {"from": second})["conversation"]
        self.assertEqual((survivor["id"], survivor["channel_instance"]), (first, "sms"))
        absorbed = self.gateway.api_ok("GET", f"/conversations/{second}",
                                       SUPERVISOR)["conversation"]
        self.assertEqual(absorbed["status"], "resolved")
        self.wait_assigned(waiting)
        merged = [e["event"]["data"] for e in self.gateway.transcript(SUPERVISOR, first)
                  if e.get("event") and e["event"]["kind"] == "conversation.merged"]
        self.assertEqual(merged, [{"from": second}])

        # Replies to the survivor go out on its own channel (the first number).
        self.gateway.api_ok("POST", f"/conversations/{first}/reply", AGENT,
                            {"text": "Both your messages are here"}, expect=(202,))
        harness.wait_until(lambda: self.standin.messages(), 10, "the reply sent")
        self.assertEqual([(dict(m["form"])["To"], dict(m["form"])["From"])
                          for m in self.standin.messages()], [(CUSTOMER, harness.OUR_NUMBER)])


if __name__ == "__main__":
    harness.main()
