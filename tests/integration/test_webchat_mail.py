#!/usr/bin/env python3
"""The web chat's e-mail (plugins/webchat/README.md, config key `mail`) against a real SMTP
server (aiosmtpd, tests/mail/mail_servers.py) on 127.0.0.1:

- "E-mail me the transcript": the mail reaches the server with the visitor's and the agent's
  messages in order, named; a second request within the minute is `rate_limited` and sends
  nothing; an instance without `mail` answers `mail_unavailable`.
- The offline form: an agent's reply to it is e-mailed to the typed address (its outbox row
  ends `sent`) and, when the form carried the visitor's token, shows in the widget's log on the
  visitor's next visit.
"""

import email
import email.policy
import email.utils
import os
import sys

import harness
import webchat_client as wc

sys.path.insert(0, os.path.join(harness.REPO, "tests", "mail"))
import mail_servers  # noqa: E402

ADMIN_TOKEN = "admin-token-webchat-mail-0123456789ab"
ALICE_TOKEN = "alice-token-webchat-mail-0123456789ab"
FROM_ADDRESS = "chat@shop.example"
FROM_NAME = "Shop Chat"
OFFLINE_SUBJECT = "Offline message from the web chat"


class WebchatMailTest(harness.IntegrationCase):

    def start(self, with_mail=True):
        webchat = {}
        if with_mail:
            self.smtp = self.enterContext(mail_servers.SmtpSink())
            webchat["mail"] = {"smtp_url": f"smtp://127.0.0.1:{self.smtp.port}",
                               "from_address": FROM_ADDRESS, "from_name": FROM_NAME}
        config = {
            "server": {"listen": "127.0.0.1:0", "worker_threads": 2},
            "storage": {"data_dir": self.ws.workdir + "/data"},
            "outbox": {"initial_backoff_ms": 200, "max_backoff_ms": 1000,
                       "poll_interval_ms": 100},
            "log": {"level": "info"},
            "plugins": [wc.webchat_plugin(**webchat)],
            "agents": [{"id": "alice", "display_name": "Alice", "skills": {"webchat": 1},
                        "capacity": {"webchat": 5}, "presence": "online"}],
            "users": [harness.user("ada", "admin", ADMIN_TOKEN),
                      harness.user("alice", "agent", ALICE_TOKEN, agent_id="alice")],
        }
        self.gateway = self.ws.start_gateway(config)
        return self.gateway

    def visitor(self, **kwargs):
        """A connected visitor whose socket is closed after the test."""
        visitor = wc.Visitor(self.gateway.port, **kwargs)
        visitor.connect()
        self.addCleanup(lambda: visitor.ws and visitor.ws.sock.close())
        return visitor

    def conversation(self, matches, what):
        """The id of the web-chat conversation that `matches`, once alice has it (she may reply
        only then)."""
        return harness.wait_until(
            lambda: next((c["id"] for c in self.gateway.conversations(ADMIN_TOKEN,
                                                                      channel="webchat")
                          if matches(c) and c["assigned_agent"] == "alice"), None), 30,
            what + " assigned to alice")

    def reply(self, conversation_id, text):
        self.gateway.api_ok("POST", f"/conversations/{conversation_id}/reply", ALICE_TOKEN,
                            {"text": text}, expect=(202,))

    def mails(self, count, what):
        return harness.wait_until(lambda: (m := self.smtp.received()) and len(m) >= count and m,
                                  30, what)

    def post_offline(self, form):
        status, raw = harness.http_request(
            "POST", f"{self.gateway.url}/channels/webchat/offline", form, {"Origin": wc.ORIGIN})
        self.assertEqual(status, 202, raw)
        answer = harness.decode_json(raw)
        self.assertTrue(answer["ok"])
        # A form without a session gets one (its token: to see the reply in the widget later).
        self.assertEqual("token" in answer, not form.get("token"))
        return answer

    def outbound_message_id(self, conversation_id):
        return harness.wait_until(
            lambda: next((e["message"]["id"]
                          for e in self.gateway.transcript(ADMIN_TOKEN, conversation_id)
                          if e["type"] == "message" and e["message"]["direction"] == "out"),
                         None), 30, "the reply in the transcript")

    def assert_outbox_sent(self, conversation_id):
        message_id = self.outbound_message_id(conversation_id)
        db = self.ws.database()
        harness.wait_until(lambda: db.scalar("SELECT state FROM outbox WHERE message_id = ?",
                                             (message_id,)) == "sent", 30,
                           "the reply's outbox row to end sent")

    def assert_offline_reply_mail(self, mail, to, reply_text):
        envelope_from, recipients, data = mail
        self.assertEqual(envelope_from, FROM_ADDRESS)
        self.assertEqual(recipients, [to])
        message = email.message_from_bytes(data, policy=email.policy.default)
        self.assertEqual(email.utils.parseaddr(message["To"])[1], to)
        self.assertEqual(email.utils.parseaddr(message["From"])[1], FROM_ADDRESS)
        self.assertIn("Shop", message["Subject"])
        self.assertIn(reply_text, message.get_body(("plain",)).get_content())

    # ------------------------------------------------------------------------------ tests

    def test_transcript_is_mailed_once_a_minute(self):
        self.start()
        visitor = self.visitor(profile={"name": "Vera"})
        visitor.say("q1", "where is my parcel?")
        visitor.read_until(lambda m: m.get("type") == "ack")
        session = visitor.welcome["session"]
        conversation_id = self.conversation(lambda c: c["customer_address"] == session,
                                            "the visitor's conversation")
        self.reply(conversation_id, "it ships today")
        visitor.read_until(lambda m: m.get("author") == "agent")
        visitor.say("q2", "thank you!")
        visitor.read_until(lambda m: m.get("type") == "ack" and m["id"] == "q2")

        visitor.send({"type": "transcript", "email": "vera@example.com"})
        visitor.read_until(lambda m: m.get("type") == "transcript_sent")
        envelope_from, recipients, data = self.mails(1, "the transcript mail")[0]
        self.assertEqual(envelope_from, FROM_ADDRESS)
        self.assertEqual(recipients, ["vera@example.com"])
        mail = email.message_from_bytes(data, policy=email.policy.default)
        self.assertEqual(email.utils.parseaddr(mail["To"])[1], "vera@example.com")
        self.assertEqual(email.utils.parseaddr(mail["From"]), (FROM_NAME, FROM_ADDRESS))
        self.assertIn("Shop", mail["Subject"])
        text = mail.get_body(("plain",)).get_content()
        lines = ["Vera: where is my parcel?", "Alice: it ships today", "Vera: thank you!"]
        positions = [text.find(line) for line in lines]
        self.assertNotIn(-1, positions, text)
        self.assertEqual(positions, sorted(positions), text)

        # Within the minute: refused, and nothing sent.
        visitor.send({"type": "transcript", "email": "vera@example.com"})
        refused = visitor.read_until(lambda m: m.get("type") in ("error", "transcript_sent"))
        self.assertEqual(refused.get("code"), "rate_limited", refused)
        # Mails go out one at a time in the order asked for: once another session's transcript
        # has arrived, a mail for the refused request would have arrived before it.
        other = self.visitor(profile={"name": "Otto"})
        other.say("o1", "hello")
        other.read_until(lambda m: m.get("type") == "ack")
        other.send({"type": "transcript", "email": "otto@example.com"})
        other.read_until(lambda m: m.get("type") == "transcript_sent")
        received = self.mails(2, "the other session's transcript")
        self.assertEqual([recipients for _, recipients, _ in received],
                         [["vera@example.com"], ["otto@example.com"]])

    def test_without_mail_the_transcript_is_unavailable(self):
        self.start(with_mail=False)
        visitor = self.visitor()
        visitor.say("q1", "hello")
        visitor.read_until(lambda m: m.get("type") == "ack")
        visitor.send({"type": "transcript", "email": "vera@example.com"})
        answer = visitor.read_until(lambda m: m.get("type") in ("error", "transcript_sent"))
        self.assertEqual(answer.get("code"), "mail_unavailable", answer)

    def test_offline_reply_is_mailed_and_shown_on_the_next_visit(self):
        self.start()
        visitor = self.visitor()
        session = visitor.welcome["session"]
        visitor.drop()  # the visitor leaves; the widget showed the offline form
        self.post_offline({"name": "Olga", "email": "olga@example.com",
                           "message": "please call me back", "topic": "", "token": visitor.token,
                           "id": "f1"})
        conversation_id = self.conversation(
            lambda c: c["subject"] == OFFLINE_SUBJECT and c["customer_address"] == session,
            "the offline message's conversation in the visitor's session")
        self.reply(conversation_id, "we will call you at noon")

        self.assert_offline_reply_mail(self.mails(1, "the reply mail")[0], "olga@example.com",
                                       "we will call you at noon")
        self.assert_outbox_sent(conversation_id)

        back = wc.Visitor(self.gateway.port)
        back.token = visitor.token
        back.connect()
        self.addCleanup(back.ws.sock.close)
        replayed = back.read_until(lambda m: m.get("author") == "agent")
        self.assertEqual((replayed["text"], replayed["name"]), ("we will call you at noon", "Alice"))

    # A form sent without a session gets one of its own: the reply is e-mailed and kept there.
    def test_offline_reply_without_a_token_is_mailed(self):
        self.start()
        self.post_offline({"name": "Nina", "email": "nina@example.com",
                           "message": "do you ship to Norway?", "topic": "", "token": "",
                           "id": "n1"})
        conversation_id = self.conversation(lambda c: c["subject"] == OFFLINE_SUBJECT,
                                            "the offline message's conversation")
        self.reply(conversation_id, "yes, within five days")
        self.assert_offline_reply_mail(self.mails(1, "the reply mail")[0], "nina@example.com",
                                       "yes, within five days")
        self.assert_outbox_sent(conversation_id)


if __name__ == "__main__":
    harness.main()
