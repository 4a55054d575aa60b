#!/usr/bin/env python3
"""Check 4: durability across `kill -9`.

- Inbound: a thread keeps posting signed SMS and records every MessageSid answered 2xx; the
  gateway is SIGKILLed mid-stream and restarted on the same data dir → every acknowledged
  MessageSid is in the database exactly once (a 2xx is only sent after the commit).
- Outbox, provider down: replies are enqueued while the provider refuses connections, the
  gateway is SIGKILLed, the provider comes back, the gateway restarts → the provider receives
  each reply exactly once.
- Outbox, killed while sending: replies are enqueued with the provider healthy and the gateway
  is SIGKILLed right away (sends in flight) → after restart every reply reaches the provider.
  The stand-in deduplicates by Idempotency-Key, so a second attempt of a send whose answer was
  lost is visible only as a replay; both counts are printed and each reply must be created
  exactly once with the outbox row's own key.
- Outbox, killed while sending, provider ignoring Idempotency-Key (as real Twilio does): the
  stand-in creates every reply but holds its answers back, the gateway is SIGKILLed before any
  answer arrives, and after the restart each reply must still exist exactly once at the provider
  (the gateway finds the earlier attempts in the provider's message list instead of re-sending).
"""

import collections
import sys
import threading

import harness

AGENT_TOKEN = "alice-token-crash"
SUPERVISOR_TOKEN = "supervisor-token-crash"
OUTBOX_REPLIES = 10
MIN_ACKED_BEFORE_KILL = 150
POSTING_THREADS = 4
# Long enough that no answer can arrive before the kill even on a loaded (or sanitized) run;
# the test raises the plugin's and the outbox's timeouts above it so no attempt times out first.
ANSWER_DELAY_MS = 15000


class CrashRecoveryTest(harness.IntegrationCase):

    def config(self, standin):
        return self.ws.sms_config(
            standin,
            agents=[harness.agent("alice", {"sms": 3}, 100)],
            users=[harness.user("alice", "agent", AGENT_TOKEN, "alice"),
                   harness.user("sam", "supervisor", SUPERVISOR_TOKEN)],
            # Fast retries so the recovery is seen within the test's time budget.
            outbox={"initial_backoff_ms": 100, "max_backoff_ms": 500, "poll_interval_ms": 100,
                    "max_attempts": 1000, "send_timeout_ms": 10000})

    def restart(self, gateway, standin):
        gateway.start()
        standin.deliver_callbacks_to(gateway.url)

    def test_acknowledged_inbound_survives_kill_9(self):
        standin = self.ws.start_standin()
        gateway = self.ws.start_gateway(self.config(standin))
        acked = []                      # MessageSids answered 2xx
        attempted = []
        lock = threading.Lock()
        stop = threading.Event()

        def post_until_stopped(worker):
            n = 0
            while not stop.is_set():
                n += 1
                params = harness.inbound_params(f"+1312555{worker:02d}{n % 100:02d}",
                                                f"worker {worker} message {n}")
                sid = dict(params)["MessageSid"]
                with lock:
                    attempted.append(sid)
                try:
                    status, _ = gateway.send_sms(params)
                except OSError:
                    continue             # connection reset by the kill: not acknowledged
                if 200 <= status < 300:
                    with lock:
                        acked.append(sid)

        threads = [threading.Thread(target=post_until_stopped, args=(w,))
                   for w in range(POSTING_THREADS)]
        for t in threads:
            t.start()
        try:
            harness.wait_until(lambda: len(acked) >= MIN_ACKED_BEFORE_KILL, 60,
                               f"{MIN_ACKED_BEFORE_KILL} acknowledged webhooks")
            gateway.kill()              # mid-stream: the posting threads are still going
        finally:
            stop.set()
            for t in threads:
                t.join()
        print(f"inbound: {len(attempted)} posted, {len(acked)} acknowledged before SIGKILL",
              file=sys.stderr)

        self.restart(gateway, standin)
        rows = dict(self.ws.database().query(
            "SELECT provider_message_id, COUNT(*) FROM messages WHERE direction = 'in' "
            "GROUP BY provider_message_id"))
        missing = [sid for sid in acked if sid not in rows]
        doubled = {sid: n for sid, n in rows.items() if n != 1}
        self.assertEqual(missing, [], "acknowledged but lost by the crash")
        self.assertEqual(doubled, {}, "stored more than once")
        self.assertLessEqual(set(rows), set(attempted), "rows nobody sent")

        # A provider retry of an acknowledged message after the restart is still deduplicated.
        params = harness.inbound_params("+13125550000", "retry", message_sid=acked[0])
        status, _ = gateway.send_sms(params)
        self.assertEqual(status, 200)
        self.assertEqual(self.ws.database().scalar(
            "SELECT COUNT(*) FROM messages WHERE provider_message_id = ?", (acked[0],)), 1)
        self.assertEqual(gateway.stop(), 0)

    def open_conversations(self, gateway, count):
        """`count` customers write in; returns their conversations once assigned to alice."""
        for i in range(count):
            status, body = gateway.send_sms(harness.inbound_params(f"+1646555{i:04d}", "help"))
            self.assertEqual(status, 200, body)
        def assigned():
            mine = [c for c in gateway.conversations(AGENT_TOKEN) if c["assigned_agent"] == "alice"]
            return mine if len(mine) >= count else None
        return harness.wait_until(assigned, 60, f"{count} conversations assigned to alice")

    def enqueue_replies(self, gateway, conversations, label):
        replies = {}
        for c in conversations:
            body = f"{label} reply to {c['customer_address']}"
            answer = gateway.api_ok("POST", f"/conversations/{c['id']}/reply", AGENT_TOKEN,
                                    {"text": body}, expect=(202,))
            replies[body] = answer["message_id"]
        return replies

    def outbox_keys(self):
        """The Idempotency-Key of every outbox row, from the database (the gateway's side)."""
        return {row[0] for row in self.ws.database().query("SELECT idempotency_key FROM outbox")}

    def assert_each_reply_created_once(self, standin, replies, label):
        def created():
            ok = [r for r in standin.messages() if r["outcome"] == 201
                  and dict(r["form"]).get("Body", "").startswith(label)]
            return ok if len(ok) >= len(replies) else None
        harness.wait_until(created, 60, f"the provider to receive all {label} replies")
        requests = [r for r in standin.messages()
                    if dict(r["form"]).get("Body", "").startswith(label)]
        created = collections.Counter(dict(r["form"])["Body"] for r in requests
                                      if r["outcome"] == 201)
        keys = [r["idempotency_key"] for r in requests if r["outcome"] == 201]
        stats = standin.stats()
        print(f"{label}: provider saw {len(requests)} recorded requests "
              f"(+{stats['duplicates']} replays of an Idempotency-Key in total), "
              f"{len(set(keys))} distinct keys, {sum(created.values())} messages created "
              f"for {len(replies)} replies", file=sys.stderr)
        self.assertEqual(created, collections.Counter(replies.keys()),
                         "each reply must be created at the provider exactly once")
        self.assertEqual(len(set(keys)), len(replies))
        self.assertLessEqual(set(keys), self.outbox_keys(), "keys the gateway never assigned")

    def test_outbox_replies_sent_once_after_kill_9_with_provider_down(self):
        standin = self.ws.start_standin()
        gateway = self.ws.start_gateway(self.config(standin))
        conversations = self.open_conversations(gateway, OUTBOX_REPLIES)

        provider_port = standin.port
        standin.stop()                  # the provider refuses connections: sends go to retry
        replies = self.enqueue_replies(gateway, conversations, "while-down")
        harness.wait_until(lambda: self.ws.database().scalar("SELECT COUNT(*) FROM outbox")
                           >= OUTBOX_REPLIES, 30, "the replies' outbox rows")
        gateway.kill()

        standin.start(port=provider_port)  # healthy again, at the address the config names
        self.restart(gateway, standin)
        self.assert_each_reply_created_once(standin, replies, "while-down")
        self.assertEqual(standin.stats()["duplicates"], 0,
                         "nothing had reached the provider before the restart")
        self.assertEqual(gateway.stop(), 0)

    def test_outbox_replies_delivered_after_kill_9_while_sending(self):
        standin = self.ws.start_standin()
        gateway = self.ws.start_gateway(self.config(standin))
        conversations = self.open_conversations(gateway, OUTBOX_REPLIES)
        replies = self.enqueue_replies(gateway, conversations, "in-flight")
        gateway.kill()                  # right after the last 202: sends are in flight

        self.restart(gateway, standin)
        self.assert_each_reply_created_once(standin, replies, "in-flight")
        self.assertEqual(gateway.stop(), 0)

    def test_outbox_replies_created_once_after_kill_9_when_the_provider_ignores_the_key(self):
        standin = self.ws.start_standin()
        standin._control("POST", "idempotency", {"honour": False})
        config = self.config(standin)
        config["plugins"][0]["config"]["timeout_ms"] = 2 * ANSWER_DELAY_MS
        config["outbox"]["send_timeout_ms"] = 4 * ANSWER_DELAY_MS
        gateway = self.ws.start_gateway(config)
        conversations = self.open_conversations(gateway, OUTBOX_REPLIES)

        # Every create is accepted at once but answered only after ANSWER_DELAY_MS: killing the
        # gateway once all are created loses every answer, as a crash mid-send does.
        standin._control("POST", "delay", {"answer_ms": ANSWER_DELAY_MS})
        replies = self.enqueue_replies(gateway, conversations, "no-key")
        harness.wait_until(lambda: sum(1 for r in standin.messages() if r["outcome"] == 201)
                           >= OUTBOX_REPLIES, 30, "the provider to create every reply")
        gateway.kill()
        self.assertEqual(self.ws.database().scalar(
            "SELECT COUNT(*) FROM outbox WHERE state = 'sent'"), 0,
            "no answer may have been recorded before the kill, or the test proves nothing")
        standin._control("POST", "delay", {"answer_ms": 0})

        self.restart(gateway, standin)
        harness.wait_until(lambda: self.ws.database().scalar(
            "SELECT COUNT(*) FROM outbox WHERE state = 'sent'") == OUTBOX_REPLIES, 60,
            "every reply recorded as sent after the restart")
        created = collections.Counter(dict(r["form"])["Body"] for r in standin.messages()
                                      if r["outcome"] == 201)
        self.assertEqual(created, collections.Counter(replies.keys()),
                         "each reply must be created at the provider exactly once")
        # The recorded provider ids are the ones the provider created (found, not re-sent).
        recorded = {row[0] for row in self.ws.database().query(
            "SELECT provider_message_id FROM outbox WHERE state = 'sent'")}
        self.assertEqual(recorded, {r["sid"] for r in standin.messages() if r["outcome"] == 201})
        self.assertEqual(gateway.stop(), 0)


if __name__ == "__main__":
    harness.main()
