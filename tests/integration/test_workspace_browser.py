#!/usr/bin/env python3
"""Check 2 of issue 18: the agents' workspace with three channels in a real browser.

One gateway with the SMS plugin (Twilio stand-in), the e-mail plugin (real Dovecot for IMAP and
the SMTP sink, tests/mail/mail_servers.py) and the web chat (a visitor speaking the widget's
protocol, tests/integration/webchat_client.py). An SMS, an e-mail and a chat arrive and go to
ana, the one agent with all three skills (routing is deterministic). tests/browser/
workspace_scenario.cjs then drives two browser contexts: ana sees all three in one list,
replies to each — and this test checks, when the driver asks, that the stand-in provider, the
SMTP sink and the chat visitor each received that reply: the e-mail with the subject ana typed,
the quote she toggled on and the file she picked (read back from the MIME the SMTP sink got); the
chat after the visitor's typing showed in her console and hers reached the visitor — transfers
the chat to the billing team
through the Transfer dialog and resolves the SMS; sam, a supervisor with the supervisor view
open, sees the live queue change without a reload when a new SMS waits (ana's SMS capacity is
full) and after the transfer. Screenshots in --artifact-dir.

chromium, node and playwright-core are required: a missing one fails the test, never skips it.
"""

import email
import email.policy
import json
import os
import shutil

import harness
import webchat_client as wc
from browser_tools import CHROMIUM, require_browser_tools, run_driver
from email_fixtures import MAILBOX_PASSWORD, MAILBOX_USER, OUR_ADDRESS, customer_mail, mail_servers

NODE_MODULES = harness.take_path_option("--node-modules")
ARTIFACT_DIR = harness.take_path_option("--artifact-dir")
DRIVER = os.path.join(harness.REPO, "tests", "browser", "workspace_scenario.cjs")
DRIVER_TIMEOUT_S = 200
AGENT, AGENT_PASSWORD = "ana", "workspace-agent-password"
SUPERVISOR, SUPERVISOR_PASSWORD = "sam", "workspace-supervisor-password"
ADMIN_TOKEN = "workspace-admin-token-0123456789abcdef"
SMS = ("+14155550111", "My parcel never arrived")
SECOND_SMS = ("+14155550112", "Is the shop open on Sunday?")
EMAIL_CUSTOMER = "kunde@customer.example"
EMAIL_SUBJECT = "Invoice 2024-17 is wrong"
EMAIL_TEXT = "The invoice charges me twice."
EMAIL_SIGNATURE = "Kunde Müller · Customer GmbH"
# What a mail client sends: the new text, the signature, the quote of our earlier mail.
EMAIL_BODY = (f"{EMAIL_TEXT}\n\n-- \n{EMAIL_SIGNATURE}\n\nOn Mon, 1 Dec 2026 at 09:00, "
              f"Example Support <{OUR_ADDRESS}> wrote:\n> Your invoice 2024-17 is attached.\n")
ATTACHMENT_NAME = "credit note 2024-17.pdf"
ATTACHMENT_BYTES = b"%PDF-1.4\n" + bytes(range(256)) + b"\n%%EOF\n"
CHAT_TEXT = "Hello, can I change my order?"
REPLIES = {"sms": "We are sending a new parcel today.",
           "email": "We have cancelled the second charge.",
           "email_subject": "Re: Invoice 2024-17: the second charge is cancelled",
           "webchat": "Yes, which item would you like to change?"}


class WorkspaceBrowserTest(harness.IntegrationCase):

    def start_system(self):
        self.dovecot = self.enterContext(mail_servers.Dovecot({MAILBOX_USER: MAILBOX_PASSWORD}))
        self.smtp = self.enterContext(mail_servers.SmtpSink())
        self.standin = self.ws.start_standin()
        email = {"instance": "email", "file": os.path.join(harness.Settings.plugin_dir,
                                                           "libog_email.so"),
                 "config": {"address": OUR_ADDRESS, "display_name": "Example Support",
                            "imap": {"host": "127.0.0.1", "port": self.dovecot.port,
                                     "tls": "none", "user": MAILBOX_USER,
                                     "password": MAILBOX_PASSWORD, "poll_interval_seconds": 30},
                            "smtp": {"host": "127.0.0.1", "port": self.smtp.port, "tls": "none",
                                     "timeout_seconds": 10}}}
        # ana takes one SMS at a time, so a second SMS waits in the queue the supervisor watches;
        # bob (billing) is away, so the chat transferred to billing waits there too.
        agents = [{"id": AGENT, "display_name": "Ana Agent", "team": "support",
                   "skills": {"sms": 3, "email": 3, "webchat": 3},
                   "capacity": {"sms": 1, "email": 5, "webchat": 5}, "presence": "online"},
                  {"id": "bob", "display_name": "Bob Billing", "team": "billing",
                   "skills": {"sms": 3, "email": 3, "webchat": 3},
                   "capacity": {"sms": 5, "email": 5, "webchat": 5}, "presence": "away"}]
        # ana is a team lead: an agent who may also list agents and teams, which the Transfer
        # dialog needs (GET /agents and GET /teams are for supervisors and admins).
        users = [{"name": AGENT, "roles": ["agent", "supervisor"], "agent": AGENT,
                  "password": AGENT_PASSWORD},
                 {"name": SUPERVISOR, "roles": ["supervisor"], "password": SUPERVISOR_PASSWORD},
                 harness.user("ada", "admin", ADMIN_TOKEN)]
        config = self.ws.sms_config(self.standin, agents, users,
                                    extra_plugins=[email, wc.webchat_plugin()])
        self.gateway = self.ws.start_gateway(config)
        self.standin.deliver_callbacks_to(self.gateway.url)

    def send_sms(self, sender, text):
        status, body = self.gateway.send_sms(harness.inbound_params(sender, text))
        self.assertEqual(status, 200, body)

    def conversation_by_kind(self):
        return {c["channel_kind"]: c for c in self.gateway.conversations(ADMIN_TOKEN)}

    def wait_all_assigned(self):
        def assigned():
            by_kind = self.conversation_by_kind()
            return by_kind if all(by_kind.get(k, {}).get("assigned_agent") == AGENT
                                  for k in ("sms", "email", "webchat")) else None
        return harness.wait_until(assigned, 30, "the SMS, the e-mail and the chat assigned to ana")

    # ---- what the driver asks for: each check raises, which fails the test
    def sms_reply_arrived(self):
        forms = harness.wait_until(
            lambda: [dict(m["form"]) for m in self.standin.messages()
                     if dict(m["form"]).get("Body") == REPLIES["sms"]] or None,
            20, "the SMS reply at the provider")
        self.assertEqual([(f["To"], f["From"]) for f in forms], [(SMS[0], harness.OUR_NUMBER)])

    def email_reply_arrived(self):
        harness.wait_until(lambda: self.smtp.received(), 20, "the e-mail reply at the SMTP server")
        [(envelope_from, recipients, data)] = self.smtp.received()
        self.assertEqual((envelope_from, recipients), (OUR_ADDRESS, [EMAIL_CUSTOMER]))
        mail = email.message_from_bytes(data, policy=email.policy.default)
        cid = self.conversation_by_kind()["email"]["id"]
        # The subject ana typed (the plugin adds only its thread token), not the thread's.
        self.assertEqual(mail["Subject"], f"{REPLIES['email_subject']} [#{cid}]")
        text = mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
        self.assertTrue(text.startswith(REPLIES["email"]), text)
        # The quote she toggled on: the customer's new text only, under an "On …, … wrote:" line.
        quote_at = text.index("Kunde wrote:")
        self.assertRegex(text[:quote_at], r"\n\nOn [^\n]+, $")
        self.assertIn(f"Kunde wrote:\n> {EMAIL_TEXT}", text)
        self.assertNotIn("> Your invoice 2024-17 is attached.", text)
        self.assertNotIn(f"> {EMAIL_SIGNATURE}", text)
        [attachment] = list(mail.iter_attachments())
        self.assertEqual(attachment.get_filename(), ATTACHMENT_NAME)
        self.assertEqual(attachment.get_content_type(), "application/pdf")
        self.assertEqual(attachment.get_content(), ATTACHMENT_BYTES)

    def visitor_types(self, on):
        self.visitor.send({"type": "typing", "on": on})

    def agent_typing_arrived(self):
        frame = self.visitor.read_until(lambda m: m.get("type") == "typing", timeout=20)
        self.assertTrue(frame["on"], frame)
        self.assertIn(frame["name"], (AGENT, "Ana Agent"))

    def chat_reply_arrived(self):
        message = self.visitor.read_until(
            lambda m: m.get("type") == "message" and m.get("author") != "visitor", timeout=20)
        self.assertEqual(message["text"], REPLIES["webchat"])

    def run_driver(self, node):
        shutil.rmtree(ARTIFACT_DIR, ignore_errors=True)  # no screenshot of an earlier run
        os.makedirs(ARTIFACT_DIR)
        attachment = os.path.join(self.ws.workdir, ATTACHMENT_NAME)
        with open(attachment, "wb") as f:
            f.write(ATTACHMENT_BYTES)
        command = [node, DRIVER, "--modules", NODE_MODULES, "--chromium", CHROMIUM,
                   "--gateway", self.gateway.url, "--agent", AGENT,
                   "--agent-password", AGENT_PASSWORD, "--supervisor", SUPERVISOR,
                   "--supervisor-password", SUPERVISOR_PASSWORD,
                   "--sms-text", SMS[1], "--email-subject", EMAIL_SUBJECT,
                   "--email-text", EMAIL_TEXT, "--email-signature", EMAIL_SIGNATURE,
                   "--chat-text", CHAT_TEXT, "--second-sms-text", SECOND_SMS[1],
                   "--replies", json.dumps(REPLIES), "--attachment", attachment,
                   "--out-dir", ARTIFACT_DIR]
        needs = {"sms-reply": self.sms_reply_arrived, "email-reply": self.email_reply_arrived,
                 "visitor-typing": lambda: self.visitor_types(True),
                 "visitor-stopped-typing": lambda: self.visitor_types(False),
                 "agent-typing": self.agent_typing_arrived,
                 "chat-reply": self.chat_reply_arrived,
                 "second-sms": lambda: self.send_sms(*SECOND_SMS)}
        return run_driver(command, ARTIFACT_DIR, DRIVER_TIMEOUT_S, needs)

    def test_one_queue_three_channels_transfer_resolve_and_a_live_supervisor_view(self):
        node = require_browser_tools(NODE_MODULES)
        self.start_system()
        self.send_sms(*SMS)
        self.dovecot.append(MAILBOX_USER, customer_mail(
            "w1@customer.example", EMAIL_SUBJECT, EMAIL_BODY,
            sender=f"Kunde <{EMAIL_CUSTOMER}>"))
        self.visitor = wc.Visitor(self.gateway.port, profile={"name": "Vera Visitor"})
        self.visitor.connect()
        self.visitor.say("c1", CHAT_TEXT)
        self.wait_all_assigned()

        result = self.run_driver(node)
        for name, screenshot in result["screenshots"].items():
            with open(screenshot, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", f"{name}: {screenshot}")
            print(f"screenshot {name}: {screenshot}")

        # What the browser did, as the store has it.
        conversations = self.gateway.conversations(ADMIN_TOKEN)
        by_address = {c["customer_address"]: c for c in conversations}
        self.assertEqual(by_address[SMS[0]]["status"], "resolved")
        chat = next(c for c in conversations if c["channel_kind"] == "webchat")
        self.assertEqual(chat["status"], "queued")
        self.assertIsNone(chat["assigned_agent"])
        queue = self.gateway.api_ok("GET", "/queue", ADMIN_TOKEN)
        self.assertEqual([(e["conversation_id"], e["team"]) for e in queue["queued"]
                          if e["conversation_id"] == chat["id"]], [(chat["id"], "billing")])
        self.assertEqual(by_address[EMAIL_CUSTOMER]["assigned_agent"], AGENT)
        self.assertEqual(self.gateway.stop(), 0, "graceful stop after SIGTERM")


if __name__ == "__main__":
    harness.main()
