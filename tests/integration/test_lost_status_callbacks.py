#!/usr/bin/env python3
"""Delivery states survive lost status callbacks.

Twilio calls back once per status and gives up when the gateway cannot be reached. Replies are
sent while every callback fails (the gateway unreachable for the provider), so the gateway
knows them only as `sent`; the gateway restarts with a short `reconcile_after_ms`, polls the
provider for each of them, and every reply reaches its final state: `delivered`, or
`undelivered` with the provider's error code.
"""

import socket
import sys

import harness

AGENT_TOKEN = "alice-token-reconcile"
REPLIES_PER_OUTCOME = 4


def closed_port_url():
    """An address nothing listens on: callbacks to it fail at once (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


class LostStatusCallbacksTest(harness.IntegrationCase):

    def config(self, standin, **sms):
        config = self.ws.sms_config(
            standin,
            agents=[harness.agent("alice", {"sms": 3}, 100)],
            users=[harness.user("alice", "agent", AGENT_TOKEN, "alice")],
            outbox={"initial_backoff_ms": 100, "max_backoff_ms": 500, "poll_interval_ms": 100})
        config["plugins"][0]["config"].update(sms)
        return config

    def open_conversations(self, gateway, count):
        for i in range(count):
            status, body = gateway.send_sms(harness.inbound_params(f"+1717555{i:04d}", "help"))
            self.assertEqual(status, 200, body)

        def assigned():
            mine = [c for c in gateway.conversations(AGENT_TOKEN) if c["assigned_agent"] == "alice"]
            return mine if len(mine) >= count else None
        return harness.wait_until(assigned, 60, f"{count} conversations assigned to alice")

    def reply(self, gateway, conversations, label):
        ids = {}
        for c in conversations:
            answer = gateway.api_ok("POST", f"/conversations/{c['id']}/reply", AGENT_TOKEN,
                                    {"text": f"{label} for {c['customer_address']}"},
                                    expect=(202,))
            ids[answer["message_id"]] = label
        return ids

    def states(self, ids):
        marks = ",".join("?" * len(ids))
        return dict(self.ws.database().query(
            f"SELECT id, delivery_state FROM messages WHERE id IN ({marks})", tuple(ids)))

    def test_every_reply_reaches_its_final_state_after_callbacks_were_lost(self):
        standin = self.ws.start_standin()
        gateway = self.ws.start_gateway(self.config(standin))  # default: no reconcile for 10 min
        conversations = self.open_conversations(gateway, 2 * REPLIES_PER_OUTCOME)

        standin._control("POST", "outcome", {"callback_target": closed_port_url()})
        expected = {}
        half = REPLIES_PER_OUTCOME
        for label, statuses, group in (("delivered", ["sent", "delivered"], conversations[:half]),
                                       ("undelivered", ["sent", "undelivered"],
                                        conversations[half:])):
            standin._control("POST", "outcome", {"statuses": statuses, "error_code": "30003"})
            ids = self.reply(gateway, group, label)
            expected.update(ids)
            # Each reply is created under the outcome set for it before the next one is set.
            harness.wait_until(lambda: self.ws.database().scalar(
                "SELECT COUNT(*) FROM outbox WHERE state = 'sent'") >= len(expected), 60,
                f"the {label} replies accepted by the provider")
        harness.wait_until(lambda: standin.stats()["callbacks_failed"] >= 2 * len(expected), 60,
                           "every status callback to fail")
        stuck = self.states(expected)
        print(f"after the lost callbacks: {sorted(stuck.values())}", file=sys.stderr)
        self.assertEqual(set(stuck.values()), {"sent"}, "the callbacks were lost")
        self.assertEqual(gateway.stop(), 0)

        gateway.config_path = self.ws.write_config(
            self.config(standin, reconcile_after_ms=200), "gateway.toml")
        gateway.start()

        def settled():
            states = self.states(expected)
            return states if states == expected else None
        harness.wait_until(settled, 60, "every reply in its final delivery state")
        codes = dict(self.ws.database().query(
            "SELECT id, error_code FROM messages WHERE delivery_state = 'undelivered'"))
        self.assertEqual(set(codes.values()), {"30003"})
        self.assertGreaterEqual(standin.stats()["fetch_requests"], len(expected))
        self.assertEqual(gateway.stop(), 0)


if __name__ == "__main__":
    harness.main()
