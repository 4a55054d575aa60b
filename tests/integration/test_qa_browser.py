#!/usr/bin/env python3
"""Check 5 of issue 19: the QA console in a real browser (docs/qa.md "The QA console").

One gateway with the voice plugin (the Twilio voice stand-in: tests/standin/twilio_voice.py plays
Twilio's part of a recorded, transcribed call, as in test_voice_calls.py) and the e-mail plugin
(real Dovecot for IMAP and the SMTP sink, tests/mail/mail_servers.py). One call and one e-mail
go to alice, who handles both through the API (the e-mail is answered and resolved; the call is
answered, completed — which resolves it — recorded and transcribed). Then quinn, a reviewer with
the role qa only, logs in (tests/browser/qa_reviewer.cjs in Debian's chromium): builds a per-agent
sample of the voice and e-mail conversations dealt to himself, opens the call (the audio player
and the transcription are there) and the e-mail (subject, sender, quoted part folded), scores
both on the default scorecard (N/A on the e-mail's last criterion), and sees them in the report
(GET /api/v1/qa/reports: both reviews counted for alice, her bar, the CSV download).
Here: the two reviews as the store has them, with the overall the gateway computed, and the
report as the API gives it. chromium, node and playwright-core are required: a missing one fails
the test, it is never skipped.
"""

import os
import shutil
import time

import harness
from browser_tools import CHROMIUM, require_browser_tools, run_driver
from email_fixtures import MAILBOX_PASSWORD, MAILBOX_USER, OUR_ADDRESS, customer_mail, mail_servers
from twilio_voice import VoiceCall

NODE_MODULES = harness.take_path_option("--node-modules")
ARTIFACT_DIR = harness.take_path_option("--artifact-dir")
DRIVER = os.path.join(harness.REPO, "tests", "browser", "qa_reviewer.cjs")
DRIVER_TIMEOUT_S = 180
ADMIN_TOKEN = "qa-browser-admin-token-0123456789abcdef"
AGENT = "alice"
REVIEWER, REVIEWER_PASSWORD = "quinn", "qa-browser-reviewer-password"
VOICE_INSTANCE = "voice"
OUR_NUMBER = "+441632960000"
CALLER = "+447700900111"
TRANSCRIPTION = "I was charged twice for my broadband this month"
EMAIL_CUSTOMER = "kunde@customer.example"
EMAIL_SUBJECT = "Invoice 2024-17 is wrong"
EMAIL_NEW_TEXT = "The invoice charges me twice."
EMAIL_QUOTED = "Your invoice 2024-17 is attached."
EMAIL_BODY = (f"{EMAIL_NEW_TEXT}\n\nOn Mon, 1 Dec 2026 at 09:00, Example Support wrote:\n"
              f"> {EMAIL_QUOTED}\n")
EMAIL_REPLY = "We have cancelled the second charge."
# Every criterion of the default scorecard at 4 (binary: yes): 78.75%; the e-mail's
# service_effect N/A: 63.75 of 80 = 79.6875% (docs/qa.md "4. Reviews and how they are scored").
EXPECTED_OVERALL = {"voice": 78.75, "email": 79.6875}


class QaBrowserTest(harness.IntegrationCase):

    def start_system(self):
        self.dovecot = self.enterContext(mail_servers.Dovecot({MAILBOX_USER: MAILBOX_PASSWORD}))
        self.smtp = self.enterContext(mail_servers.SmtpSink())
        self.standin = self.ws.start_standin()
        voice = {"instance": VOICE_INSTANCE,
                 "file": os.path.join(harness.Settings.plugin_dir, "libog_voice_webhook.so"),
                 "allow_private_fetch": True,
                 "config": {"account_sid": harness.ACCOUNT_SID, "auth_token": harness.AUTH_TOKEN,
                            "public_base_url": harness.PUBLIC_BASE_URL,
                            "api_base": self.standin.url, "allow_private_api": True,
                            "hold_poll_ms": 500, "ring_timeout_s": 10, "timeout_ms": 5000,
                            "record_calls": True}}
        email = {"instance": "email",
                 "file": os.path.join(harness.Settings.plugin_dir, "libog_email.so"),
                 "config": {"address": OUR_ADDRESS, "display_name": "Example Support",
                            "imap": {"host": "127.0.0.1", "port": self.dovecot.port,
                                     "tls": "none", "user": MAILBOX_USER,
                                     "password": MAILBOX_PASSWORD, "poll_interval_seconds": 30},
                            "smtp": {"host": "127.0.0.1", "port": self.smtp.port, "tls": "none",
                                     "timeout_seconds": 10}}}
        config = {
            "server": {"listen": "127.0.0.1:0", "public_base_url": harness.PUBLIC_BASE_URL,
                       "worker_threads": 2},
            "storage": {"data_dir": os.path.join(self.ws.workdir, "data")},
            "log": {"level": "info"},
            "plugins": [voice, email],
            "users": [harness.user("ada", "admin", ADMIN_TOKEN),
                      {"name": REVIEWER, "roles": ["qa"], "password": REVIEWER_PASSWORD}],
        }
        self.gateway = self.ws.start_gateway(config)
        self.gateway.api_ok("POST", "/admin/agents", ADMIN_TOKEN, {
            "id": AGENT, "display_name": "Alice Agent", "team": "support",
            "skills": [{"skill": "voice", "level": 3}, {"skill": "email", "level": 3}],
            "capacity": {"voice": 1, "email": 5}, "contact": {"client": AGENT}}, expect=(201,))
        self.agent_token = self.gateway.api_ok("POST", "/admin/users", ADMIN_TOKEN, {
            "name": AGENT, "role": "agent", "agent_id": AGENT}, expect=(201,))["token"]
        self.gateway.api_ok("PUT", "/agents/me/presence", self.agent_token, {"presence": "online"})

    def events(self, conversation_id, kind):
        return [e for e in self.gateway.transcript(ADMIN_TOKEN, conversation_id)
                if e["type"] == "event" and e["event"]["kind"] == kind]

    def conversation_of(self, kind):
        return harness.wait_until(
            lambda: next((c for c in self.gateway.conversations(ADMIN_TOKEN)
                          if c["channel_kind"] == kind and c["assigned_agent"] == AGENT), None),
            30, f"the {kind} conversation assigned to {AGENT}")

    def handle_a_recorded_call(self):
        """The caller waits without an IVR, alice is dialled and answers; the call completes
        (which resolves the conversation), then the recording and its transcription arrive."""
        call = VoiceCall(self.standin, self.gateway.url, harness.PUBLIC_BASE_URL,
                         harness.AUTH_TOKEN, instance_path=f"/channels/{VOICE_INSTANCE}",
                         from_=CALLER, to=OUR_NUMBER, caller_name="Carl Caller",
                         account_sid=harness.ACCOUNT_SID)
        self.assertIsNotNone(call.start().find("Enqueue"), "no IVR: the caller waits at once")
        # Out of the queue either way the README allows: a REST redirect, or <Leave/> from the
        # waitUrl followed by the Enqueue action.
        dial = harness.wait_until(
            lambda: call.follow_redirect() if call.pending_redirects() else
            (call.queue_exit("leave") if call.wait().find("Leave") is not None else None),
            30, "alice dialled", interval=0.2)
        self.assertIn("Dial", dial.tags, dial.raw)
        for status in ("initiated", "ringing", "in-progress"):
            self.assertEqual(call.agent_status(status).status, 200, status)
        call.dial_done("completed", duration=42)
        self.assertEqual(call.status("completed", duration=60).status, 200)
        self.assertEqual(call.recording().status, 200)
        self.assertEqual(call.transcription(TRANSCRIPTION).status, 200)
        conversation = self.conversation_of("voice")
        for kind in ("call.recording", "call.transcription", "conversation.resolved"):
            harness.wait_until(lambda k=kind: self.events(conversation["id"], k), 30,
                               f"{kind} in the call's transcript")
        return conversation

    def handle_an_email(self):
        self.dovecot.append(MAILBOX_USER, customer_mail(
            "qa1@customer.example", EMAIL_SUBJECT, EMAIL_BODY, sender=f"Kunde <{EMAIL_CUSTOMER}>"))
        conversation = self.conversation_of("email")
        path = f"/conversations/{conversation['id']}"
        self.gateway.api_ok("POST", f"{path}/reply", self.agent_token, {"text": EMAIL_REPLY},
                            expect=(200, 201, 202))
        harness.wait_until(lambda: self.smtp.received(), 20, "the e-mail reply at the SMTP sink")
        self.gateway.api_ok("POST", f"{path}/resolve", self.agent_token, expect=(200, 204))
        return conversation

    def run_driver(self, node, conversations):
        shutil.rmtree(ARTIFACT_DIR, ignore_errors=True)  # no screenshot of an earlier run
        os.makedirs(ARTIFACT_DIR)
        command = [node, DRIVER, "--modules", NODE_MODULES, "--chromium", CHROMIUM,
                   "--gateway", self.gateway.url, "--user", REVIEWER,
                   "--password", REVIEWER_PASSWORD, "--agent", AGENT,
                   "--voice-conversation", str(conversations["voice"]["id"]),
                   "--email-conversation", str(conversations["email"]["id"]),
                   "--transcription", TRANSCRIPTION, "--email-subject", EMAIL_SUBJECT,
                   "--email-new-text", EMAIL_NEW_TEXT, "--email-quoted", EMAIL_QUOTED,
                   "--out-dir", ARTIFACT_DIR]
        return run_driver(command, ARTIFACT_DIR, DRIVER_TIMEOUT_S)

    def test_a_reviewer_samples_reads_and_scores_a_call_and_an_email(self):
        node = require_browser_tools(NODE_MODULES)
        self.start_system()
        # The e-mail first: the end of a call starts alice's wrap-up, during which nothing new
        # is routed to her.
        email = self.handle_an_email()
        conversations = {"voice": self.handle_a_recorded_call(), "email": email}

        result = self.run_driver(node, conversations)
        for name, screenshot in result["screenshots"].items():
            with open(screenshot, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", f"{name}: {screenshot}")
            print(f"screenshot {name}: {screenshot}")

        # The sample the browser drew holds both conversations, dealt to quinn; the reviews are
        # his, of that sample, with the overall the gateway computed from his answers.
        sample = self.gateway.api_ok("GET", f"/qa/samples/{result['sample_id']}", ADMIN_TOKEN)
        self.assertEqual(sample["strategy"]["kind"], "per_agent")
        self.assertEqual(sorted(sample["filter"]["channels"]), ["email", "voice"])
        self.assertEqual(sorted((i["conversation_id"], i["reviewer"]) for i in sample["items"]),
                         sorted((c["id"], REVIEWER) for c in conversations.values()))
        reviews = self.gateway.api_ok("GET", f"/qa/reviews?reviewer={REVIEWER}",
                                      ADMIN_TOKEN)["reviews"]
        by_conversation = {r["conversation_id"]: r for r in reviews}
        self.assertEqual(len(reviews), 2, reviews)
        for kind, conversation in conversations.items():
            review = by_conversation[conversation["id"]]
            self.assertEqual((review["sample_id"], review["agent"], review["state"]),
                             (sample["id"], AGENT, "submitted"))
            self.assertAlmostEqual(review["overall"], EXPECTED_OVERALL[kind])
        effect = {s["criterion"]: s["score"]
                  for s in by_conversation[conversations["email"]["id"]]["scores"]}
        self.assertIsNone(effect["service_effect"], "N/A on the e-mail's service effect")

        # The report the browser showed: alice's two conversations of this month, both reviewed
        # and both answered and resolved.
        month = time.strftime("%Y-%m", time.gmtime(conversations["email"]["created_at"] / 1000))
        report = self.gateway.api_ok("GET", f"/qa/reports?group_by=agent&month={month}",
                                     ADMIN_TOKEN)
        row = next(r for r in report["rows"] if r["key"] == AGENT)
        self.assertEqual((row["reviews"], row["contacts"], row["resolved"]), (2, 2, 2), row)
        self.assertAlmostEqual(row["qa_score"], sum(EXPECTED_OVERALL.values()) / 2)
        self.assertEqual(self.gateway.stop(), 0, "graceful stop after SIGTERM")


if __name__ == "__main__":
    harness.main()
