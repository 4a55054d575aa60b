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


if __name__ == "__main__":
    PROBE_PLUGIN = harness.take_path_option("--probe-plugin")
    harness.main()
