#!/usr/bin/env python3
"""Transcripts for QA with the real binary (docs/qa.md "Transcripts"): a customer's card number
is stored redacted, found by full-text search without its digits, exported redacted over the API
and the CLI, and `omnigate transcript verify` proves the record intact until a row is altered
with raw SQL, then names that message.
"""

import json
import os
import sqlite3
import subprocess

import harness

QA_TOKEN = "qa-token-transcripts-0123456789abcdef"
AGENT_TOKEN = "agent-token-transcripts-0123456789ab"
CARD = "4111 1111 1111 1111"


class TranscriptsQaTest(harness.IntegrationCase):

    def cli(self, *args):
        return subprocess.run([harness.Settings.omnigate, "transcript", *args],
                              capture_output=True, text=True, timeout=60)

    def test_redacted_search_export_and_verify(self):
        gateway = self.ws.start_gateway(harness.echo_config(
            self.ws.workdir,
            agents=[{"id": "alice", "display_name": "Alice", "capacity": {"echo": 1},
                     "presence": "offline"}],
            users=[harness.user("quinn", "qa", QA_TOKEN),
                   harness.user("alice", "agent", AGENT_TOKEN, agent_id="alice")]))
        for message_id, text in (("m1", f"my parcel is lost, card {CARD} cvv 123"),
                                 ("m2", "a refund for the parcel please")):
            self.assertEqual(harness.post_echo(gateway, "visitor-1", message_id, text),
                             (200, b"stored\n"))
        self.assertEqual(harness.post_echo(gateway, "visitor-2", "m3", "hello"),
                         (200, b"stored\n"))

        found = gateway.api_ok("GET", "/transcripts/search?q=parcel", QA_TOKEN)["results"]
        self.assertEqual(len(found), 1)
        conversation = found[0]["conversation"]["id"]
        self.assertIn({"text": "parcel", "match": True}, found[0]["snippet"])
        self.assertEqual(gateway.api_ok("GET", "/transcripts/search?q=4111111111111111",
                                        QA_TOKEN)["results"], [])
        status, _ = gateway.api("GET", "/transcripts/search?q=parcel", AGENT_TOKEN)
        self.assertEqual(status, 403)

        status, raw = harness.http_request(
            "GET", f"{gateway.url}/api/v1/conversations/{conversation}/export?format=html",
            headers={"Authorization": f"Bearer {QA_TOKEN}"})
        self.assertEqual(status, 200)
        html = raw.decode()
        self.assertIn("**** **** **** 1111 cvv ***", html)
        self.assertNotIn(CARD, html)
        # The audit row is written after the reply (the store's writer commits it).
        harness.wait_until(lambda: self.ws.database().scalar(
            "SELECT COUNT(*) FROM audit WHERE action = 'report.export' AND object = ?",
            (f"conversation:{conversation}",)) == 1, 10, "the export's audit row")
        gateway.stop()

        db = self.ws.database().path
        verified = self.cli("verify", "--all", "--db", db)
        self.assertEqual((verified.returncode, verified.stdout.strip()), (0, "ok"), verified.stderr)
        out_dir = os.path.join(self.ws.workdir, "exports")
        exported = self.cli("export", str(conversation), "--db", db, "--format", "jsonl",
                            "--out", out_dir)
        self.assertEqual(exported.returncode, 0, exported.stderr)
        with open(os.path.join(out_dir, f"conversation-{conversation}.jsonl")) as f:
            lines = [json.loads(line) for line in f]
        bodies = [line["body_text"] for line in lines if line.get("type") == "message"]
        self.assertEqual(bodies[0], "my parcel is lost, card **** **** **** 1111 cvv ***")

        con = sqlite3.connect(db)
        message = con.execute("SELECT id FROM messages WHERE body_text LIKE 'a refund%'").fetchone()[0]
        con.execute("UPDATE messages SET body_text = 'all fine' WHERE id = ?", (message,))
        con.commit()
        con.close()
        broken = self.cli("verify", str(conversation), "--db", db)
        self.assertEqual(broken.returncode, 1)
        self.assertIn(f"(message {message})", broken.stdout)
        self.assertEqual(self.cli("verify", "--db", db).returncode, 2)


if __name__ == "__main__":
    harness.main()
