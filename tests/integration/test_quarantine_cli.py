#!/usr/bin/env python3
"""The quarantine of inputs that crashed their plugin, as an operator handles it with the real
binary: `omnigate quarantine list|show|release|drop` and `omnigate plugins enable`.

The entries are what a crashing plugin leaves in the database; the test writes them with
sqlite3 into a database `omnigate migrate` created (or, for an outbox row, into one the real
gateway filled with a real reply), then checks what the commands print, what they change and
that each change is audited. A released outbox row is delivered again by the running gateway.
"""

import base64
import json
import os
import sqlite3
import subprocess

import harness

ALICE = "+14155550123"
AGENT_TOKEN = "agent-token-quarantine-0123456789"
ADMIN_TOKEN = "admin-token-quarantine-0123456789"
# 2025-11-23T06:40:00.000Z
CRASH_AT = 1763880000000


class QuarantineCliTest(harness.IntegrationCase):

    def cli(self, config_path, *args, user="ops-tester"):
        """Runs `omnigate <args> --config <config_path>` with $USER set; the CompletedProcess."""
        env = dict(os.environ, USER=user)
        return subprocess.run([harness.Settings.omnigate, *args, "--config", config_path],
                              capture_output=True, text=True, env=env, timeout=60)

    def cli_ok(self, config_path, *args):
        r = self.cli(config_path, *args)
        self.assertEqual(r.returncode, 0, f"omnigate {' '.join(args)}: {r.stderr}")
        return r.stdout

    def write(self, sql, args=()):
        db = sqlite3.connect(self.ws.database().path, timeout=10)
        try:
            cursor = db.execute(sql, args)
            db.commit()
            return cursor.lastrowid
        finally:
            db.close()

    def quarantine(self, instance, kind, key, status, crashes, raw=b"{}", reason="signal 11",
                   at=CRASH_AT):
        """A quarantine row as record_plugin_crash leaves it; its id."""
        return self.write(
            "INSERT INTO quarantine(instance, input_kind, input_key, status, crashes, "
            "first_crash_at, last_crash_at, last_reason, raw, quarantined_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (instance, kind, key, status, crashes, at, at, reason, raw,
             at if status == "quarantined" else None))

    def audit_count(self, action, actor, obj):
        return self.ws.database().scalar(
            "SELECT COUNT(*) FROM audit WHERE action = ? AND actor = ? AND object = ?",
            (action, actor, obj))

    def offline_config(self):
        return self.ws.write_config({
            "server": {"listen": "127.0.0.1:0"},
            "storage": {"data_dir": os.path.join(self.ws.workdir, "data")},
            "plugins": [{"instance": "echo", "file": harness.echo_plugin_path(), "config": {}}],
        })

    def test_list_show_release_drop_and_enable(self):
        config = self.offline_config()
        self.cli_ok(config, "migrate")
        webhook = {"method": "POST", "path": "/sms",
                   "body_base64": base64.b64encode(b"Body=crash me please").decode()}
        poison = self.quarantine("echo", "http", "a" * 64, "quarantined", 3,
                                 json.dumps(webhook).encode(), reason="signal 11 (SIGSEGV)")
        suspect = self.quarantine("echo", "ws", "b" * 64, "suspect", 1, at=CRASH_AT + 1000)
        other = self.quarantine("voice", "http", "c" * 64, "quarantined", 5, at=CRASH_AT + 2000)
        binary = self.quarantine("voice", "ws", "d" * 64, "quarantined", 2, raw=b"\xff\xfe\x00",
                                 at=CRASH_AT - 1000)
        self.write("INSERT INTO plugin_instance_state(instance, disabled, reason, changed_at, "
                   "changed_by) VALUES ('echo', 1, '5 crashes within 60 s', ?, 'system')",
                   (CRASH_AT,))

        # list: every entry, newest crash first, with the last crash in UTC and its reason.
        listing = self.cli_ok(config, "quarantine", "list").splitlines()
        self.assertIn("STATUS", listing[0])
        rows = [line.split() for line in listing[1:-1]]
        self.assertEqual([int(r[0]) for r in rows], [other, suspect, poison, binary])
        poison_row = listing[1 + 2]
        for expected in ("echo", "http", "quarantined", "3", "2025-11-23T06:40:00.000Z",
                         "signal 11 (SIGSEGV)"):
            self.assertIn(expected, poison_row)
        self.assertEqual(listing[-1], "4 entries")
        only_suspect = self.cli_ok(config, "quarantine", "list", "--status", "suspect")
        self.assertEqual([int(line.split()[0]) for line in only_suspect.splitlines()[1:-1]],
                         [suspect])
        voice = self.cli_ok(config, "quarantine", "list", "--instance", "voice")
        self.assertEqual([int(line.split()[0]) for line in voice.splitlines()[1:-1]],
                         [other, binary])
        self.assertEqual(self.cli(config, "quarantine", "list", "--status", "lost").returncode, 2)

        # show: every field, the raw input as captured and the webhook body inside it.
        shown = self.cli_ok(config, "quarantine", "show", str(poison))
        for expected in (f"id:             {poison}", "instance:       echo",
                         "input kind:     http", "input key:      " + "a" * 64,
                         "status:         quarantined", "crashes:        3",
                         "last crash:     2025-11-23T06:40:00.000Z",
                         "last reason:    signal 11 (SIGSEGV)", "released by:    -",
                         json.dumps(webhook), "body:\nBody=crash me please"):
            self.assertIn(expected, shown)
        shown_binary = self.cli_ok(config, "quarantine", "show", str(binary))
        self.assertIn("raw input (base64, not UTF-8):\n"
                      + base64.b64encode(b"\xff\xfe\x00").decode(), shown_binary)
        missing = self.cli(config, "quarantine", "show", "4242")
        self.assertEqual(missing.returncode, 1)
        self.assertIn("no quarantine entry 4242", missing.stderr)
        self.assertEqual(self.cli(config, "quarantine", "show", "x").returncode, 2)

        # release: only a quarantined entry; it waits for the running gateway to replay it.
        early = self.cli(config, "quarantine", "release", str(suspect))
        self.assertEqual(early.returncode, 1)
        self.assertIn("not quarantined", early.stderr)
        self.assertEqual(self.cli(config, "quarantine", "release", "4242").returncode, 1)
        self.cli_ok(config, "quarantine", "release", str(poison))
        status, by, replayed = self.ws.database().query(
            "SELECT status, released_by, replayed_at FROM quarantine WHERE id = ?", (poison,))[0]
        self.assertEqual((status, by, replayed), ("released", "cli:ops-tester", None))
        self.assertEqual(self.audit_count("quarantine.release", "cli:ops-tester",
                                          f"quarantine:{poison}"), 1)

        # drop: quarantined or suspect entries, by the --actor named.
        self.cli_ok(config, "quarantine", "drop", str(other), "--actor", "ops:pat")
        self.cli_ok(config, "quarantine", "drop", str(suspect))
        self.assertEqual(self.ws.database().query(
            "SELECT status, dropped_by FROM quarantine WHERE id = ?", (other,))[0],
            ("dropped", "ops:pat"))
        self.assertEqual(self.audit_count("quarantine.drop", "ops:pat", f"quarantine:{other}"), 1)
        self.assertEqual(self.audit_count("quarantine.drop", "cli:ops-tester",
                                          f"quarantine:{suspect}"), 1)
        again = self.cli(config, "quarantine", "drop", str(other))
        self.assertEqual(again.returncode, 1)
        self.assertIn("status dropped", again.stderr)

        # plugins enable: clears the crash-loop guard's flag, audited.
        enabled = self.cli_ok(config, "plugins", "enable", "echo")
        self.assertIn("enabled plugin instance echo", enabled)
        self.assertEqual(self.ws.database().query(
            "SELECT disabled, reason, changed_by FROM plugin_instance_state "
            "WHERE instance = 'echo'"),
            [(0, "enabled by cli:ops-tester", "cli:ops-tester")])
        self.assertEqual(self.audit_count("plugin.enable", "cli:ops-tester", "plugin:echo"), 1)
        self.assertIn("not disabled", self.cli_ok(config, "plugins", "enable", "echo"))
        unknown = self.cli(config, "plugins", "enable", "nope")
        self.assertEqual(unknown.returncode, 1)
        self.assertIn("no plugin instance nope", unknown.stderr)

    def test_a_released_outbox_row_is_delivered_again(self):
        standin = self.ws.start_standin()
        config = self.ws.sms_config(
            standin, agents=[harness.agent("alice", {"sms": 3}, 10)],
            users=[harness.user("alice", "agent", AGENT_TOKEN, "alice"),
                   harness.user("ada", "admin", ADMIN_TOKEN)],
            # The first attempt fails and its retry is far away: the row stays unsent until the
            # test quarantines it.
            outbox={"initial_backoff_ms": 3600000, "max_backoff_ms": 3600000,
                    "poll_interval_ms": 100})
        gateway = self.ws.start_gateway(config)
        config_path = gateway.config_path
        status, body = gateway.send_sms(harness.inbound_params(ALICE, "help"))
        self.assertEqual(status, 200, body)
        conversation = harness.wait_until(
            lambda: next((c for c in gateway.conversations(AGENT_TOKEN)
                          if c["assigned_agent"] == "alice"), None),
            60, "the conversation assigned to alice")
        standin.fail(500, 1)
        reply = gateway.api_ok("POST", f"/conversations/{conversation['id']}/reply", AGENT_TOKEN,
                               {"text": "the poison reply"}, expect=(202,))
        outbox_id = reply["outbox_id"]
        db = self.ws.database()
        harness.wait_until(lambda: db.scalar("SELECT state FROM outbox WHERE id = ?",
                                             (outbox_id,)) == "retry", 30, "the failed attempt")
        self.assertEqual(gateway.stop(), 0)

        # What record_plugin_crash leaves after the send crashed its plugin N times.
        self.write("UPDATE outbox SET state = 'quarantined' WHERE id = ?", (outbox_id,))
        entry = self.quarantine("sms", "outbox", f"outbox:{outbox_id}", "quarantined", 3,
                                json.dumps({"outbox_id": outbox_id}).encode())
        gateway.start()
        standin.deliver_callbacks_to(gateway.url)

        # The API shows it to admins, with its raw input.
        shown = gateway.api_ok("GET", f"/admin/quarantine/{entry}", ADMIN_TOKEN)
        self.assertEqual(shown["status"], "quarantined")
        self.assertEqual(json.loads(shown["raw"]), {"outbox_id": outbox_id})
        self.assertEqual(gateway.api("GET", "/admin/quarantine", AGENT_TOKEN)[0], 403)

        self.cli_ok(config_path, "quarantine", "release", str(entry))
        harness.wait_until(lambda: db.scalar("SELECT state FROM outbox WHERE id = ?",
                                             (outbox_id,)) == "sent", 60,
                           "the released reply to be sent")
        created = [m for m in standin.messages()
                   if m["outcome"] == 201 and "the poison reply" in json.dumps(m["form"])]
        self.assertEqual(len(created), 1, "delivered exactly once")
        status, replayed = db.query("SELECT status, replayed_at FROM quarantine WHERE id = ?",
                                    (entry,))[0]
        self.assertEqual(status, "released")
        self.assertIsNotNone(replayed)
        self.assertEqual(self.audit_count("quarantine.release", "cli:ops-tester",
                                          f"quarantine:{entry}"), 1)
        self.assertEqual(gateway.stop(), 0)


if __name__ == "__main__":
    harness.main()
