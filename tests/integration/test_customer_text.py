#!/usr/bin/env python3
"""Customers' bytes in the database: readable by any program, never lost, never mistaken.

The real gateway and SMS plugin receive signed webhooks carrying what carriers can send: a Body
that is not UTF-8, senders that are not phone numbers. The database is then read with Python's
sqlite3 and its default text factory (str), which raises on TEXT that is not UTF-8, as a backup
check, an export or a QA tool would read it.
"""

import unittest

import harness


def carrier_bytes(raw):
    """Bytes as the form field's decoded value (twilio.py sends surrogate escapes as the bytes)."""
    return raw.decode("utf-8", "surrogateescape")


class CustomerTextTest(harness.IntegrationCase):
    def start(self):
        standin = self.ws.start_standin()
        self.gateway = self.ws.start_gateway(self.ws.sms_config(standin))
        self.db = self.ws.database()

    def send(self, from_number, body, sid):
        status, answer = self.gateway.send_sms(harness.inbound_params(from_number, body, sid))
        self.assertEqual(status, 200, answer)

    def assert_every_table_reads_as_text(self):
        tables = [name for (name,) in self.db.query(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            with self.subTest(table=table):
                self.db.query(f"SELECT * FROM {table}")  # raises on text that is not UTF-8

    def test_a_body_that_is_not_utf8_is_stored_readable_flagged_and_kept_raw(self):
        self.start()
        self.send("+14155550123", carrier_bytes(b"\xff\xfehi"), "SM" + "1" * 32)
        body, malformed, raw = self.db.query(
            "SELECT body_text, malformed, raw FROM messages WHERE provider_message_id = ?",
            ("SM" + "1" * 32,))[0]
        self.assertEqual(body, "\ufffd\ufffdhi")
        self.assertEqual(malformed, 1)
        self.assertIn("Body=%FF%FEhi", raw)  # the request as received: the original bytes
        self.assert_every_table_reads_as_text()

    def test_senders_that_are_not_phone_numbers_are_kept_flagged_and_not_phones(self):
        self.start()
        senders = {"SM" + "a" * 32: "hello",
                   "SM" + "b" * 32: "4" * 40,
                   "SM" + "c" * 32: carrier_bytes(b"+1555\xff\xff")}
        for sid, sender in senders.items():
            self.send(sender, "still my message", sid)
        self.assert_every_table_reads_as_text()
        for sid in senders:
            with self.subTest(sid=sid):
                body, malformed, kind = self.db.query(
                    "SELECT m.body_text, m.malformed, i.kind FROM messages m "
                    "JOIN conversations c ON c.id = m.conversation_id "
                    "JOIN identities i ON i.customer_id = c.customer_id "
                    "WHERE m.provider_message_id = ?", (sid,))[0]
                self.assertEqual(body, "still my message")
                self.assertEqual(malformed, 1)
                self.assertEqual(kind, "unverified")
        self.assertEqual(self.db.scalar("SELECT COUNT(*) FROM identities WHERE kind = 'phone'"), 0)

    def test_whatsapp_and_messenger_senders_are_identities_of_their_own(self):
        self.start()
        self.send("whatsapp:+14155238886", "via WhatsApp", "SM" + "d" * 32)
        self.send("messenger:1234567890123456", "via Messenger", "SM" + "e" * 32)
        self.send("+14155238886", "by SMS", "SM" + "f" * 32)
        self.assertEqual(
            sorted(self.db.query("SELECT kind, address FROM identities")),
            [("messenger", "messenger:1234567890123456"), ("phone", "+14155238886"),
             ("whatsapp", "whatsapp:+14155238886")])
        self.assertEqual(self.db.scalar("SELECT COUNT(*) FROM messages WHERE malformed = 1"), 0)


if __name__ == "__main__":
    harness.main()
