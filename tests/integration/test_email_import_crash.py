#!/usr/bin/env python3
"""IMAP import is at-least-once without duplicates: a folder of 1,500 mails (600 under ASan) is imported while
the gateway is killed with SIGKILL twice in the middle; after the last restart every mail is
stored exactly once (by Message-ID), every one is flagged \\Seen on the server, and nothing
stored was flagged before its commit (a flagged mail is always stored)."""

import harness
from email_fixtures import (MAILBOX_PASSWORD, MAILBOX_USER, customer_mail,
                            email_config, mail_servers)


def mail_count():
    return 600 if harness.Settings.sanitized else 1500  # ASan builds run several times slower


class EmailImportCrashTest(harness.IntegrationCase):

    def test_kill_during_import_loses_and_doubles_nothing(self):
        MAILS = mail_count()  # noqa: N806
        dovecot = self.enterContext(mail_servers.Dovecot({MAILBOX_USER: MAILBOX_PASSWORD}))
        dovecot.append_many(MAILBOX_USER, [
            customer_mail(f"bulk-{i}@customer.example", f"Frage {i}", f"Mail Nummer {i}.",
                          sender=f"Kunde {i % 50} <kunde{i % 50}@customer.example>")
            for i in range(MAILS)])
        config = email_config(self.ws.workdir, dovecot)
        config["plugins"][0]["config"]["imap"]["fetch_batch"] = 25
        gateway = self.ws.start_gateway(config)
        db = self.ws.database()

        def stored():
            return db.scalar("SELECT COUNT(*) FROM messages WHERE direction = 'in'")

        for kill_at in (MAILS // 4, MAILS // 2):
            harness.wait_until(lambda: stored() >= kill_at, 120, f"{kill_at} mails stored")
            gateway.kill()
            # Whatever the server shows flagged must be stored: flags follow commits.
            flagged = {raw.split(b"Message-ID: <", 1)[1].split(b">", 1)[0].decode()
                       for _, flags, raw in dovecot.messages(MAILBOX_USER) if "\\Seen" in flags}
            ids = {r[0] for r in db.query("SELECT provider_message_id FROM messages")}
            self.assertLessEqual(flagged, ids, "a mail was flagged before it was stored")
            gateway.start()

        harness.wait_until(lambda: stored() >= MAILS, 180, f"all {MAILS} mails stored")
        rows = db.query("SELECT provider_message_id, COUNT(*) FROM messages "
                        "WHERE direction = 'in' GROUP BY provider_message_id")
        self.assertEqual(len(rows), MAILS, "every mail stored")
        self.assertEqual([r for r in rows if r[1] != 1], [], "no mail stored twice")
        self.assertEqual(stored(), MAILS)
        harness.wait_until(lambda: all("\\Seen" in flags for _, flags, _ in
                                       dovecot.messages(MAILBOX_USER)), 60,
                           "every mail flagged \\Seen")
        self.assertEqual(db.scalar("SELECT COUNT(*) FROM conversations"), MAILS)


if __name__ == "__main__":
    harness.main()
