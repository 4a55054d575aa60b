#!/usr/bin/env python3
"""A channel plugin is told what happens to its conversations, through the real binary.

The plugin host's probe plugin (tests/unit/plugin_host/probe) records every on_conversation
notice (GET /channels/probe/notices) and answers get_conversation (GET .../conversation?id=N).
Two customers write; alice, whose admin-set contact holds a phone and a SIP address, comes
online with room for one: the plugin hears the first conversation ASSIGNED to her (display name
and contact included) and the second move up to place 1 in the queue; her typing
(POST /api/v1/conversations/{id}/typing) reaches it, a transfer to bob says who had it, and the
resolution follows — in that order. A blob the plugin streams into the store shows in the
transcript with its Content-ID and disposition.
"""

import hashlib

import harness
import ws_client

ADMIN_TOKEN = "admin-token-notices-0123456789abcdef"
ALICE_TOKEN = "alice-token-notices-0123456789abcdef"
BOB_TOKEN = "bob-token-notices-0123456789abcdef"

ASSIGNED, TRANSFERRED, RESOLVED, CLOSED, AGENT_TYPING, QUEUE_CHANGED = 1, 2, 3, 4, 5, 6
CONTACT = {"phone": "+441632960001", "sip": "sip:alice@pbx.example"}
PROBE_PLUGIN = None  # --probe-plugin


class ConversationNoticesTest(harness.IntegrationCase):

    def config(self):
        return {
            "server": {"listen": "127.0.0.1:0", "worker_threads": 2},
            "storage": {"data_dir": self.ws.workdir + "/data"},
            "log": {"level": "info"},
            "plugins": [{"instance": "probe", "file": PROBE_PLUGIN}],
            "agents": [{"id": "alice", "display_name": "Alice", "capacity": {"sms": 1},
                        "presence": "offline"},
                       {"id": "bob", "display_name": "Bob", "capacity": {"sms": 2},
                        "presence": "offline"}],
            "users": [harness.user("ada", "admin", ADMIN_TOKEN),
                      harness.user("alice", "agent", ALICE_TOKEN, agent_id="alice"),
                      harness.user("bob", "agent", BOB_TOKEN, agent_id="bob")],
        }

    def probe(self, gateway, method, route, body=None):
        status, raw = harness.http_request(
            method, f"{gateway.url}/channels/probe/{route}",
            None if body is None else harness.json.dumps(body).encode(),
            {"Content-Type": "application/json"})
        return status, raw

    def notices(self, gateway, conversation_id=None):
        status, raw = self.probe(gateway, "GET", "notices")
        self.assertEqual(status, 200)
        return [n for n in harness.decode_json(raw)
                if conversation_id is None or n["conversation_id"] == conversation_id]

    def wait_notice(self, gateway, conversation_id, change, what, **fields):
        def found():
            for n in self.notices(gateway, conversation_id):
                if n["change"] == change and all(n.get(k) == v for k, v in fields.items()):
                    return n
            return None
        return harness.wait_until(found, 30, what)

    def conversation_state(self, gateway, conversation_id):
        status, raw = self.probe(gateway, "GET", f"conversation?id={conversation_id}")
        self.assertEqual(status, 200, raw)
        return harness.decode_json(raw)

    def test_assignment_typing_transfer_resolution_and_queue_places_reach_the_plugin(self):
        gateway = self.ws.start_gateway(self.config())
        alice = gateway.api_ok("PUT", "/admin/agents/alice", ADMIN_TOKEN,
                               {"display_name": "Alice", "capacity": {"sms": 1},
                                "contact": CONTACT})
        self.assertEqual(alice["contact"], CONTACT)

        for message_id, sender in (("m1", "+14155550101"), ("m2", "+14155550102")):
            status, raw = self.probe(gateway, "POST", "inbound",
                                     {"id": message_id, "from": sender, "text": "hello"})
            self.assertEqual((status, raw), (200, b"stored\n"))
        ids = harness.wait_until(
            lambda: sorted(c["id"] for c in gateway.conversations(ADMIN_TOKEN)
                           if c["status"] == "queued") or None, 30, "two queued conversations")
        first, second = ids
        self.wait_notice(gateway, second, QUEUE_CHANGED, "the second one's place 2",
                         queue_position=2, status="waiting")

        gateway.api_ok("PUT", "/agents/me/presence", ALICE_TOKEN, {"presence": "online"})
        assigned = self.wait_notice(gateway, first, ASSIGNED, "the first one assigned to alice")
        self.assertEqual((assigned["agent_id"], assigned["agent_display_name"]), ("alice", "Alice"))
        self.assertEqual(assigned["agent_contact"], CONTACT)
        self.assertEqual(assigned["status"], "assigned")
        self.assertEqual(assigned["customer_address"], "+14155550101")
        self.wait_notice(gateway, second, QUEUE_CHANGED, "the second one up to place 1",
                         queue_position=1)
        self.assertEqual(self.conversation_state(gateway, second)["queue_position"], 1)
        state = self.conversation_state(gateway, first)
        self.assertEqual((state["status"], state["agent_id"], state["agent_contact"]),
                         ("assigned", "alice", CONTACT))
        status, _ = self.probe(gateway, "GET", "conversation?id=999999")
        self.assertEqual(status, 404)

        self.assertEqual(gateway.api_ok("POST", f"/conversations/{first}/typing", ALICE_TOKEN,
                                        expect=(202,)), {"status": "sent"})
        self.wait_notice(gateway, first, AGENT_TYPING, "alice typing", agent_id="alice")
        status, _ = gateway.api("POST", f"/conversations/{second}/typing", ALICE_TOKEN)
        self.assertEqual(status, 403)

        gateway.api_ok("PUT", "/agents/me/presence", BOB_TOKEN, {"presence": "online"})
        self.wait_notice(gateway, second, ASSIGNED, "the second one assigned to bob",
                         agent_id="bob")
        gateway.api_ok("POST", f"/conversations/{first}/transfer", ALICE_TOKEN,
                       {"agent_id": "bob"})
        moved = self.wait_notice(gateway, first, TRANSFERRED, "the transfer to bob")
        self.assertEqual((moved["agent_id"], moved["previous_agent_id"]), ("bob", "alice"))
        gateway.api_ok("POST", f"/conversations/{first}/resolve", BOB_TOKEN)
        self.wait_notice(gateway, first, RESOLVED, "the resolution")

        # One conversation's notices arrive in the order they happened.
        self.assertEqual([n["change"] for n in self.notices(gateway, first)],
                         [QUEUE_CHANGED, ASSIGNED, AGENT_TYPING, TRANSFERRED, RESOLVED])

    def test_a_streamed_blob_shows_in_the_transcript_with_its_content_id(self):
        gateway = self.ws.start_gateway(self.config())
        chunks = ["a" * 50000, "b" * 50000, "end"]
        status, raw = self.probe(gateway, "POST", "blob",
                                 {"chunks": chunks, "id": "b1", "from": "+14155550103",
                                  "filename": "logo.png", "content_id": "logo@example",
                                  "disposition": "inline"})
        sha = hashlib.sha256("".join(chunks).encode()).hexdigest()
        self.assertEqual((status, raw), (200, f"sha256:{sha}".encode()))
        conversation = harness.wait_until(
            lambda: gateway.conversations(ADMIN_TOKEN), 30, "the conversation")[0]
        entries = gateway.transcript(ADMIN_TOKEN, conversation["id"])
        attachments = [a for e in entries if e.get("message") for a in e["message"]["attachments"]]
        self.assertEqual(len(attachments), 1, entries)
        a = attachments[0]
        self.assertEqual((a["sha256"], a["size"], a["content_id"], a["disposition"]),
                         (sha, 100003, "logo@example", "inline"))


class VisitorLiveEventsTest(harness.IntegrationCase):
    """ABI 2.1 through the real binary, the probe in-process and in a plugin-host process:

    a customer's message reaches the agents' event stream as message.received and a plugin's
    signal() as customer.signal — the supervisor and the assigned agent see both, another agent
    neither; channel_availability() follows an agent going online, taking the conversation and
    going away.
    """

    SUPERVISOR_TOKEN = "sam-token-live-0123456789abcdef"

    def config(self, isolation):
        return {
            "server": {"listen": "127.0.0.1:0", "worker_threads": 2},
            "storage": {"data_dir": self.ws.workdir + "/data"},
            "log": {"level": "info"},
            "plugins": [{"instance": "probe", "file": PROBE_PLUGIN, "isolation": isolation}],
            "agents": [{"id": "alice", "display_name": "Alice", "capacity": {"sms": 1},
                        "skills": {"billing": 3}, "presence": "offline"},
                       {"id": "bob", "display_name": "Bob", "capacity": {"sms": 2},
                        "presence": "offline"}],
            "users": [harness.user("ada", "admin", ADMIN_TOKEN),
                      harness.user("sam", "supervisor", self.SUPERVISOR_TOKEN),
                      harness.user("alice", "agent", ALICE_TOKEN, agent_id="alice"),
                      harness.user("bob", "agent", BOB_TOKEN, agent_id="bob")],
        }

    def probe(self, gateway, route, body):
        status, raw = harness.http_request(
            "POST", f"{gateway.url}/channels/probe/{route}", harness.json.dumps(body).encode(),
            {"Content-Type": "application/json"})
        self.assertEqual(status, 200, raw)
        return harness.decode_json(raw)

    def stream(self, gateway, token):
        stream = ws_client.WebSocket(gateway.port, "/api/v1/stream",
                                     {"Authorization": f"Bearer {token}"})
        self.assertEqual(stream.status, 101, stream.body)
        self.addCleanup(stream.close)
        self.assertEqual(stream.next_event()["type"], "snapshot")
        return stream

    def next_of(self, stream, predicate, seen=None):
        """The first event `predicate` accepts; those before it go to `seen`."""
        while True:
            event = stream.next_event()
            if predicate(event):
                return event
            if seen is not None:
                seen.append(event)

    def availability(self, gateway, **expected):
        def matches():
            a = self.probe(gateway, "availability", {"skills": [["billing", 2]]})
            return a if all(a[k] == v for k, v in expected.items()) else None
        return harness.wait_until(matches, 30, f"availability {expected}")

    def check_visitor_live_events(self, isolation):
        gateway = self.ws.start_gateway(self.config(isolation))
        supervisor = self.stream(gateway, self.SUPERVISOR_TOKEN)
        alice = self.stream(gateway, ALICE_TOKEN)
        bob = self.stream(gateway, BOB_TOKEN)

        self.assertEqual(self.probe(gateway, "availability", {})["status"], 0)
        self.availability(gateway, status=0, agents_online=0, agents_free=0, expected_wait_ms=-1)
        gateway.api_ok("PUT", "/agents/me/presence", ALICE_TOKEN, {"presence": "online"})
        # bob has no billing skill: never counted for this question.
        gateway.api_ok("PUT", "/agents/me/presence", BOB_TOKEN, {"presence": "online"})
        self.availability(gateway, agents_online=1, agents_free=1, queued=0, expected_wait_ms=0)
        everyone = self.probe(gateway, "availability", {})
        self.assertEqual((everyone["agents_online"], everyone["agents_free"]), (2, 2))

        self.probe_inbound(gateway, "v1", "hello")
        received = self.next_of(supervisor, lambda e: e["type"] == "message.received")
        conversation = received["conversation_id"]
        self.assertEqual(received["channel_kind"], "sms")
        self.assertIsInstance(received["message_id"], int)
        assigned = self.next_of(supervisor, lambda e: e["type"] == "conversation.assigned"
                                and e["conversation_id"] == conversation) \
            if received["agent"] is None else received
        holder = assigned["agent"]
        holder_stream, other_stream, other_token = (
            (alice, bob, BOB_TOKEN) if holder == "alice" else (bob, alice, ALICE_TOKEN))

        self.probe_inbound(gateway, "v2", "are you there?")
        second = self.next_of(supervisor, lambda e: e["type"] == "message.received")
        self.assertEqual((second["conversation_id"], second["agent"], second["state"]),
                         (conversation, holder, "assigned"))
        self.assertGreater(second["message_id"], received["message_id"])
        mine = self.next_of(holder_stream, lambda e: e["type"] == "message.received"
                            and e["message_id"] == second["message_id"])
        self.assertEqual(mine["agent"], holder)

        answer = self.probe(gateway, "signal", {"conversation_id": conversation, "kind": "typing",
                                                "data": {"chars": 12}})
        self.assertEqual(answer, {"status": 0, "error": ""})
        for stream in (supervisor, holder_stream):
            signal = self.next_of(stream, lambda e: e["type"] == "customer.signal")
            self.assertEqual((signal["conversation_id"], signal["signal"], signal["data"],
                              signal["agent"]), (conversation, "typing", {"chars": 12}, holder))
        refused = self.probe(gateway, "signal", {"conversation_id": 987654, "kind": "typing"})
        self.assertEqual(refused["status"], 6, refused)  # OG_NOT_FOUND
        refused = self.probe(gateway, "signal", {"conversation_id": conversation, "kind": "Typing"})
        self.assertEqual(refused["status"], 4, refused)  # OG_PERMANENT

        # The other agent saw neither: everything before their own presence change is checked.
        gateway.api_ok("PUT", "/agents/me/presence", other_token, {"presence": "away"})
        seen = []
        self.next_of(other_stream, lambda e: e["type"] == "agent.presence"
                     and e["presence"] == "away", seen)
        self.assertEqual([e for e in seen if e.get("conversation_id") == conversation], [], seen)

        if holder == "alice":
            # alice holds her one sms: still online, no longer free.
            self.availability(gateway, agents_online=1, agents_free=0)
        gateway.api_ok("PUT", "/agents/me/presence", ALICE_TOKEN, {"presence": "away"})
        self.availability(gateway, agents_online=0, agents_free=0, expected_wait_ms=-1)

    def probe_inbound(self, gateway, message_id, text):
        status, raw = harness.http_request(
            "POST", f"{gateway.url}/channels/probe/inbound",
            harness.json.dumps({"id": message_id, "from": "+14155550109", "text": text}).encode(),
            {"Content-Type": "application/json"})
        self.assertEqual((status, raw), (200, b"stored\n"))

    def test_in_process(self):
        self.check_visitor_live_events("in_process")

    def test_in_a_plugin_host_process(self):
        self.check_visitor_live_events("process")


class LiveContactTest(harness.IntegrationCase):
    """ABI 2.2 through the real binary, the probe in-process and in a plugin-host process:

    customer_lookup() finds the caller's record by a phone number however it is spelled;
    conversation_action() is checked at once (bad kind or data, a conversation not of the
    instance, an unknown thread key) and otherwise handed to routing, whose refusal (a transfer to
    an agent nobody knows) comes back to the plugin's completion as OG_CONFIG; an agent's
    POST /conversations/{id}/command reaches the plugin's on_command with the call's thread key
    and is answered from what the plugin said (202, 409, 400), after the API's own checks (400,
    403, 404).
    """

    SUPERVISOR_TOKEN = "sam-token-live-0123456789abcdef"
    OK, CONFIG, PERMANENT, NOT_FOUND = 0, 2, 4, 6
    TRANSFER, ENDED = 5, 4

    def config(self, isolation):
        return {
            "server": {"listen": "127.0.0.1:0", "worker_threads": 2},
            "storage": {"data_dir": self.ws.workdir + "/data"},
            "log": {"level": "info"},
            "plugins": [{"instance": "probe", "file": PROBE_PLUGIN, "isolation": isolation}],
            "agents": [{"id": "alice", "display_name": "Alice", "capacity": {"sms": 1},
                        "presence": "offline"},
                       {"id": "bob", "display_name": "Bob", "capacity": {"sms": 1},
                        "presence": "offline"}],
            "users": [harness.user("ada", "admin", ADMIN_TOKEN),
                      harness.user("sam", "supervisor", self.SUPERVISOR_TOKEN),
                      harness.user("alice", "agent", ALICE_TOKEN, agent_id="alice"),
                      harness.user("bob", "agent", BOB_TOKEN, agent_id="bob")],
        }

    def probe(self, gateway, method, route, body=None):
        status, raw = harness.http_request(
            method, f"{gateway.url}/channels/probe/{route}",
            None if body is None else harness.json.dumps(body).encode(),
            {"Content-Type": "application/json"})
        return status, raw

    def probe_json(self, gateway, route, body):
        status, raw = self.probe(gateway, "POST", route, body)
        self.assertEqual(status, 200, raw)
        return harness.decode_json(raw)

    def command(self, gateway, token, conversation, body):
        return gateway.api("POST", f"/conversations/{conversation}/command", token,
                           harness.json.dumps(body).encode())

    def check_live_contact(self, isolation):
        gateway = self.ws.start_gateway(self.config(isolation))
        status, raw = self.probe(gateway, "POST", "inbound",
                                 {"id": "c1", "from": "+14155550109", "text": "[call]",
                                  "thread": "CA100"})
        self.assertEqual((status, raw), (200, b"stored\n"))
        conversation = harness.wait_until(
            lambda: next(iter(gateway.conversations(ADMIN_TOKEN)), None), 30,
            "the call's conversation")["id"]

        # customer_lookup: the caller's record, by the number however it is spelled.
        found = self.probe_json(gateway, "customer", {"kind": "phone", "address": "+1 415 555 0109"})
        self.assertEqual((found["status"], found["tier"], found["open_conversations"]),
                         (self.OK, "C", 1), found)
        self.assertGreater(found["customer_id"], 0)
        unknown = self.probe_json(gateway, "customer", {"kind": "phone", "address": "+14155550100"})
        self.assertEqual(unknown["status"], self.NOT_FOUND, unknown)

        # conversation_action: refused at once ...
        for body, status, named in (
                ({"kind": 9, "conversation_id": conversation}, self.PERMANENT, "kind"),
                ({"kind": self.ENDED, "conversation_id": conversation, "data": [1]},
                 self.PERMANENT, "data_json"),
                ({"kind": self.TRANSFER, "conversation_id": conversation}, self.PERMANENT,
                 "agent_id"),
                ({"kind": self.ENDED, "conversation_id": 987654}, self.NOT_FOUND, "987654"),
                ({"kind": self.ENDED, "thread_key": "CA999"}, self.NOT_FOUND, "thread_key")):
            answer = self.probe_json(gateway, "action", body)
            self.assertEqual(answer["status"], status, (body, answer))
            self.assertIn(named, answer["error"], (body, answer))
        # ... or handed to routing, found by the call's thread key; routing refuses a transfer to
        # an agent it does not know, and the plugin's completion says so.
        answer = self.probe_json(gateway, "action", {"kind": self.TRANSFER, "thread_key": "CA100",
                                                     "agent_id": "nobody", "done_key": "t1"})
        self.assertEqual(answer, {"status": self.OK, "error": ""})

        def done():
            status, raw = self.probe(gateway, "GET", "kv?key=t1")
            return harness.decode_json(raw) if status == 200 else None
        self.assertEqual(harness.wait_until(done, 30, "the action's completion"),
                         {"status": self.CONFIG, "id": conversation})
        self.assertIn("instance probe: transfer action on conversation "
                      f"{conversation} refused by routing", gateway.log_text())

        # An agent's command, once alice has the call.
        gateway.api_ok("PUT", "/agents/me/presence", ALICE_TOKEN, {"presence": "online"})
        harness.wait_until(
            lambda: gateway.api_ok("GET", f"/conversations/{conversation}",
                                   ADMIN_TOKEN)["conversation"]["assigned_agent"] == "alice", 30,
            "alice has the call")
        status, body = self.command(gateway, ALICE_TOKEN, conversation,
                                    {"command": "recording.pause", "data": {"why": "card"}})
        self.assertEqual((status, body), (202, {"status": "done"}))
        status, raw = self.probe(gateway, "GET", "commands")
        self.assertEqual(harness.decode_json(raw),
                         [{"conversation_id": conversation, "thread_key": "CA100",
                           "command": "recording.pause", "data": {"why": "card"},
                           "agent_id": "alice"}])
        status, body = self.command(gateway, self.SUPERVISOR_TOKEN, conversation,
                                    {"command": "call.gone"})
        self.assertEqual((status, body["message"]), (409, "the call has ended"), body)
        status, body = self.command(gateway, ADMIN_TOKEN, conversation, {"command": "fax.send"})
        self.assertEqual((status, body["message"]), (400, "unknown command fax.send"), body)
        status, body = self.command(gateway, ALICE_TOKEN, conversation, {"command": "Pause!"})
        self.assertEqual((status, body["error"], body["field"]), (400, "invalid_field", "command"))
        status, body = self.command(gateway, BOB_TOKEN, conversation,
                                    {"command": "recording.pause"})
        self.assertEqual(status, 403, body)
        status, body = self.command(gateway, ADMIN_TOKEN, 987654, {"command": "recording.pause"})
        self.assertEqual(status, 404, body)
        status, raw = self.probe(gateway, "GET", "commands")
        self.assertEqual(len(harness.decode_json(raw)), 3)  # the API's refusals reached nobody

    def test_in_process(self):
        self.check_live_contact("in_process")

    def test_in_a_plugin_host_process(self):
        self.check_live_contact("process")


if __name__ == "__main__":
    PROBE_PLUGIN = harness.take_path_option("--probe-plugin")
    harness.main()
