#!/usr/bin/env python3
"""Check 3: SMS end to end through the real gateway, the real plugin and the Twilio stand-in.

1,000 signed inbound SMS from 100 numbers, 10% of them delivered twice with the same
MessageSid (a provider retry), posted concurrently → exactly 1,000 messages in 100
conversations of 100 customers (API and SQLite file agree); every conversation goes to an agent
with the `sms` skill and never to the agents without it; agents' replies reach the provider
exactly once each with the right To/From/Body; the provider's status callbacks mark them
delivered; the transcript shows all of it in causal order.
"""

import collections
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import harness

CUSTOMERS = 100
MESSAGES_PER_CUSTOMER = 10
RETRIED_FRACTION = 0.10
POSTING_THREADS = 16
REPLIES = 5

SMS_AGENTS = ["alice", "bob", "carol", "dave"]       # capacity 30 each: room for all 100
OTHER_AGENTS = ["erin", "frank"]                     # no sms skill, yet plenty of sms capacity
SUPERVISOR_TOKEN = "supervisor-token-e2e"


def agent_token(agent_id):
    return f"{agent_id}-token-e2e"


def customer_number(i):
    return f"+1415555{i:04d}"


class SmsEndToEndTest(harness.IntegrationCase):

    def start_system(self):
        standin = self.ws.start_standin()
        agents = [harness.agent(a, {"sms": 3}, 30) for a in SMS_AGENTS]
        agents += [harness.agent(a, {"billing": 5}, 50) for a in OTHER_AGENTS]
        users = [harness.user(a, "agent", agent_token(a), a) for a in SMS_AGENTS + OTHER_AGENTS]
        users.append(harness.user("sam", "supervisor", SUPERVISOR_TOKEN))
        gateway = self.ws.start_gateway(self.ws.sms_config(
            standin, agents, users,
            outbox={"initial_backoff_ms": 200, "max_backoff_ms": 2000, "poll_interval_ms": 200},
            # The policy's default global cap (10 per agent, docs/routing.md) would leave 60 of
            # the 100 conversations queued; the agents' own sms capacity (30) is the limit here.
            routing={"capacity": {"total": 50}}))
        standin.deliver_callbacks_to(gateway.url)
        return standin, gateway

    def post_inbound_traffic(self, gateway):
        """1,000 distinct messages + 100 retries of some of them, shuffled, 16 threads.
        Returns {MessageSid: (from, body)} of the distinct messages."""
        rng = random.Random(20261123)  # fixed: a failure can be replayed
        originals = []
        for c in range(CUSTOMERS):
            for m in range(MESSAGES_PER_CUSTOMER):
                params = harness.inbound_params(customer_number(c), f"customer {c} message {m}")
                originals.append((params, f"token-{c}-{m}"))
        retried = rng.sample(originals, int(len(originals) * RETRIED_FRACTION))
        deliveries = originals + retried  # a retry: same fields, signature and Twilio token
        rng.shuffle(deliveries)

        statuses = collections.Counter()
        failures = []
        lock = threading.Lock()

        def deliver(delivery):
            params, token = delivery
            status, body = gateway.send_sms(params, idempotency_token=token)
            with lock:
                statuses[status] += 1
                if status != 200:
                    failures.append((dict(params)["MessageSid"], status, body[:200]))

        with ThreadPoolExecutor(POSTING_THREADS) as pool:
            list(pool.map(deliver, deliveries))
        self.assertEqual(failures, [], f"every webhook must be acknowledged; statuses {statuses}")
        self.assertEqual(statuses[200], len(deliveries))
        return {dict(p)["MessageSid"]: (dict(p)["From"], dict(p)["Body"]) for p, _ in originals}

    def test_sms_end_to_end(self):
        standin, gateway = self.start_system()
        sent = self.post_inbound_traffic(gateway)

        # --- routing: every conversation assigned, only ever to an agent with the sms skill.
        seen = {}

        def all_assigned():
            conversations = gateway.conversations(SUPERVISOR_TOKEN)
            seen["status"] = collections.Counter(c["status"] for c in conversations)
            seen["agents"] = collections.Counter(c["assigned_agent"] for c in conversations)
            assigned = [c for c in conversations if c["assigned_agent"]]
            return conversations if len(conversations) == CUSTOMERS and len(assigned) == CUSTOMERS \
                else None
        try:
            conversations = harness.wait_until(all_assigned, 60, "100 conversations, all assigned")
        except AssertionError as e:
            raise AssertionError(f"{e}; conversations by status {seen.get('status')}, "
                                 f"by agent {seen.get('agents')}") from None
        self.assertEqual({c["channel_instance"] for c in conversations}, {"sms"})
        self.assertEqual(len({c["customer_id"] for c in conversations}), CUSTOMERS)
        self.assertEqual({c["customer_address"] for c in conversations},
                         {customer_number(i) for i in range(CUSTOMERS)})
        self.assertEqual({c["our_address"] for c in conversations}, {harness.OUR_NUMBER})
        by_agent = collections.Counter(c["assigned_agent"] for c in conversations)
        self.assertLessEqual(set(by_agent), set(SMS_AGENTS),
                             f"conversations went to agents without the sms skill: {by_agent}")
        agents = {a["id"]: a for a in gateway.api_ok("GET", "/agents", SUPERVISOR_TOKEN)["agents"]}
        for other in OTHER_AGENTS:
            self.assertEqual(agents[other]["load"].get("sms", 0), 0, f"{other} has sms load")

        # --- every message stored once, through the API ...
        transcripts = {c["id"]: gateway.transcript(SUPERVISOR_TOKEN, c["id"])
                       for c in conversations}
        api_inbound = [e["message"] for t in transcripts.values() for e in t
                       if e["type"] == "message" and e["message"]["direction"] == "in"]
        self.assertEqual(len(api_inbound), len(sent))
        self.assertEqual({m["provider_message_id"] for m in api_inbound}, set(sent))
        # "Never": not even for a moment before a transfer — every assignment in the timeline.
        assigned_to = {e["event"]["data"].get("agent") for t in transcripts.values() for e in t
                       if e["type"] == "event" and e["event"]["kind"] == "conversation.assigned"}
        self.assertLessEqual(assigned_to, set(SMS_AGENTS))
        for c in conversations:
            bodies = [e["message"]["body_text"] for e in transcripts[c["id"]]
                      if e["type"] == "message"]
            self.assertEqual(len(bodies), MESSAGES_PER_CUSTOMER, f"conversation {c['id']}")
            owner = {sent[m["provider_message_id"]][0] for e in transcripts[c["id"]]
                     if e["type"] == "message" for m in [e["message"]]}
            self.assertEqual(owner, {c["customer_address"]}, "messages in the wrong conversation")

        # --- ... and in the SQLite file itself (distinct rows, not what the API chooses to show)
        db = self.ws.database()
        self.assertEqual(db.query(
            "SELECT COUNT(*), COUNT(DISTINCT provider_message_id) FROM messages "
            "WHERE direction = 'in'")[0], (len(sent), len(sent)))
        self.assertEqual(db.scalar("SELECT COUNT(*) FROM conversations"), CUSTOMERS)
        self.assertEqual(db.scalar("SELECT COUNT(*) FROM customers"), CUSTOMERS)

        # --- agents reply; the provider gets exactly one request per reply.
        replied = sorted(conversations, key=lambda c: c["id"])[:REPLIES]
        replies = {}
        for i, c in enumerate(replied):
            body = f"reply {i} to {c['customer_address']}"
            answer = gateway.api_ok("POST", f"/conversations/{c['id']}/reply",
                                    agent_token(c["assigned_agent"]), {"text": body},
                                    expect=(202,))
            replies[answer["message_id"]] = (c, body)

        def reply_states():
            states = {}
            for message_id, (c, _) in replies.items():
                for e in gateway.transcript(SUPERVISOR_TOKEN, c["id"]):
                    if e["type"] == "message" and e["message"]["id"] == message_id:
                        states[message_id] = e["message"]["delivery_state"]
            return states if all(s == "delivered" for s in states.values()) \
                and len(states) == len(replies) else None
        harness.wait_until(reply_states, 60, "every reply's delivery_state to become delivered")

        requests = standin.messages()
        self.assertEqual(len(requests), REPLIES,
                         f"the provider must see one request per reply: {requests}")
        seen = collections.Counter()
        for request in requests:
            form = dict(request["form"])
            seen[(form.get("To"), form.get("From"), form.get("Body"))] += 1
            self.assertEqual(request["outcome"], 201)
            self.assertTrue(request["idempotency_key"], "each send carries its outbox key")
        expected = collections.Counter((c["customer_address"], harness.OUR_NUMBER, body)
                                       for c, body in replies.values())
        self.assertEqual(seen, expected)
        self.assertEqual(len({r["idempotency_key"] for r in requests}), REPLIES)
        self.assertEqual(standin.stats()["duplicates"], 0)
        callbacks = standin.callbacks()
        self.assertTrue(callbacks and all(cb["response_status"] == 200 for cb in callbacks),
                        f"status callbacks must be accepted: {callbacks}")

        # --- one transcript in causal order.
        first_id = next(iter(replies))
        conversation, reply_body = replies[first_id]
        self.assert_causal_transcript(gateway.transcript(SUPERVISOR_TOKEN, conversation["id"]),
                                      first_id, reply_body)

        self.assertEqual(gateway.stop(), 0, "graceful stop after SIGTERM")

    def assert_causal_transcript(self, transcript, reply_id, reply_body):
        seqs = [e["seq"] for e in transcript]
        self.assertEqual(seqs, sorted(set(seqs)), "seq must be strictly increasing")

        def position(predicate, what):
            for i, e in enumerate(transcript):
                if predicate(e):
                    return i
            self.fail(f"transcript has no {what}: {transcript}")

        first_inbound = position(lambda e: e["type"] == "message"
                                 and e["message"]["direction"] == "in", "inbound message")
        assigned = position(lambda e: e["type"] == "event"
                            and e["event"]["kind"] == "conversation.assigned", "assigned event")
        reply = position(lambda e: e["type"] == "message" and e["message"]["id"] == reply_id,
                         "reply message")
        first_message = position(lambda e: e["type"] == "message", "message")
        # Events committed with it (conversation opened/queued) may come first; no message may.
        self.assertEqual(first_message, first_inbound,
                         "the conversation starts with the customer's message")
        self.assertLess(first_inbound, assigned)
        self.assertLess(assigned, reply)
        self.assertEqual(transcript[reply]["message"]["direction"], "out")
        self.assertEqual(transcript[reply]["message"]["body_text"], reply_body)
        self.assertEqual(transcript[reply]["message"]["delivery_state"], "delivered")
        # Delivery events (whatever their exact kind) can only follow the message they describe.
        delivery_events = [i for i, e in enumerate(transcript) if e["type"] == "event"
                           and ("deliver" in e["event"]["kind"] or "sent" in e["event"]["kind"])]
        for i in delivery_events:
            self.assertGreater(i, reply, f"delivery event before the reply: {transcript[i]}")


if __name__ == "__main__":
    harness.main()
