"""Outbound webhooks through the real binary (docs/api.md "Outbound webhooks").

A receiver on 127.0.0.1 (allowed by the subscription's allow_private_fetch) verifies every
request's Omnigate-Signature the way docs/api.md tells integrators to. It answers 500 twice and
then 200: the same delivery (one Omnigate-Delivery id, one body) comes three times. A delivery
that runs out of attempts is "failed" in the admin API and goes out again when an admin retries
it. Deliveries pending when the gateway is killed with SIGKILL, and events committed but not yet
enqueued, are all delivered after the restart, each once. Filing a complaint publishes the
ladder's notification of the customer's account manager. Without allow_private_fetch a
subscription to 127.0.0.1 is refused by the SSRF guard.
"""

import hashlib
import hmac
import http.server
import json
import threading
import time

import harness

SECRET = "whsec_integration_0123456789abcdef"
ADMIN_TOKEN = "ada-token-webhooks"
SUPERVISOR_TOKEN = "sue-token-webhooks"
AGENT_TOKEN = "alice-token-webhooks"
# Faster than the defaults, so that retries happen within the test.
FAST_RETRIES = {"initial_backoff_ms": 100, "max_backoff_ms": 300}


def verify_signature(header, body, secret, tolerance_s=None):
    """docs/api.md's verification, verbatim: True when `header` signs `body` with `secret`."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp, received = parts["t"], parts["v1"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, received):
        return False
    return tolerance_s is None or abs(time.time() - int(timestamp)) <= tolerance_s


class Receiver:
    """An integrator's endpoint: records every request; answers from `script` (a list of
    statuses used up one per request, per event type), then `default`."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        self.scripts = {}
        self.default = 200
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.answer(dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def answer(self, headers, body):
        with self.lock:
            script = self.scripts.get(headers.get("Omnigate-Event"), [])
            status = script.pop(0) if script else self.default
            self.requests.append({"headers": headers, "body": body, "status": status,
                                  "valid": verify_signature(headers["Omnigate-Signature"], body,
                                                            SECRET, tolerance_s=300)})
            return status

    def seen(self, event_type=None, status=None):
        with self.lock:
            return [r for r in self.requests
                    if (event_type is None or r["headers"]["Omnigate-Event"] == event_type)
                    and (status is None or r["status"] == status)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class WebhooksTest(harness.IntegrationCase):

    def setUp(self):
        super().setUp()
        self.receiver = Receiver()
        self.addCleanup(self.receiver.close)

    def config(self, events, **subscription):
        hook = {"name": "crm", "url": self.receiver.url, "secret": SECRET, "events": events,
                "allow_private_fetch": True, **FAST_RETRIES, **subscription}
        return harness.echo_config(
            self.ws.workdir, agents=[harness.agent("alice", {"echo": 1}, 5)],
            users=[harness.user("ada", "admin", ADMIN_TOKEN),
                   harness.user("sue", "supervisor", SUPERVISOR_TOKEN),
                   harness.user("alice", "agent", AGENT_TOKEN, "alice")],
            webhooks=[hook])

    def customer_writes(self, gateway, sender, message_id, text):
        status, body = harness.post_echo(gateway, sender, message_id, text)
        self.assertEqual((status, body), (200, b"stored\n"))

    def test_signed_delivery_is_retried_until_the_receiver_takes_it(self):
        self.receiver.scripts["message.created"] = [500, 500]
        gateway = self.ws.start_gateway(self.config(["conversation.created", "message.created"]))
        self.customer_writes(gateway, "pat", "m1", "hello")

        attempts = harness.wait_until(lambda: self.receiver.seen("message.created", 200) and
                                      self.receiver.seen("message.created"), 30,
                                      "message.created delivered after two 500s")
        self.assertEqual([a["status"] for a in attempts], [500, 500, 200])
        self.assertTrue(all(a["valid"] for a in self.receiver.seen()), "every signature verifies")
        self.assertEqual(len({a["headers"]["Omnigate-Delivery"] for a in attempts}), 1)
        self.assertEqual(len({a["body"] for a in attempts}), 1)
        payload = json.loads(attempts[0]["body"])
        self.assertEqual(payload["type"], "message.created")
        self.assertEqual(payload["data"]["message"]["body_text"], "hello")
        self.assertEqual(payload["data"]["message"]["direction"], "in")
        self.assertEqual(payload["data"]["channel_instance"], "echo")
        [created] = harness.wait_until(lambda: self.receiver.seen("conversation.created"), 10,
                                       "conversation.created")
        self.assertEqual(json.loads(created["body"])["conversation_id"],
                         payload["conversation_id"])

        # The receiver has answered; the gateway records the outcome right after.
        [hook] = harness.wait_until(
            lambda: [h for h in gateway.api_ok("GET", "/admin/webhooks", ADMIN_TOKEN)["webhooks"]
                     if h["deliveries"]["delivered"] == 2], 10, "2 deliveries recorded")
        self.assertEqual((hook["name"], hook["configured"]), ("crm", True))
        self.assertNotIn("secret", json.dumps(hook))
        for token in (SUPERVISOR_TOKEN, AGENT_TOKEN):
            self.assertEqual(gateway.api("GET", "/admin/webhooks", token)[0], 403)
        self.assertEqual(gateway.api("GET", "/admin/webhooks")[0], 401)
        with open(gateway.stderr_path) as log:
            self.assertNotIn(SECRET, log.read())

    def test_a_failed_delivery_is_visible_and_an_admin_sends_it_again(self):
        self.receiver.default = 500
        gateway = self.ws.start_gateway(self.config(["message.created"], max_attempts=2))
        self.customer_writes(gateway, "pat", "m1", "hello")
        [failed] = harness.wait_until(
            lambda: gateway.api_ok("GET", "/admin/webhooks/deliveries?state=failed",
                                   ADMIN_TOKEN)["deliveries"], 30, "a failed delivery")
        self.assertEqual((failed["attempts"], failed["last_status"]), (2, 500))
        self.assertEqual(len(self.receiver.seen("message.created")), 2)
        self.assertEqual(gateway.api("POST", f"/admin/webhooks/deliveries/{failed['id']}/retry",
                                     SUPERVISOR_TOKEN)[0], 403)

        self.receiver.default = 200
        retried = gateway.api_ok("POST", f"/admin/webhooks/deliveries/{failed['id']}/retry",
                                 ADMIN_TOKEN)
        self.assertEqual(retried["state"], "pending")
        harness.wait_until(lambda: self.receiver.seen("message.created", 200), 30,
                           "the retried delivery")
        self.assertEqual(gateway.api("POST", f"/admin/webhooks/deliveries/{failed['id']}/retry",
                                     ADMIN_TOKEN)[0], 409)  # delivered, not failed
        audit = gateway.api_ok("GET", "/admin/audit?action=webhook.retry", ADMIN_TOKEN)
        self.assertIn(f"webhook_delivery:{failed['id']}", json.dumps(audit))

    def test_deliveries_pending_at_a_kill_are_delivered_after_the_restart(self):
        self.receiver.default = 503
        gateway = self.ws.start_gateway(self.config(["conversation.created", "message.created"],
                                                    max_attempts=100))
        db = self.ws.database()
        self.customer_writes(gateway, "pat", "m1", "one")
        self.customer_writes(gateway, "kim", "m2", "two")
        harness.wait_until(lambda: db.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE "
                                             "state = 'retry'") >= 4, 30,
                           "four deliveries waiting for a retry")
        # Committed, maybe not yet read by the pump when the gateway dies.
        self.customer_writes(gateway, "lee", "m3", "three")
        gateway.kill()
        self.receiver.default = 200
        gateway.start()

        def delivered_events():
            return {json.loads(r["body"])["id"]: r for r in self.receiver.seen(status=200)}
        delivered = harness.wait_until(lambda: len(delivered_events()) == 6 and
                                       delivered_events(), 30, "6 events delivered")
        self.assertEqual(sorted(json.loads(r["body"])["type"] for r in delivered.values()),
                         ["conversation.created"] * 3 + ["message.created"] * 3)
        self.assertEqual(len(self.receiver.seen(status=200)), 6, "each delivered once")
        self.assertEqual(len({r["headers"]["Omnigate-Delivery"] for r in delivered.values()}), 6)
        self.assertEqual(db.scalar("SELECT COUNT(*) FROM webhook_deliveries"), 6)

    def test_a_complaint_notifies_the_account_manager_through_the_webhook(self):
        gateway = self.ws.start_gateway(self.config(["complaint.*"]))
        self.customer_writes(gateway, "pat", "m1", "my invoice is wrong")
        conversation = harness.wait_until(lambda: gateway.conversations(SUPERVISOR_TOKEN), 10,
                                          "the conversation")[0]
        gateway.api_ok("PUT", f"/customers/{conversation['customer_id']}/contacts",
                       SUPERVISOR_TOKEN,
                       {"contacts": [{"role": "account_manager", "agent_id": "alice"}]})
        gateway.api_ok("POST", "/complaints", SUPERVISOR_TOKEN, {
            "conversation_id": conversation["id"], "matter": "invoice wrong twice",
            "complainant": "Pat", "contact": "pat", "channel": "echo"}, expect=(201,))
        started = harness.wait_until(lambda: self.receiver.seen("complaint.level_started"), 30,
                                     "complaint.level_started")
        data = json.loads(started[0]["body"])["data"]
        self.assertEqual((data["level"], data["role"], data["notified"]),
                         (1, "account_manager", "agent:alice"))
        self.assertTrue(self.receiver.seen("complaint.filed"))
        self.assertEqual(self.receiver.seen("message.created"), [])  # not subscribed

    def test_loopback_receivers_are_refused_without_allow_private_fetch(self):
        gateway = self.ws.start_gateway(self.config(["message.created"], max_attempts=1,
                                                    allow_private_fetch=False))
        self.customer_writes(gateway, "pat", "m1", "hello")
        [failed] = harness.wait_until(
            lambda: gateway.api_ok("GET", "/admin/webhooks/deliveries?state=failed",
                                   ADMIN_TOKEN)["deliveries"], 30, "a refused delivery")
        self.assertIn("refused", failed["last_error"])
        self.assertEqual(self.receiver.seen(), [])


if __name__ == "__main__":
    harness.main()
