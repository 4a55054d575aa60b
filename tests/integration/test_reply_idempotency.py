#!/usr/bin/env python3
"""A reply's Idempotency-Key survives `kill -9`.

An agent replies with an Idempotency-Key; the gateway is SIGKILLed right after the 202 (as if
the response had been lost on the way to the client) and restarted on the same data dir; the
client retries the same POST. The retry must answer the first reply's ids (`"replayed": true`),
the database must hold one reply and one outbox row for the key, and the provider stand-in must
have been asked to create the message exactly once. The same key with a different text is then
refused with 422 idempotency_mismatch.
"""

import json

import harness

AGENT_TOKEN = "alice-token-idempotency"
REPLY_TEXT = "Your replacement ships today."
KEY = "client-retry-0001"


class ReplyIdempotencyTest(harness.IntegrationCase):

    def config(self, standin):
        return self.ws.sms_config(
            standin,
            agents=[harness.agent("alice", {"sms": 3}, 10)],
            users=[harness.user("alice", "agent", AGENT_TOKEN, "alice")],
            outbox={"initial_backoff_ms": 100, "max_backoff_ms": 500, "poll_interval_ms": 100,
                    "max_attempts": 1000, "send_timeout_ms": 10000})

    def post_reply(self, gateway, conversation_id, text):
        status, raw = harness.http_request(
            "POST", f"{gateway.url}/api/v1/conversations/{conversation_id}/reply",
            {"text": text},
            {"Authorization": f"Bearer {AGENT_TOKEN}", "Idempotency-Key": KEY})
        return status, harness.decode_json(raw)

    def test_retry_after_kill_9_returns_the_first_reply_and_sends_once(self):
        standin = self.ws.start_standin()
        gateway = self.ws.start_gateway(self.config(standin))
        status, body = gateway.send_sms(harness.inbound_params("+16465550100", "where is it?"))
        self.assertEqual(status, 200, body)
        conversation = harness.wait_until(
            lambda: next((c for c in gateway.conversations(AGENT_TOKEN)
                          if c["assigned_agent"] == "alice"), None),
            60, "the conversation to be assigned to alice")

        status, first = self.post_reply(gateway, conversation["id"], REPLY_TEXT)
        self.assertEqual(status, 202, first)
        self.assertFalse(first["replayed"])
        gateway.kill()                  # right after the 202: the client may never have seen it

        gateway.start()
        standin.deliver_callbacks_to(gateway.url)
        status, retry = self.post_reply(gateway, conversation["id"], REPLY_TEXT)
        self.assertEqual(status, 202, retry)
        self.assertTrue(retry["replayed"])
        self.assertEqual(retry["message_id"], first["message_id"])
        self.assertEqual(retry["outbox_id"], first["outbox_id"])

        db = self.ws.database()
        harness.wait_until(
            lambda: db.scalar("SELECT state FROM outbox WHERE id = ?",
                              (first["outbox_id"],)) == "sent",
            60, "the reply's outbox row to be sent")
        self.assertEqual(db.scalar("SELECT COUNT(*) FROM messages WHERE direction = 'out'"), 1)
        self.assertEqual(db.scalar("SELECT COUNT(*) FROM outbox"), 1)
        self.assertEqual(db.scalar("SELECT client_key FROM messages WHERE id = ?",
                                   (first["message_id"],)), KEY)
        created = [m for m in standin.messages()
                   if dict(m["form"]).get("Body") == REPLY_TEXT and m["outcome"] == 201]
        self.assertEqual(len(created), 1, json.dumps(standin.messages())[:2000])

        status, mismatch = self.post_reply(gateway, conversation["id"], "a different text")
        self.assertEqual(status, 422, mismatch)
        self.assertEqual(mismatch["error"], "idempotency_mismatch")
        self.assertEqual(mismatch["field"], "Idempotency-Key")
        self.assertEqual(db.scalar("SELECT COUNT(*) FROM outbox"), 1)
        self.assertEqual(gateway.stop(), 0)


if __name__ == "__main__":
    harness.main()
