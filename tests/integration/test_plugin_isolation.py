#!/usr/bin/env python3
"""A crashing plugin never takes the gateway down (docs/adr/0006-plugin-isolation.md), tried on
the real binary with a plugin broken on purpose (tests/isolation/fixtures/broken_channel.c):
it crashes on a marked webhook, in send_message and on a WebSocket frame, leaks memory without
bound, and spins forever in a handler.

- isolation = "process": while all of that happens, a probe hitting /healthz and a second,
  healthy instance every 50 ms sees no failure; the broken instance comes back after each
  crash; a poison input is quarantined after quarantine_after crashes and answered 200; a crash
  loop disables the instance until an admin enables it; across many crashes with requests in
  flight, every acknowledged provider id is stored exactly once.
- isolation = "in_process": the crash kills the gateway (the test restarts it, as systemd
  would); the crash record left behind counts the input, which is quarantined after
  quarantine_after crashes instead of killing the gateway at every retry; a crash loop leaves
  the instance disabled at the next start while everything else runs.
"""

import json
import os
import subprocess
import threading
import time

import harness
import ws_client

ADMIN_TOKEN = "admin-token-isolation-0123456789"
AGENT_TOKEN = "agent-token-isolation-0123456789"


class Probe:
    """Hits /healthz and the healthy instance's /ping every 50 ms in a thread; counts every
    answer that is not a 200 (or no answer at all) as a failure."""

    def __init__(self, gateway):
        self.gateway = gateway
        self.rounds = 0
        self.failures = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            for path in ("/healthz", "/channels/good/ping"):
                try:
                    status, body = harness.http_request("GET", self.gateway.url + path,
                                                        timeout=5)
                    if status != 200:
                        self.failures.append(f"{path}: {status} {body[:200]!r}")
                except Exception as e:  # noqa: BLE001 — any failure to answer counts
                    self.failures.append(f"{path}: {e}")
            self.rounds += 1
            self._stop.wait(0.05)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self


def memory_limit_mb():
    """The broken instance's ceiling: above what the plugin-host process needs to run, far below
    what LEAK reaches before the watchdog. The child is the whole omnigate binary, and an ASan
    build's resident size at start grows with it (120-170 MiB in November, 320 MiB by December,
    which tripped a 320 MiB ceiling while idle): 1 GiB leaves room, and LEAK (1 MiB a memset)
    still passes it within a second."""
    return 1024 if harness.Settings.sanitized else 96


def call_timeout_ms():
    """The watchdog: long enough for LEAK to reach the ceiling first (slower under ASan)."""
    return 8000 if harness.Settings.sanitized else 1500


def fixture_config(ws, bad_isolation, supervision, agents=(), users=()):
    plugin = harness.Settings.fixture
    return {
        "server": {"listen": "127.0.0.1:0", "worker_threads": 2},
        "storage": {"data_dir": os.path.join(ws.workdir, "data")},
        "log": {"level": "info"},
        "supervision": supervision,
        "outbox": {"initial_backoff_ms": 50, "max_backoff_ms": 200, "poll_interval_ms": 50,
                   "max_attempts": 50},
        "plugins": [
            {"instance": "bad", "file": plugin, "isolation": bad_isolation,
             "memory_limit_mb": memory_limit_mb()},
            {"instance": "good", "file": plugin, "isolation": "process"},
        ],
        "agents": list(agents),
        "users": list(users),
    }


def post_inbound(gateway, message_id, text, instance="bad", timeout=15):
    body = f"id={message_id}&text={text}".encode()
    return harness.http_request("POST", f"{gateway.url}/channels/{instance}/inbound", body,
                                {"Content-Type": "application/x-www-form-urlencoded"},
                                timeout=timeout)


def plugin_state(gateway, instance="bad"):
    status, body = harness.http_request("GET", gateway.url + "/healthz")
    return json.loads(body)["plugins"][instance] if status == 200 else None


def wait_running(gateway, instance="bad", timeout=30):
    harness.wait_until(lambda: plugin_state(gateway, instance)["state"] == "running", timeout,
                       f"instance {instance} running again")


def stored(db, message_id):
    return db.scalar("SELECT count(*) FROM messages WHERE channel_instance = 'bad' AND "
                     "provider_message_id = ?", (message_id,))


class ProcessIsolationTest(harness.IntegrationCase):

    def start(self, supervision, **kwargs):
        supervision = {"restart_backoff_ms": 20, "max_restart_backoff_ms": 200, **supervision}
        self.gateway = self.ws.start_gateway(
            fixture_config(self.ws, "process", supervision, **kwargs))
        return self.gateway

    def test_every_kind_of_crash_costs_only_its_own_channel(self):
        gateway = self.start(
            {"quarantine_after": 3, "crash_loop_crashes": 100,
             "call_timeout_ms": call_timeout_ms()},
            agents=[harness.agent("alice", {"broken": 3}, 10) | {"capacity": {"broken": 10}}],
            users=[harness.user("alice", "agent", AGENT_TOKEN, "alice")])
        db = self.ws.database()
        probe = Probe(gateway)
        self.addCleanup(probe.stop)

        # Normal work first: stored, and answered only once stored.
        self.assertEqual(post_inbound(gateway, "hello-1", "hello")[0], 200)
        self.assertEqual(stored(db, "hello-1"), 1)

        # A null write in the route handler: 503 so the provider retries, and the instance
        # comes back with a new process.
        status, body = post_inbound(gateway, "crash-1", "CRASH")
        self.assertEqual(status, 503, body)
        self.assertIn(b"SIGSEGV", body)
        wait_running(gateway)
        self.assertEqual(post_inbound(gateway, "hello-2", "hello")[0], 200)

        # abort() in the handler.
        status, body = post_inbound(gateway, "abort-1", "ABORT")
        self.assertEqual(status, 503, body)
        self.assertIn(b"SIGABRT", body)
        wait_running(gateway)

        # A handler that never returns: the watchdog kills the process after call_timeout_ms.
        status, body = post_inbound(gateway, "spin-1", "SPIN")
        self.assertEqual(status, 503, body)
        self.assertIn(b"watchdog", body)
        wait_running(gateway)

        # A leak without bound: the memory ceiling ends it.
        status, body = post_inbound(gateway, "leak-1", "LEAK")
        self.assertEqual(status, 503, body)
        self.assertIn(b"memory", body)
        wait_running(gateway)

        # A WebSocket frame that crashes on_message: the connection is closed with 1012
        # (service restart) so a widget reconnects; a new connection works again.
        ws = ws_client.WebSocket(gateway.port, "/channels/bad/ws")
        self.assertEqual(ws.status, 101)
        ws.send_text('"echo me"')  # JSON text: ws_client parses what comes back
        self.assertEqual(ws.next_message(), "echo me")
        ws.send_text('"CRASH"')
        closed = ws.until_closed()
        self.assertEqual(closed.code, 1012)
        wait_running(gateway)
        ws = ws_client.WebSocket(gateway.port, "/channels/bad/ws")
        self.assertEqual(ws.status, 101)
        ws.send_text('"again"')
        self.assertEqual(ws.next_message(), "again")
        ws.close()

        # A reply that crashes send_message: retried after each crash (never lost), then
        # quarantined after 3 crashes instead of crashing the plugin forever.
        self.assertEqual(post_inbound(gateway, "ask-1", "please answer")[0], 200)
        conversation = harness.wait_until(
            lambda: next((c for c in gateway.conversations(AGENT_TOKEN)
                          if c["assigned_agent"] == "alice"), None),
            30, "the conversation assigned to alice")
        reply = gateway.api_ok("POST", f"/conversations/{conversation['id']}/reply",
                               AGENT_TOKEN, {"text": "CRASH the sender"}, expect=(202,))
        outbox_id = reply["outbox_id"]
        harness.wait_until(
            lambda: db.scalar("SELECT state FROM outbox WHERE id = ?", (outbox_id,))
            == "quarantined", 60, "the poison reply quarantined")
        row = db.query("SELECT input_kind, status, crashes FROM quarantine WHERE input_key = ?",
                       (f"outbox:{outbox_id}",))
        self.assertEqual(row, [("outbox", "quarantined", 3)])
        wait_running(gateway)
        fine = gateway.api_ok("POST", f"/conversations/{conversation['id']}/reply",
                              AGENT_TOKEN, {"text": "a normal reply"}, expect=(202,))
        harness.wait_until(
            lambda: db.scalar("SELECT state FROM outbox WHERE id = ?", (fine["outbox_id"],))
            == "sent", 30, "the next reply sent")

        probe.stop()
        self.assertGreater(probe.rounds, 20)
        self.assertEqual(probe.failures, [], "the gateway and the healthy channel kept answering")
        log = gateway.log_text()
        self.assertIn("watchdog", log)
        self.assertIn("memory limit exceeded", log)
        self.assertGreaterEqual(plugin_state(gateway).get("restarts", 0), 8)

    def test_a_poison_webhook_is_quarantined_and_answered(self):
        gateway = self.start({"quarantine_after": 3, "crash_loop_crashes": 100})
        db = self.ws.database()
        for attempt in range(3):
            status, body = post_inbound(gateway, "poison-1", "CRASH")
            self.assertEqual(status, 503, f"attempt {attempt + 1}: {body}")
            wait_running(gateway)
        restarts = plugin_state(gateway).get("restarts", 0)
        # The provider's next retry is answered 2xx and never reaches the plugin again.
        harness.wait_until(lambda: post_inbound(gateway, "poison-1", "CRASH")[0] == 200, 10,
                           "the poison webhook answered 200")
        self.assertEqual(plugin_state(gateway).get("restarts", 0), restarts, "no further crash")
        rows = db.query("SELECT id, input_kind, status, crashes, raw FROM quarantine")
        self.assertEqual(len(rows), 1)
        entry, kind, status, crashes, raw = rows[0]
        self.assertEqual((kind, status, crashes), ("http", "quarantined", 3))
        raw = json.loads(raw)
        self.assertEqual(raw["path"], "/inbound")
        self.assertIn("Content-Type", [name for name, _ in raw["headers"]])
        # Other webhooks of the same instance go through.
        self.assertEqual(post_inbound(gateway, "fine-1", "hello")[0], 200)
        self.assertEqual(stored(db, "fine-1"), 1)

        # An operator who fixed the plugin releases it: it is replayed once to the plugin (here
        # it crashes again: counted from one, not quarantined at once).
        cli = subprocess.run([harness.Settings.omnigate, "quarantine", "show", str(entry),
                              "--config", gateway.config_path],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(cli.returncode, 0, cli.stderr)
        self.assertIn("text=CRASH", cli.stdout)
        cli = subprocess.run([harness.Settings.omnigate, "quarantine", "release", str(entry),
                              "--config", gateway.config_path],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(cli.returncode, 0, cli.stderr)
        harness.wait_until(
            lambda: db.scalar("SELECT crashes FROM quarantine WHERE id = ?", (entry,)) == 1
            and db.scalar("SELECT status FROM quarantine WHERE id = ?", (entry,)) == "suspect",
            30, "the released input replayed to the plugin (and crashing it once more)")

    def test_a_crash_loop_disables_the_instance_until_an_admin_enables_it(self):
        gateway = self.start({"quarantine_after": 100, "crash_loop_crashes": 3,
                              "crash_loop_seconds": 600},
                             users=[harness.user("ada", "admin", ADMIN_TOKEN)])
        probe = Probe(gateway)
        self.addCleanup(probe.stop)
        for n in range(3):
            self.assertEqual(post_inbound(gateway, f"loop-{n}", f"CRASH{n}")[0], 503)
            if n < 2:
                wait_running(gateway)
        harness.wait_until(lambda: plugin_state(gateway)["state"] == "disabled", 10,
                           "the instance disabled")
        self.assertIn("crash loop", plugin_state(gateway)["reason"])
        status, body = harness.http_request("GET", gateway.url + "/healthz")
        self.assertEqual((status, json.loads(body)["status"]), (200, "degraded"))
        self.assertEqual(post_inbound(gateway, "while-off", "hello")[0], 503)
        metrics = harness.http_request("GET", gateway.url + "/metrics")[1].decode()
        self.assertIn('omnigate_plugin_state{instance="bad"} 0', metrics)
        self.assertIn('omnigate_plugin_disabled_total{instance="bad"} 1', metrics)
        self.assertIn("crash loop", gateway.log_text())

        self.assertEqual(gateway.api("POST", "/admin/plugins/bad/enable", AGENT_TOKEN)[0], 401)
        gateway.api_ok("POST", "/admin/plugins/bad/enable", ADMIN_TOKEN)
        wait_running(gateway)
        self.assertEqual(post_inbound(gateway, "after-enable", "hello")[0], 200)
        probe.stop()
        self.assertEqual(probe.failures, [])

    def test_no_acknowledged_message_is_lost_or_stored_twice_across_crashes(self):
        gateway = self.start({"quarantine_after": 1000, "crash_loop_crashes": 1000})
        db = self.ws.database()
        acknowledged = []
        lock = threading.Lock()

        def is_poison(worker, n):
            # Staggered per worker, so the crashes spread over the run instead of arriving
            # together (one crash per group; the rest would meet a restarting plugin).
            return (n + 4 * worker) % 15 == 7

        def provider(worker):
            # Like a provider: each message is retried until it is acknowledged with a 2xx.
            for n in range(60):
                message_id = f"w{worker}-{n}"
                text = "CRASH" if is_poison(worker, n) else "hello"
                if text == "CRASH":
                    # Sent to a running plugin, so it crashes it while the other workers'
                    # requests are in flight (one sent during a restart is answered 503 at once).
                    wait_running(gateway)
                for _ in range(200):
                    try:
                        status, _ = post_inbound(gateway, message_id, f"{text}-{message_id}")
                    except Exception:  # noqa: BLE001 — a provider just retries
                        status = None
                    if status == 200:
                        with lock:
                            acknowledged.append(message_id)
                        break
                    if text == "CRASH":
                        break  # poison: the test does not wait for its quarantine here
                    time.sleep(0.02)

        workers = [threading.Thread(target=provider, args=(w,)) for w in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        # Most of the 16 poison webhooks crash the plugin; two may still meet the same restart.
        self.assertGreaterEqual(plugin_state(gateway).get("restarts", 0), 8)
        expected = {f"w{w}-{n}" for w in range(4) for n in range(60) if not is_poison(w, n)}
        self.assertEqual(set(acknowledged), expected)
        counts = dict(db.query("SELECT provider_message_id, count(*) FROM messages "
                               "WHERE channel_instance = 'bad' GROUP BY provider_message_id"))
        missing = [m for m in expected if counts.get(m, 0) == 0]
        twice = {m: n for m, n in counts.items() if n != 1}
        self.assertEqual(missing, [], "acknowledged but not stored")
        self.assertEqual(twice, {}, "stored more than once")


class InProcessIsolationTest(harness.IntegrationCase):

    def start(self, supervision):
        self.gateway = self.ws.start_gateway(fixture_config(self.ws, "in_process", supervision))
        return self.gateway

    def crash_gateway(self, message_id, text):
        """Sends a webhook that kills the gateway (an in-process plugin), then restarts it."""
        try:
            post_inbound(self.gateway, message_id, text, timeout=30)
        except Exception:  # noqa: BLE001 — the connection dies with the process
            pass
        code = self.gateway.process.wait(60)
        self.assertEqual(code, -11, "the gateway died of the plugin's SIGSEGV")
        self.gateway.start()

    def test_a_poison_webhook_is_quarantined_after_restarts(self):
        self.start({"quarantine_after": 3, "crash_loop_crashes": 100})
        db = self.ws.database()
        for _ in range(3):
            self.crash_gateway("poison-1", "CRASH")
        # The provider's retry after the third crash: answered, the gateway stays up.
        status, body = post_inbound(self.gateway, "poison-1", "CRASH")
        self.assertEqual(status, 200, body)
        self.assertIsNone(self.gateway.process.poll())
        rows = db.query("SELECT input_kind, status, crashes FROM quarantine")
        self.assertEqual(rows, [("http", "quarantined", 3)])
        modes = db.query("SELECT DISTINCT mode FROM plugin_crash_log")
        self.assertEqual(modes, [("in_process",)])
        self.assertEqual(post_inbound(self.gateway, "fine-1", "hello")[0], 200)
        self.assertEqual(stored(db, "fine-1"), 1)
        listed = subprocess.run([harness.Settings.omnigate, "quarantine", "list", "--config",
                                 self.gateway.config_path], capture_output=True, text=True,
                                timeout=60)
        self.assertIn("quarantined", listed.stdout)

    def test_a_crash_loop_leaves_the_instance_disabled_and_the_rest_running(self):
        self.start({"quarantine_after": 100, "crash_loop_crashes": 3, "crash_loop_seconds": 600})
        for n in range(3):
            self.crash_gateway(f"loop-{n}", f"CRASH{n}")
        state = plugin_state(self.gateway)
        self.assertEqual(state["state"], "disabled")
        self.assertIn("crash loop", state["reason"])
        # Its webhooks are answered 503 (providers retry); the healthy instance serves.
        self.assertEqual(post_inbound(self.gateway, "while-off", "hello")[0], 503)
        self.assertEqual(harness.http_request("GET", self.gateway.url + "/channels/good/ping")[0],
                         200)
        # An operator enables it; it runs again after the restart.
        cli = subprocess.run([harness.Settings.omnigate, "plugins", "enable", "bad", "--config",
                              self.gateway.config_path], capture_output=True, text=True,
                             timeout=60)
        self.assertEqual(cli.returncode, 0, cli.stderr)
        self.assertEqual(self.gateway.stop(), 0)
        self.gateway.start()
        self.assertEqual(plugin_state(self.gateway)["state"], "running")
        self.assertEqual(post_inbound(self.gateway, "after-enable", "hello")[0], 200)


if __name__ == "__main__":
    harness.Settings.fixture = harness.take_path_option("--fixture")
    harness.main()
