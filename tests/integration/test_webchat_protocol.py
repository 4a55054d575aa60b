#!/usr/bin/env python3
"""The web chat's promise, tried with a plain WebSocket client against the real binary: what a
visitor sends reaches the agent side exactly once and in order, and every agent reply reaches the
visitor exactly once — across dropped connections, a gateway killed with SIGKILL, several tabs
and page reloads (plugins/webchat/README.md, "Resume").
"""

import json
import random

import harness
import webchat_client as wc

ADMIN_TOKEN = "admin-token-webchat-0123456789abcdef"
ALICE_TOKEN = "alice-token-webchat-0123456789abcdef"


class WebchatProtocolTest(harness.IntegrationCase):

    def config(self, alice_presence="online", isolation=None, alice_capacity=5, **webchat):
        return {
            "server": {"listen": "127.0.0.1:0", "worker_threads": 2},
            "storage": {"data_dir": self.ws.workdir + "/data"},
            "log": {"level": "info"},
            "plugins": [wc.webchat_plugin(isolation=isolation, **webchat)],
            "agents": [{"id": "alice", "display_name": "Alice", "skills": {"webchat": 1},
                        "capacity": {"webchat": alice_capacity}, "presence": alice_presence}],
            "users": [harness.user("ada", "admin", ADMIN_TOKEN),
                      harness.user("alice", "agent", ALICE_TOKEN, agent_id="alice")],
        }

    def conversation_of(self, gateway, visitor):
        session = visitor.welcome["session"]
        return harness.wait_until(
            lambda: next((c["id"] for c in gateway.conversations(ADMIN_TOKEN, channel="webchat")
                          if c["customer_address"] == session), None), 30,
            "the visitor's conversation")

    def reply(self, gateway, conversation_id, text):
        gateway.api_ok("POST", f"/conversations/{conversation_id}/reply", ALICE_TOKEN,
                       {"text": text}, expect=(202,))

    def inbound_texts(self, gateway, conversation_id):
        return [e["message"]["body_text"] for e in gateway.transcript(ADMIN_TOKEN, conversation_id)
                if e["type"] == "message" and e["message"]["direction"] == "in"]

    def drain(self, visitor, done, what, timeout=60):
        """Reads until done() holds, reconnecting if the connection goes quiet or drops."""
        def step():
            try:
                visitor.read(timeout=2)
            except (TimeoutError, OSError, wc.ws_client.Closed):
                visitor.drop()
                visitor.connect()
            return done()
        harness.wait_until(step, timeout, what, interval=0)

    def test_a_thousand_messages_with_random_drops_and_a_kill_arrive_exactly_once_in_order(self):
        seed = random.randrange(1 << 30)
        print(f"seed {seed}")
        rng = random.Random(seed)
        gateway = self.ws.start_gateway(self.config(messages_per_second=1000, burst=1000))
        visitor = wc.Visitor(gateway.port, profile={"name": "Vera", "email": "vera@example.com"})
        visitor.connect()
        texts = [f"message {i:04d}" for i in range(1000)]
        replies = []
        conversation_id = None
        for i, text in enumerate(texts):
            visitor.say(f"m{i:04d}", text)
            if rng.random() < 0.7:
                visitor.pump()  # a browser reads what arrives; sometimes a drop comes first
            if i == 0:
                harness.wait_until(lambda: visitor.pump() or "m0000" in visitor.acks, 30,
                                   "the first ack")
                conversation_id = self.conversation_of(gateway, visitor)
            if i % 25 == 24:
                replies.append(f"reply {len(replies):02d}")
                self.reply(gateway, conversation_id, replies[-1])
            if i == 500:
                # SIGKILL with messages in flight: acknowledged ones must survive it, the others
                # are sent again and stored once.
                gateway.kill()
                visitor.drop()
                gateway.start()
                visitor.port = gateway.port
                visitor.connect()
            elif rng.random() < 0.3:
                # A drop every few messages, often with acks and entries still on their way.
                visitor.drop()
                visitor.connect()

        self.drain(visitor, lambda: not visitor.unacked and
                   len(visitor.messages("agent")) == len(replies),
                   "every message acknowledged and every reply received")

        # The agent side: each message once, in the order sent.
        self.assertEqual(self.inbound_texts(gateway, conversation_id), texts)
        # The visitor's log: its own messages once each, in order, and every reply once.
        self.assertEqual([m["text"] for m in visitor.messages("visitor")], texts)
        self.assertEqual([m["text"] for m in visitor.messages("agent")], replies)
        self.assertEqual(sorted(visitor.entries), list(range(1, len(visitor.entries) + 1)))
        self.assertEqual(len(set(visitor.acks.values())), len(texts))

    def test_two_tabs_and_a_reload_see_the_same_conversation(self):
        # In a plugin-host process of its own: the same promises hold across the process line.
        gateway = self.ws.start_gateway(self.config(isolation="process"))
        first = wc.Visitor(gateway.port, profile={"name": "Tom"})
        first.connect()
        second = wc.Visitor(gateway.port)
        second.token, second.epoch = first.token, first.epoch
        second.connect()
        self.assertEqual(second.welcome["session"], first.welcome["session"])

        first.say("a1", "from the first tab")
        second.read_until(lambda m: m.get("text") == "from the first tab")
        second.say("b1", "from the second tab")
        first.read_until(lambda m: m.get("text") == "from the second tab")
        conversation_id = self.conversation_of(gateway, first)
        self.reply(gateway, conversation_id, "to both tabs")
        for tab in (first, second):
            tab.read_until(lambda m: m.get("text") == "to both tabs")

        # A reload: the page starts with nothing but the token and asks for everything.
        reloaded = wc.Visitor(gateway.port)
        reloaded.token = first.token
        reloaded.connect()
        self.drain(reloaded, lambda: len(reloaded.messages()) == 3, "the replayed history")
        self.assertEqual([m["text"] for m in reloaded.messages()],
                         ["from the first tab", "from the second tab", "to both tabs"])
        self.assertEqual(reloaded.entries, first.entries)

    def test_entries_too_old_to_replay_are_reported_as_a_gap(self):
        gateway = self.ws.start_gateway(self.config(alice_presence="offline", replay_limit=10,
                                                    messages_per_second=100, burst=100))
        visitor = wc.Visitor(gateway.port)
        visitor.connect()
        for i in range(30):
            visitor.say(f"m{i}", f"text {i}")
        self.drain(visitor, lambda: not visitor.unacked, "30 acks")

        late = wc.Visitor(gateway.port)
        late.token, late.epoch = visitor.token, visitor.epoch
        late.connect()
        self.drain(late, lambda: 30 in late.entries, "the kept entries")
        gaps = [s for s in late.signals if s.get("type") == "gap"]
        self.assertEqual(gaps, [{"type": "gap", "from": 1, "to": 20}])
        self.assertEqual(sorted(late.entries), list(range(21, 31)))

        # A client holding another epoch's numbers is told to start over.
        stranger = wc.Visitor(gateway.port)
        stranger.token, stranger.epoch = visitor.token, "0123456789abcdef"
        stranger.entries = {1: {"type": "message", "seq": 1}}
        welcome = stranger.connect()
        self.assertTrue(welcome["reset"])
        self.assertEqual(welcome["epoch"], visitor.epoch)

    def test_waiting_visitors_see_the_queue_and_the_offline_form_when_nobody_can_take_them(self):
        gateway = self.ws.start_gateway(self.config(alice_presence="offline", alice_capacity=1))
        def status():
            code, raw = harness.http_request("GET", f"{gateway.url}/channels/webchat/status",
                                             headers={"Origin": wc.ORIGIN})
            self.assertEqual(code, 200)
            return harness.decode_json(raw)
        self.assertEqual((status()["online"], status()["reason"]), (False, "no_agents"))

        first, second = wc.Visitor(gateway.port), wc.Visitor(gateway.port)
        for visitor, text in ((first, "first in line"), (second, "second in line")):
            visitor.connect()
            self.assertFalse(visitor.welcome["online"])
            visitor.say("w1", text)
            visitor.read_until(lambda m: m.get("type") == "ack")
        places = {}
        for visitor in (first, second):
            # The queue notice and the ack race (both follow the commit): the notice may have
            # been read already, while waiting for the ack.
            read = [m for m in visitor.signals if m.get("type") == "queue"]
            notice = read[-1] if read else visitor.read_until(lambda m: m.get("type") == "queue")
            places[visitor] = notice["position"]
        self.assertEqual(sorted(places.values()), [1, 2])
        # A reload while waiting: the welcome says where the conversation stands.
        again = wc.Visitor(gateway.port)
        again.token = second.token
        self.assertEqual(again.connect()["state"]["status"], "waiting")
        self.assertEqual(again.welcome["state"]["queue_position"], 2)

        # Alice comes online with room for one: the first is assigned, the second moves up.
        gateway.api_ok("PUT", "/agents/me/presence", ALICE_TOKEN, {"presence": "online"})
        first.read_until(lambda m: m.get("type") == "event" and m["kind"] == "agent_joined")
        moved = second.read_until(lambda m: m.get("type") == "queue")
        self.assertEqual(moved["position"], 1)
        harness.wait_until(lambda: status()["online"], 30, "the chat to be online")

    def test_typing_read_receipts_resolution_and_satisfaction(self):
        gateway = self.ws.start_gateway(self.config())
        stream = wc.ws_client.WebSocket(gateway.port, "/api/v1/stream",
                                        {"Authorization": f"Bearer {ALICE_TOKEN}"})
        self.assertEqual(stream.status, 101, stream.body)
        self.addCleanup(stream.close)
        visitor = wc.Visitor(gateway.port, profile={"name": "Uma"})
        visitor.connect()
        visitor.say("q1", "where is my parcel?")
        visitor.read_until(lambda m: m.get("type") == "event" and m["kind"] == "agent_joined")
        conversation_id = self.conversation_of(gateway, visitor)

        # The agent's event stream: the visitor's messages as they are stored, once each and in
        # order, and the visitor typing (never stored).
        visitor.say("q2", "it was due on Monday")
        visitor.send({"type": "typing", "on": True})
        seen = []
        def stream_has_everything():
            event = stream.next_event()
            if event.get("conversation_id") == conversation_id and event["type"] in (
                    "message.received", "customer.signal"):
                seen.append(event)
            return any(e["type"] == "customer.signal" for e in seen) and \
                len([e for e in seen if e["type"] == "message.received"]) >= 2
        harness.wait_until(stream_has_everything, 30, "messages and typing on alice's stream",
                           interval=0)
        received = [e["message_id"] for e in seen if e["type"] == "message.received"]
        stored = [e["message"]["id"] for e in gateway.transcript(ADMIN_TOKEN, conversation_id)
                  if e["type"] == "message" and e["message"]["direction"] == "in"]
        self.assertEqual(received, stored)
        typing = next(e for e in seen if e["type"] == "customer.signal")
        self.assertEqual((typing["signal"], typing["data"], typing["agent"]),
                         ("typing", {"on": True}, "alice"))

        gateway.api_ok("POST", f"/conversations/{conversation_id}/typing", ALICE_TOKEN,
                       expect=(200, 202, 204))
        typing = visitor.read_until(lambda m: m.get("type") == "typing")
        self.assertEqual((typing["on"], typing["name"]), (True, "Alice"))

        self.reply(gateway, conversation_id, "on its way")
        answer = visitor.read_until(lambda m: m.get("author") == "agent")
        visitor.send({"type": "seen", "seq": answer["seq"]})

        def delivery_state():
            for e in gateway.transcript(ADMIN_TOKEN, conversation_id):
                if e["type"] == "message" and e["message"]["direction"] == "out":
                    return e["message"]["delivery_state"] == "read"
            return False
        harness.wait_until(delivery_state, 30, "the reply marked read")

        # Nothing to rate before the conversation is resolved.
        visitor.send({"type": "csat", "score": 5})
        refused = visitor.read_until(lambda m: m.get("type") == "error")
        self.assertEqual(refused["code"], "bad_field")
        gateway.api_ok("POST", f"/conversations/{conversation_id}/resolve", ALICE_TOKEN)
        visitor.read_until(lambda m: m.get("type") == "event" and m["kind"] == "resolved")
        visitor.send({"type": "csat", "score": 4, "comment": "quick, thanks"})
        visitor.read_until(lambda m: m.get("type") == "csat_thanks")
        csat = [e["event"] for e in gateway.transcript(ADMIN_TOKEN, conversation_id)
                if e["type"] == "event" and e["event"]["kind"] == "csat.answered"]
        self.assertEqual(len(csat), 1)
        self.assertEqual((csat[0]["data"]["score"], csat[0]["data"]["comment"]),
                         (4, "quick, thanks"))
        # Rated once: a second answer is refused.
        visitor.send({"type": "csat", "score": 1})
        self.assertEqual(visitor.read_until(lambda m: m.get("type") == "error")["code"],
                         "bad_field")

    def test_a_verified_identity_joins_its_customer_and_a_claim_never_merges(self):
        gateway = self.ws.start_gateway(self.config())
        email = "kim@example.com"
        digest = wc.identity_hash(email)
        signed_in = wc.Visitor(gateway.port, identity={"kind": "email", "id": email,
                                                       "hash": digest})
        signed_in.connect()
        signed_in.say("k1", "signed in on the laptop")
        signed_in.read_until(lambda m: m.get("type") == "ack")
        # The same user on a phone: another session, the same customer.
        phone = wc.Visitor(gateway.port, identity={"kind": "email", "id": email,
                                                   "hash": digest.upper()})
        phone.connect()
        self.assertNotEqual(phone.welcome["session"], signed_in.welcome["session"])
        phone.say("k2", "and on the phone")
        phone.read_until(lambda m: m.get("type") == "ack")
        # Someone typing the same address into the pre-chat form: a customer of their own.
        claimant = wc.Visitor(gateway.port, profile={"name": "Not Kim", "email": email})
        claimant.connect()
        claimant.say("c1", "I am Kim, honestly")
        claimant.read_until(lambda m: m.get("type") == "ack")

        db = self.ws.database()
        def customer_of(text):
            return harness.wait_until(lambda: db.scalar(
                "SELECT c.customer_id FROM messages m JOIN conversations c"
                " ON c.id = m.conversation_id WHERE m.body_text = ?", (text,)), 30, text)
        kim = customer_of("signed in on the laptop")
        self.assertEqual(customer_of("and on the phone"), kim)
        self.assertNotEqual(customer_of("I am Kim, honestly"), kim)
        identities = db.query("SELECT kind, address FROM identities WHERE customer_id = ?",
                              (kim,))
        self.assertIn(("email", email), [tuple(i) for i in identities])


if __name__ == "__main__":
    harness.main()
