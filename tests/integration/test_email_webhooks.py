#!/usr/bin/env python3
"""POST /channels/email/inbound on the real binary: a raw message/rfc822 with the webhook
secret, a Mailgun route post (body-mime, HMAC-SHA256 signature), a SendGrid Inbound Parse post
(raw mode, Basic auth in the URL). Every unproven post is refused (401 without proof, 403 with
a wrong or stale one) and stores nothing; a post repeated by the provider is stored once; a
body over the route's limit is 413; a mail that cannot be read fully is stored flagged."""

import base64
import hashlib
import hmac
import time
import uuid

import harness
from email_fixtures import (MAILGUN_KEY, SENDGRID_PASSWORD, SENDGRID_USER,
                            WEBHOOK_SECRET, customer_mail, email_config)


def form_data(fields):
    """multipart/form-data as browsers and providers send it: (content type, body)."""
    boundary = "----og" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.encode()
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                     .encode() + value + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + \
        f"--{boundary}--\r\n".encode()


def mailgun_fields(raw, key=MAILGUN_KEY, timestamp=None, token=None):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    token = token or uuid.uuid4().hex
    signature = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {"recipient": "support@example.com", "sender": "kunde@customer.example",
            "timestamp": timestamp, "token": token, "signature": signature, "body-mime": raw}


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class EmailWebhookTest(harness.SharedWorkspaceCase):

    @classmethod
    def start_workspace(cls):
        cls.gateway = cls.ws.start_gateway(email_config(
            cls.ws.workdir, extra={"webhook": {
                "secret": "webhook-secret-0123456789", "mailgun_signing_key": MAILGUN_KEY,
                "sendgrid_user": SENDGRID_USER, "sendgrid_password": SENDGRID_PASSWORD,
                "max_body_bytes": 2 * 1024 * 1024}}))
        cls.url = cls.gateway.webhook_url("email", "inbound")

    def post(self, body, content_type, authorization=None):
        headers = {"Content-Type": content_type}
        if authorization:
            headers["Authorization"] = authorization
        status, raw = harness.http_request("POST", self.url, body, headers, timeout=30)
        return status, raw.decode(errors="replace")

    def stored(self, message_id):
        db = self.ws.database()
        return db.scalar("SELECT COUNT(*) FROM messages WHERE provider_message_id = ?",
                         (message_id,))

    def test_raw_message_needs_the_secret(self):
        raw = customer_mail("raw-1@customer.example", "Raw", "raw body")
        self.assertEqual(self.post(raw, "message/rfc822")[0], 401)
        self.assertEqual(self.post(raw, "message/rfc822", "Bearer wrong-secret")[0], 403)
        self.assertEqual(self.stored("raw-1@customer.example"), 0)
        status, body = self.post(raw, "message/rfc822", f"Bearer {WEBHOOK_SECRET}")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.stored("raw-1@customer.example"), 1)
        # The provider's retry of the same mail is stored once.
        self.assertEqual(self.post(raw, "message/rfc822", basic("any", WEBHOOK_SECRET))[0], 200)
        self.assertEqual(self.stored("raw-1@customer.example"), 1)

    def test_mailgun_signature(self):
        raw = customer_mail("mg-1@customer.example", "Mailgun", "via mailgun")
        fields = mailgun_fields(raw.decode())
        unsigned = {k: v for k, v in fields.items() if k != "signature"}
        self.assertEqual(self.post(*reversed(form_data(unsigned)))[0], 401)
        forged = mailgun_fields(raw.decode(), key="key-not-ours")
        self.assertEqual(self.post(*reversed(form_data(forged)))[0], 403)
        stale = mailgun_fields(raw.decode(), timestamp=int(time.time()) - 3600)
        self.assertEqual(self.post(*reversed(form_data(stale)))[0], 403)
        self.assertEqual(self.stored("mg-1@customer.example"), 0)
        status, body = self.post(*reversed(form_data(fields)))
        self.assertEqual(status, 200, body)
        self.assertEqual(self.stored("mg-1@customer.example"), 1)

    def test_sendgrid_basic_auth(self):
        raw = customer_mail("sg-1@customer.example", "SendGrid", "via sendgrid")
        content_type, body = form_data({"email": raw, "to": "support@example.com",
                                        "charsets": '{"to":"UTF-8"}'})
        self.assertEqual(self.post(body, content_type)[0], 401)
        self.assertEqual(self.post(body, content_type, basic(SENDGRID_USER, "nope"))[0], 403)
        self.assertEqual(self.stored("sg-1@customer.example"), 0)
        status, text = self.post(body, content_type, basic(SENDGRID_USER, SENDGRID_PASSWORD))
        self.assertEqual(status, 200, text)
        self.assertEqual(self.stored("sg-1@customer.example"), 1)

    def test_limits_and_bad_input(self):
        self.assertEqual(self.post(b"x" * (3 * 1024 * 1024), "message/rfc822",
                                   f"Bearer {WEBHOOK_SECRET}")[0], 413)
        self.assertEqual(self.post(b"{}", "application/json", f"Bearer {WEBHOOK_SECRET}")[0], 415)
        self.assertEqual(self.post(*reversed(form_data({"foo": "bar"})))[0], 400)
        # A mail whose multipart never ends is still stored: flagged, its raw bytes kept.
        broken = (b"From: Kunde <kunde@customer.example>\r\nTo: support@example.com\r\n"
                  b"Subject: kaputt\r\nMessage-ID: <broken-1@customer.example>\r\n"
                  b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"X\"\r\n\r\n"
                  b"--X\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                  b"SGFsbG8gV2VsdA==\r\n--X\r\nContent-Type: application/pdf\r\n"
                  b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0x!!!not base64")
        status, body = self.post(broken, "message/rfc822", f"Bearer {WEBHOOK_SECRET}")
        self.assertEqual(status, 200, body)
        db = self.ws.database()
        row = db.query("SELECT malformed, length(raw), body_text FROM messages "
                       "WHERE provider_message_id = 'broken-1@customer.example'")
        self.assertEqual(len(row), 1)
        self.assertEqual(row[0][0], 1, "the mail must be flagged malformed")
        self.assertEqual(row[0][1], len(broken))
        self.assertIn("Hallo Welt", row[0][2])
        self.assertIn(("kaputt",), db.query("SELECT subject FROM conversations"))


if __name__ == "__main__":
    harness.main()
