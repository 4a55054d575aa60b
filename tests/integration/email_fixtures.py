"""Shared pieces of the e-mail integration tests: the plugin's config against the real test
servers (tests/mail/mail_servers.py: Dovecot for IMAP, aiosmtpd for SMTP), and customer mails
shaped the way real mail clients write them."""

import email
import email.policy
import email.utils
import os
import sys

import harness

sys.path.insert(0, os.path.join(harness.REPO, "tests", "mail"))
import mail_servers  # noqa: E402,F401  (re-exported for the tests)

OUR_ADDRESS = "support@example.com"
MAILBOX_USER = "support"
MAILBOX_PASSWORD = "imap-secret-0123"
WEBHOOK_SECRET = "webhook-secret-0123456789"
MAILGUN_KEY = "key-mailgun-signing-0123456789"
SENDGRID_USER = "sendgrid"
SENDGRID_PASSWORD = "sendgrid-password-0123"
AGENT_TOKEN = "alice-email-token"
# Reads what the tests check: an agent sees only what is assigned to them at that instant, and a
# conversation reopened by a customer's answer is queued until routing gives it back.
SUPERVISOR_TOKEN = "sam-email-token"


def email_plugin_path():
    return os.path.join(harness.Settings.plugin_dir, "libog_email.so")


def email_config(workdir, dovecot=None, smtp=None, extra=None):
    """A gateway config with one e-mail instance "email" and one agent (alice) for email."""
    plugin = {"address": OUR_ADDRESS, "display_name": "Example Support",
              "webhook": {"secret": WEBHOOK_SECRET, "mailgun_signing_key": MAILGUN_KEY,
                          "sendgrid_user": SENDGRID_USER, "sendgrid_password": SENDGRID_PASSWORD}}
    if dovecot is not None:
        plugin["imap"] = {"host": "127.0.0.1", "port": dovecot.port, "tls": "none",
                          "user": MAILBOX_USER, "password": MAILBOX_PASSWORD,
                          "poll_interval_seconds": 30}
    if smtp is not None:
        plugin["smtp"] = {"host": "127.0.0.1", "port": smtp.port, "tls": "none",
                          "timeout_seconds": 10}
    plugin.update(extra or {})
    return {
        "server": {"listen": "127.0.0.1:0", "public_base_url": harness.PUBLIC_BASE_URL,
                   "worker_threads": 2},
        "storage": {"data_dir": os.path.join(workdir, "data")},
        "log": {"level": "info"},
        "outbox": {"initial_backoff_ms": 200, "max_backoff_ms": 1000, "poll_interval_ms": 100},
        "plugins": [{"instance": "email", "file": email_plugin_path(), "config": plugin}],
        "agents": [{"id": "alice", "display_name": "Alice Martin", "team": "support",
                    "skills": {"email": 3}, "capacity": {"email": 50}, "presence": "online"}],
        "users": [harness.user("alice", "agent", AGENT_TOKEN, "alice"),
                  harness.user("sam", "supervisor", SUPERVISOR_TOKEN)],
    }


def customer_mail(message_id, subject, body, sender="Kunde Müller <kunde@customer.example>",
                  in_reply_to=None, references=(), extra_headers=()):
    """A plain-text mail as a mail client writes it (UTF-8, encoded headers, CRLF)."""
    msg = email.message.EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = f"Example Support <{OUR_ADDRESS}>"
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=False)
    msg["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = " ".join(f"<{r}>" for r in references)
    for name, value in extra_headers:
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes()


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def ids(header_value):
    """["a@b", ...] from a Message-ID list header."""
    return [part.strip("<>") for part in (header_value or "").split()]
