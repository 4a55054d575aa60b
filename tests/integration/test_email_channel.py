#!/usr/bin/env python3
"""The e-mail channel end to end: the real omnigate binary with libog_email.so, a real Dovecot
IMAP server and a real SMTP server (aiosmtpd), all on 127.0.0.1 (tests/mail/mail_servers.py).

- A mail appended to the IMAP folder reaches its conversation through IDLE within seconds and
  is flagged \\Seen on the server only once stored.
- Check 4 of the issue: customer mail → agent reply over the API → the customer answers the
  reply the way mail clients do, three times over: one conversation, five messages, and every
  reply carries In-Reply-To/References of the thread, our Message-ID domain and the [#id] token.
- A new subject is a new conversation; an answer after resolve reopens the conversation; an
  auto-reply and a bounce create none, the bounce fails the reply it names.
- SMTP 5xx fails the reply with the server's text; 4xx retries until the server accepts.
"""

import time

import harness
from email_fixtures import (AGENT_TOKEN, MAILBOX_PASSWORD, MAILBOX_USER, OUR_ADDRESS,
                            SUPERVISOR_TOKEN, customer_mail, email_config, ids, mail_servers,
                            parse)

CUSTOMER = "kunde@customer.example"


class EmailChannelTest(harness.IntegrationCase):

    def start(self, extra=None):
        self.dovecot = self.enterContext(mail_servers.Dovecot({MAILBOX_USER: MAILBOX_PASSWORD}))
        self.smtp = self.enterContext(mail_servers.SmtpSink())
        self.gateway = self.ws.start_gateway(
            email_config(self.ws.workdir, self.dovecot, self.smtp, extra))
        return self.gateway

    def deliver(self, raw):
        self.dovecot.append(MAILBOX_USER, raw)

    def conversations(self):
        return self.gateway.conversations(SUPERVISOR_TOKEN)

    def wait_messages(self, conversation_id, count, timeout=20):
        def enough():
            t = self.gateway.transcript(SUPERVISOR_TOKEN, conversation_id)
            messages = [e["message"] for e in t if e["type"] == "message"]
            return messages if len(messages) >= count else None
        return harness.wait_until(enough, timeout, f"{count} messages in {conversation_id}")

    def wait_conversation_count(self, count, timeout=20):
        return harness.wait_until(lambda: (c := self.conversations()) and len(c) == count and c,
                                  timeout, f"{count} conversations")

    def reply(self, conversation_id, text):
        self.gateway.api_ok("POST", f"/conversations/{conversation_id}/reply", AGENT_TOKEN,
                            {"text": text}, expect=(202,))
        before = len(self.smtp.received())
        harness.wait_until(lambda: len(self.smtp.received()) > before, 20,
                           "the reply to reach the SMTP server")
        envelope_from, recipients, data = self.smtp.received()[-1]
        self.assertEqual(envelope_from, OUR_ADDRESS)
        self.assertEqual(recipients, [CUSTOMER])
        return parse(data)

    def test_thread_of_five_stays_one_conversation(self):
        self.start()
        subject = "Bestellung 1234 — 配送について"
        arrived = time.monotonic()
        self.deliver(customer_mail("c1@customer.example", subject,
                                   "Hallo,\nwo bleibt meine Lieferung?\n\nKunde"))
        [conversation] = self.wait_conversation_count(1)
        self.assertLess(time.monotonic() - arrived, 10 if harness.Settings.sanitized else 5,
                        "IDLE should bring a mail in within seconds")
        cid = conversation["id"]
        [first] = self.wait_messages(cid, 1)
        self.assertEqual(first["subject"], subject)
        self.assertIn("wo bleibt meine Lieferung?", first["body_text"])
        self.assertEqual(first["provider_message_id"], "c1@customer.example")
        # Only once stored is the mail flagged on the server.
        harness.wait_until(lambda: all("\\Seen" in flags for _, flags, _ in
                                       self.dovecot.messages(MAILBOX_USER)), 10,
                           "the imported mail to be flagged \\Seen")

        harness.wait_until(lambda: self.gateway.api_ok("GET", f"/conversations/{cid}",
                                                       SUPERVISOR_TOKEN)["conversation"]
                           ["assigned_agent"] == "alice", 20, "alice to be assigned")
        reply1 = self.reply(cid, "Guten Tag, Ihre Lieferung ist unterwegs.")
        self.assertEqual(reply1["Subject"], f"Re: {subject} [#{cid}]")
        self.assertEqual(ids(reply1["In-Reply-To"]), ["c1@customer.example"])
        self.assertEqual(ids(reply1["References"]), ["c1@customer.example"])
        reply1_id = ids(reply1["Message-ID"])[0]
        self.assertTrue(reply1_id.endswith("@example.com"), reply1_id)
        self.assertEqual(reply1["From"].addresses[0].addr_spec, OUR_ADDRESS)
        self.assertIn("Ihre Lieferung ist unterwegs.", reply1.get_body(("plain",)).get_content())

        # The customer answers the reply as a mail client does: Re:, In-Reply-To, References.
        self.deliver(customer_mail(
            "c2@customer.example", reply1["Subject"],
            "Danke! Wann genau?\n\n> Guten Tag, Ihre Lieferung ist unterwegs.",
            in_reply_to=reply1_id, references=["c1@customer.example", reply1_id]))
        messages = self.wait_messages(cid, 3)
        self.assertIn("Wann genau?", messages[2]["body_text"])
        self.assertEqual(messages[2]["metadata"]["new_text"].strip(), "Danke! Wann genau?")

        reply2 = self.reply(cid, "Morgen zwischen 9 und 12 Uhr.")
        self.assertEqual(ids(reply2["In-Reply-To"]), ["c2@customer.example"])
        self.assertEqual(ids(reply2["References"]),
                         ["c1@customer.example", reply1_id, "c2@customer.example"])
        reply2_id = ids(reply2["Message-ID"])[0]
        self.assertNotEqual(reply2_id, reply1_id)

        # A client that sends In-Reply-To only (no References) still lands in the thread.
        self.deliver(customer_mail("c3@customer.example", "Re: " + subject,
                                   "Perfekt, danke.", in_reply_to=reply2_id))
        messages = self.wait_messages(cid, 5)
        self.assertEqual([m["direction"] for m in messages], ["in", "out", "in", "out", "in"])
        self.assertEqual(len(self.conversations()), 1, "the thread must stay one conversation")
        harness.wait_until(lambda: all(m["delivery_state"] == "sent" for m in
                                       self.wait_messages(cid, 5) if m["direction"] == "out"),
                           20, "both replies sent")

        # A new subject from the same customer is a new conversation.
        self.deliver(customer_mail("c4@customer.example", "Rechnung falsch", "Neue Frage."))
        conversations = self.wait_conversation_count(2)
        self.assertEqual(len({c["id"] for c in conversations}), 2)

        # After resolve, the customer's answer in the thread reopens the same conversation.
        self.gateway.api_ok("POST", f"/conversations/{cid}/resolve", AGENT_TOKEN, {})
        self.deliver(customer_mail("c5@customer.example", "Re: " + subject, "Noch etwas.",
                                   in_reply_to=reply2_id,
                                   references=["c1@customer.example", reply2_id]))
        self.wait_messages(cid, 6)
        status = self.gateway.api_ok("GET", f"/conversations/{cid}", SUPERVISOR_TOKEN)
        self.assertNotEqual(status["conversation"]["status"], "resolved")
        self.assertEqual(len(self.conversations()), 2)

    def test_auto_replies_and_bounces_create_no_conversation(self):
        self.start()
        self.deliver(customer_mail("start@customer.example", "Frage", "Eine Frage."))
        [conversation] = self.wait_conversation_count(1)
        cid = conversation["id"]
        harness.wait_until(lambda: self.gateway.api_ok("GET", f"/conversations/{cid}",
                                                       SUPERVISOR_TOKEN)["conversation"]
                           ["assigned_agent"] == "alice", 20, "alice to be assigned")
        reply = self.reply(cid, "Antwort.")
        reply_id = ids(reply["Message-ID"])[0]

        # An out-of-office answer to our reply: an event of the thread, no conversation.
        self.deliver(customer_mail("ooo@customer.example", "Abwesenheitsnotiz", "Bin im Urlaub.",
                                   in_reply_to=reply_id,
                                   extra_headers=[("Auto-Submitted", "auto-replied")]))
        # An auto-reply to nobody we know: dropped (logged), no conversation either.
        self.deliver(customer_mail("news@shop.example", "Newsletter", "Angebote!",
                                   sender="Shop <news@shop.example>",
                                   extra_headers=[("Precedence", "bulk")]))
        # A bounce of our reply (RFC 3464 DSN, as Postfix writes it).
        self.deliver(dsn_bounce(reply_id, CUSTOMER))

        def reply_failed():
            messages = self.wait_messages(cid, 2)
            out = [m for m in messages if m["direction"] == "out"][0]
            return out if out["delivery_state"] in ("failed", "undelivered") else None
        failed = harness.wait_until(reply_failed, 20, "the bounce to fail the reply")
        self.assertIn("5.1.1", failed["error_code"])
        harness.wait_until(lambda: any(
            e["type"] == "event" and e["event"]["kind"] == "email.auto_reply"
            for e in self.gateway.transcript(SUPERVISOR_TOKEN, cid)), 20, "the auto-reply event")
        harness.wait_until(lambda: all("\\Seen" in flags for _, flags, _ in
                                       self.dovecot.messages(MAILBOX_USER)), 10,
                           "every mail handled and flagged")
        self.assertEqual(len(self.conversations()), 1)

    def test_smtp_refusals(self):
        self.start()
        self.deliver(customer_mail("r1@customer.example", "Hilfe", "Bitte helfen."))
        [conversation] = self.wait_conversation_count(1)
        cid = conversation["id"]
        harness.wait_until(lambda: self.gateway.api_ok("GET", f"/conversations/{cid}",
                                                       SUPERVISOR_TOKEN)["conversation"]
                           ["assigned_agent"] == "alice", 20, "alice to be assigned")

        # 4xx: the outbox retries; once the server takes it, the reply is sent.
        self.smtp.reject(CUSTOMER, 451, "4.7.1 Try again later")
        self.gateway.api_ok("POST", f"/conversations/{cid}/reply", AGENT_TOKEN,
                            {"text": "Erste Antwort."}, expect=(202,))
        harness.wait_until(lambda: "deferred" in self.gateway.log_text(), 20,
                           "the gateway to log the deferred send")
        self.smtp.accept(CUSTOMER)
        harness.wait_until(lambda: any(m["direction"] == "out" and m["delivery_state"] == "sent"
                                       for m in self.wait_messages(cid, 2)), 30,
                           "the retried reply to be sent")

        # 5xx: failed at once, the server's reply kept for the transcript.
        self.smtp.reject(CUSTOMER, 550, "5.1.1 <kunde@customer.example>: Recipient unknown")
        self.gateway.api_ok("POST", f"/conversations/{cid}/reply", AGENT_TOKEN,
                            {"text": "Zweite Antwort."}, expect=(202,))

        def failed():
            out = [m for m in self.wait_messages(cid, 3) if m["direction"] == "out"]
            return out[-1] if out[-1]["delivery_state"] == "failed" else None
        refused = harness.wait_until(failed, 30, "the refused reply to fail")
        self.assertEqual(refused["error_code"], "550")
        self.assertIn("Recipient unknown", refused["error_text"])


def dsn_bounce(original_id, recipient):
    return (
        "From: MAILER-DAEMON@mx.customer.example (Mail Delivery System)\r\n"
        f"To: {OUR_ADDRESS}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.customer.example>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n"
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.customer.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {OUR_ADDRESS}\r\nTo: {recipient}\r\nMessage-ID: <{original_id}>\r\n"
        "Subject: Re: Frage\r\n--B--\r\n").encode()


if __name__ == "__main__":
    harness.main()
