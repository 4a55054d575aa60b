#!/usr/bin/env python3
"""An agent's files in an e-mail reply, end to end: the real omnigate binary with
libog_email.so, a real Dovecot IMAP server and a real SMTP server (tests/mail/mail_servers.py).

- POST /api/v1/attachments stores the raw body (a ~300 KB PDF-like file with NUL and 0xFF, a
  small PNG) and answers its sha256; the reply names both by sha256 and the mail the SMTP
  server receives carries them as attachment parts that decode to exactly the uploaded bytes,
  under the given file names. The large one reaches the plugin by reference (blob_read), the
  small one with its bytes.
- A QA token may not upload (403), a body over [server.limits] max_upload_bytes is 413, and a
  reply naming a sha256 nobody uploaded is 400 naming the attachment.
"""

import hashlib
import http.client
import json
import struct
import urllib.parse
import zlib

import harness
from email_fixtures import (AGENT_TOKEN, MAILBOX_PASSWORD, MAILBOX_USER, OUR_ADDRESS,
                            customer_mail, email_config, mail_servers, parse)

CUSTOMER = "kunde@customer.example"
QA_TOKEN = "quinn-qa-token"
MAX_UPLOAD = 512 * 1024


def pdf_like(size):
    """A file no text path carries unharmed: every byte value, NUL and 0xFF included."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    body = bytes((i * 131 + i // 256) % 256 for i in range(size - len(head) - 6))
    return head + body + b"\n%%EOF"


def small_png():
    """A 1x1 PNG (signature, IHDR, IDAT, IEND)."""
    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


class ReplyAttachmentsTest(harness.IntegrationCase):

    def setUp(self):
        super().setUp()
        self.dovecot = self.enterContext(mail_servers.Dovecot({MAILBOX_USER: MAILBOX_PASSWORD}))
        self.smtp = self.enterContext(mail_servers.SmtpSink())
        config = email_config(self.ws.workdir, self.dovecot, self.smtp)
        config["server"]["limits"] = {"max_upload_bytes": MAX_UPLOAD}
        config["users"].append(harness.user("quinn", "qa", QA_TOKEN))
        self.gateway = self.ws.start_gateway(config)

    def upload(self, token, data, filename, content_type):
        """(status, JSON) of POST /api/v1/attachments with the raw bytes as the body."""
        path = "/api/v1/attachments?filename=" + urllib.parse.quote(filename, safe="")
        conn = http.client.HTTPConnection("127.0.0.1", self.gateway.port, timeout=60)
        try:
            try:
                conn.request("POST", path, body=data,
                             headers={"Authorization": f"Bearer {token}",
                                      "Content-Type": content_type})
            except (BrokenPipeError, ConnectionResetError):
                pass  # the gateway may answer 413 and close while the client is still sending
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            conn.close()

    def assigned_conversation(self):
        self.dovecot.append(MAILBOX_USER, customer_mail(
            "a1@customer.example", "Rechnung bitte", "Können Sie mir die Rechnung schicken?"))
        [conversation] = harness.wait_until(
            lambda: self.gateway.conversations(AGENT_TOKEN), 20, "the mail's conversation")
        cid = conversation["id"]
        harness.wait_until(lambda: self.gateway.api_ok("GET", f"/conversations/{cid}",
                                                       AGENT_TOKEN)["conversation"]
                           ["assigned_agent"] == "alice", 20, "alice to be assigned")
        return cid

    def test_uploaded_files_reach_the_customer_byte_for_byte(self):
        cid = self.assigned_conversation()
        pdf = pdf_like(300 * 1024)
        png = small_png()
        self.assertIn(b"\x00", pdf)
        self.assertIn(b"\xff", pdf)
        pdf_name = "Rechnung März 2024.pdf"
        status, uploaded_pdf = self.upload(AGENT_TOKEN, pdf, pdf_name, "application/pdf")
        self.assertEqual(status, 201, uploaded_pdf)
        self.assertEqual(uploaded_pdf, {"sha256": hashlib.sha256(pdf).hexdigest(),
                                        "size": len(pdf), "filename": pdf_name,
                                        "content_type": "application/pdf"})
        status, uploaded_png = self.upload(AGENT_TOKEN, png, "logo.png", "image/png")
        self.assertEqual(status, 201, uploaded_png)
        self.assertEqual(uploaded_png["sha256"], hashlib.sha256(png).hexdigest())
        # The audit record is written after the answer (as for every audited call).
        harness.wait_until(lambda: self.ws.database().scalar(
            "SELECT COUNT(*) FROM audit WHERE action = 'attachment.upload' AND actor = 'alice'")
            == 2, 10, "both uploads to be audited")

        before = len(self.smtp.received())
        self.gateway.api_ok("POST", f"/conversations/{cid}/reply", AGENT_TOKEN, {
            "text": "Anbei die Rechnung und unser Logo.",
            "attachments": [
                {"filename": pdf_name, "content_type": "application/pdf",
                 "sha256": uploaded_pdf["sha256"]},
                {"filename": "logo.png", "content_type": "image/png",
                 "sha256": uploaded_png["sha256"]},
            ]}, expect=(202,))
        harness.wait_until(lambda: len(self.smtp.received()) > before, 20,
                           "the reply to reach the SMTP server")
        envelope_from, recipients, data = self.smtp.received()[-1]
        self.assertEqual((envelope_from, recipients), (OUR_ADDRESS, [CUSTOMER]))
        mail = parse(data)
        self.assertTrue(mail.is_multipart())
        self.assertIn("Anbei die Rechnung", mail.get_body(("plain",)).get_content())
        parts = [(p.get_filename(), p.get_content_type(), p.get_payload(decode=True))
                 for p in mail.iter_attachments()]
        self.assertEqual([(name, kind) for name, kind, _ in parts],
                         [(pdf_name, "application/pdf"), ("logo.png", "image/png")])
        self.assertEqual(parts[0][2], pdf)
        self.assertEqual(parts[1][2], png)

        def sent():
            t = self.gateway.transcript(AGENT_TOKEN, cid)
            out = [e["message"] for e in t if e["type"] == "message"
                   and e["message"]["direction"] == "out"]
            return out[0] if out and out[0]["delivery_state"] == "sent" else None
        reply = harness.wait_until(sent, 20, "the reply to be marked sent")
        self.assertEqual([(a["filename"], a["size"], a["sha256"]) for a in reply["attachments"]],
                         [(pdf_name, len(pdf), uploaded_pdf["sha256"]),
                          ("logo.png", len(png), uploaded_png["sha256"])])

    def test_refusals(self):
        cid = self.assigned_conversation()
        status, body = self.upload(QA_TOKEN, b"x", "a.txt", "text/plain")
        self.assertEqual((status, body["error"]), (403, "forbidden"))
        status, body = self.upload("no-such-token", b"x", "a.txt", "text/plain")
        self.assertEqual(status, 401)
        status, body = self.upload(AGENT_TOKEN, b"\x00" * (MAX_UPLOAD + 1), "big.bin",
                                   "application/octet-stream")
        self.assertEqual(status, 413)
        # Exactly the limit is accepted.
        status, body = self.upload(AGENT_TOKEN, b"\x00" * MAX_UPLOAD, "fits.bin",
                                   "application/octet-stream")
        self.assertEqual((status, body["size"]), (201, MAX_UPLOAD))

        unknown = hashlib.sha256(b"never uploaded").hexdigest()
        status, body = self.gateway.api("POST", f"/conversations/{cid}/reply", AGENT_TOKEN, {
            "text": "Anbei.", "attachments": [{"filename": "a.pdf", "sha256": unknown}]})
        self.assertEqual((status, body["field"]), (400, "attachments[0].sha256"))
        status, body = self.gateway.api("POST", f"/conversations/{cid}/reply", AGENT_TOKEN, {
            "text": "Anbei.", "attachments": [{"filename": "a.pdf", "sha256": unknown,
                                               "url": "https://files.example/a.pdf"}]})
        self.assertEqual((status, body["field"]), (400, "attachments[0].sha256"))
        transcript = self.gateway.transcript(AGENT_TOKEN, cid)
        self.assertFalse([e for e in transcript if e["type"] == "message"
                          and e["message"]["direction"] == "out"], "nothing was stored")


if __name__ == "__main__":
    harness.main()
