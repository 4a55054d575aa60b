#!/usr/bin/env python3
"""Erasure of a customer on request through the real binary (issue 19, check 4; docs/api.md
"Erasure and legal hold", docs/operations.md "Erasure, legal hold and retention").

Two SMS customers write words no one else uses; the agent answers A with an uploaded file and
writes a note about A. An admin places a legal hold on A: the erasure is refused (409) until the
hold is lifted; then A is erased over the API while the gateway runs. A's conversation is an
empty shell whose one transcript entry records the erasure, search (which found A before, its
audit row keeping only the words' hash) finds nothing of A and still finds B, the audit row
holds the fact and the reason only. After the gateway stops, no byte of
A's words is in the database file, its WAL or the attachments directory (the whole data dir is
scanned), B's are, and `omnigate transcript verify --all` passes.
"""

import hashlib
import json
import os
import subprocess
import urllib.parse

import harness

ADMIN = "admin-token-erasure-0123456789abcdef"
AGENT = "agent-token-erasure-0123456789abcdef"
SUPERVISOR = "supervisor-token-erasure-0123456789ab"
CUSTOMER_A = "+14155550100"
CUSTOMER_B = "+14155550199"
# Lower case: the search index keeps words folded, and those copies must go too.
A_WORDS = ["quokkasmsbody5501", "quokkauploadfile5502", "quokkaagentnote5503",
           "quokkareplytext5504"]
B_WORDS = ["wombatsmsbody6601"]


class ErasureTest(harness.IntegrationCase):

    def setUp(self):
        super().setUp()
        self.standin = self.ws.start_standin()
        config = self.ws.sms_config(
            self.standin, [harness.agent("al", {"sms": 3}, 3)], [
                harness.user("root", "admin", ADMIN),
                harness.user("sam", "supervisor", SUPERVISOR),
                harness.user("al", "agent", AGENT, "al"),
            ])
        self.data_dir = config["storage"]["data_dir"]
        self.gateway = self.ws.start_gateway(config)
        self.standin.deliver_callbacks_to(self.gateway.url)

    def inbound(self, sender, sid, text):
        status, body = self.gateway.send_sms(harness.inbound_params(sender, text, message_sid=sid))
        self.assertEqual(status, 200, body)
        return harness.wait_until(
            lambda: self.ws.database().query(
                "SELECT conversation_id FROM messages WHERE provider_message_id = ?", (sid,)),
            10, f"message {sid} stored")[0][0]

    def upload(self, data):
        status, raw = harness.http_request(
            "POST", f"{self.gateway.url}/api/v1/attachments?filename="
            + urllib.parse.quote("scan.txt"), data,
            {"Authorization": f"Bearer {AGENT}", "Content-Type": "text/plain"})
        self.assertEqual(status, 201, raw)
        return json.loads(raw)["sha256"]

    def data_bytes(self):
        """Every file under the data dir: the database, its WAL, the attachments."""
        out = b""
        for root, _, files in os.walk(self.data_dir):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    out += f.read()
        return out

    def test_erasure_leaves_no_byte_of_the_customer(self):
        conversation = self.inbound(CUSTOMER_A, "SM" + "a" * 32, f"hello {A_WORDS[0]}")
        other = self.inbound(CUSTOMER_B, "SM" + "b" * 32, f"hello {B_WORDS[0]}")
        harness.wait_until(
            lambda: self.gateway.api_ok("GET", f"/conversations/{conversation}", SUPERVISOR)
            ["conversation"]["assigned_agent"] == "al", 10, "A's conversation assigned to al")
        sha = self.upload(f"the scan {A_WORDS[1]}".encode())
        self.gateway.api_ok("POST", f"/conversations/{conversation}/notes", AGENT,
                            {"body": f"customer says {A_WORDS[2]}"}, expect=(201,))
        self.gateway.api_ok("POST", f"/conversations/{conversation}/reply", AGENT,
                            {"text": f"here it is {A_WORDS[3]}",
                             "attachments": [{"filename": "scan.txt", "sha256": sha}]},
                            expect=(202,))
        customer = self.gateway.api_ok("GET", f"/conversations/{conversation}",
                                       SUPERVISOR)["conversation"]["customer_id"]
        attachment_file = os.path.join(self.data_dir, "attachments", sha[:2], sha)
        self.assertTrue(os.path.exists(attachment_file))

        # QA searched for A's words while A was a customer: the audit row keeps the search's
        # hash, never the words, so they cannot outlive the erasure there.
        found = self.gateway.api_ok("GET", f"/transcripts/search?q={A_WORDS[0]}",
                                    SUPERVISOR)["results"]
        self.assertEqual([r["conversation"]["id"] for r in found], [conversation])

        # A legal hold stops the erasure until it is lifted; only admins may do either.
        reason = {"reason": "request 2026-117 (GDPR art. 17)"}
        status, _ = self.gateway.api("POST", f"/customers/{customer}/erase", SUPERVISOR, reason)
        self.assertEqual(status, 403)
        status, body = self.gateway.api("POST", f"/customers/{customer}/erase", ADMIN, {})
        self.assertEqual(status, 400, body)
        held = self.gateway.api_ok("POST", f"/customers/{customer}/legal-hold", ADMIN,
                                   {"reason": "litigation 9"})
        self.assertEqual(held["legal_hold"]["reason"], "litigation 9")
        status, body = self.gateway.api("POST", f"/customers/{customer}/erase", ADMIN, reason)
        self.assertEqual(status, 409, body)
        self.assertIn("legal hold", body["message"])
        lifted = self.gateway.api_ok("DELETE", f"/customers/{customer}/legal-hold", ADMIN,
                                     {"reason": "litigation settled"})
        self.assertIsNone(lifted["legal_hold"])

        erased = self.gateway.api_ok("POST", f"/customers/{customer}/erase", ADMIN, reason)
        self.assertEqual(erased["conversations"], [conversation])
        self.assertEqual(erased["attachment_files"], 1)
        self.assertFalse(os.path.exists(attachment_file))
        status, _ = self.gateway.api("POST", "/customers/999999/erase", ADMIN, reason)
        self.assertEqual(status, 404)

        entries = self.gateway.transcript(SUPERVISOR, conversation)
        self.assertEqual([e["event"]["kind"] for e in entries], ["transcript.erased"])
        self.assertEqual(entries[0]["event"]["data"]["reason"], "erasure")
        found = self.gateway.api_ok("GET", f"/transcripts/search?q={A_WORDS[0]}",
                                    SUPERVISOR)["results"]
        self.assertEqual(found, [])
        found = self.gateway.api_ok("GET", f"/transcripts/search?q={B_WORDS[0]}",
                                    SUPERVISOR)["results"]
        self.assertEqual([r["conversation"]["id"] for r in found], [other])
        searches = harness.wait_until(lambda: self.ws.database().query(
            "SELECT detail_json FROM audit WHERE action = 'transcript.search' ORDER BY id"), 10,
            "the searches' audit rows")
        self.assertIn(hashlib.sha256(A_WORDS[0].encode()).hexdigest(), searches[0][0])
        audit = harness.wait_until(lambda: self.ws.database().query(
            "SELECT actor, detail_json FROM audit WHERE action = 'customer.erase' AND object = ?",
            (f"customer:{customer}",)), 10, "the erasure's audit row")
        self.assertEqual(audit[0][0], "root")
        self.assertIn("GDPR art. 17", audit[0][1])
        self.gateway.stop()

        disk = self.data_bytes()
        for word in A_WORDS:
            self.assertFalse(word.encode() in disk, f"{word} is still on disk")
        for word in B_WORDS:
            self.assertTrue(word.encode() in disk, f"{word} (customer B) was lost")
        verified = subprocess.run(
            [harness.Settings.omnigate, "transcript", "verify", "--all", "--db",
             self.ws.database().path], capture_output=True, text=True, timeout=60)
        self.assertEqual((verified.returncode, verified.stdout.strip()), (0, "ok"),
                         verified.stderr)


if __name__ == "__main__":
    harness.main()
