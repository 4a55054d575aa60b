#!/usr/bin/env python3
"""Every interaction logged within 2 hours, through the real binary with a shifted clock.

With [contact_logging] at its defaults (120 minutes, a reminder 30 minutes before): alice has
three contacts (the echo channel). She logs the first while it is still open, the second an hour
after it ended; the third she forgets: at 90 minutes after its end the transcript gets a
contact_log.reminder for her, at 120 a contact_log.overdue, and her late log says so. The
compliance report counts 3 contacts, 2 logged in time, 1 late. An agent may log only a contact
she had, and a log needs a classification.
"""

import time

import harness

SUPERVISOR_TOKEN = "sup-token-logging-0123456789abcdef"
ALICE_TOKEN = "alice-token-logging-0123456789abcdef"
BOB_TOKEN = "bob-token-logging-0123456789abcdef"
MINUTE = 60


class ContactLoggingTest(harness.IntegrationCase):

    def config(self):
        return harness.echo_config(
            self.ws.workdir,
            agents=[{"id": "alice", "display_name": "Alice", "team": "support",
                     "capacity": {"echo": 5}, "presence": "online"},
                    {"id": "bob", "display_name": "Bob", "team": "support",
                     "capacity": {"echo": 5}, "presence": "offline"}],
            users=[harness.user("sam", "supervisor", SUPERVISOR_TOKEN),
                   harness.user("alice", "agent", ALICE_TOKEN, agent_id="alice"),
                   harness.user("bob", "agent", BOB_TOKEN, agent_id="bob")])

    def contact(self, gateway, sender):
        self.assertEqual(harness.post_echo(gateway, sender, f"m-{sender}", "hello")[0], 200)
        return harness.wait_until(
            lambda: [c["id"] for c in gateway.conversations(SUPERVISOR_TOKEN)
                     if c["customer_address"] == sender and c["assigned_agent"] == "alice"],
            30, f"{sender}'s conversation assigned to alice")[0]

    def events(self, gateway, conversation_id, kind):
        return [e["event"] for e in gateway.transcript(SUPERVISOR_TOKEN, conversation_id)
                if e["type"] == "event" and e["event"]["kind"] == kind]

    def log(self, gateway, conversation_id, token=ALICE_TOKEN, body=None):
        return gateway.api("POST", f"/conversations/{conversation_id}/contact-log", token,
                           body if body is not None else {"classification": "delivery",
                                                          "note": "parcel traced"})

    def test_logs_in_time_late_and_reminded(self):
        started = int(time.time() * 1000)
        gateway = self.ws.start_gateway(self.config(), faketime=True)
        early = self.contact(gateway, "early")
        later = self.contact(gateway, "later")
        forgot = self.contact(gateway, "forgot")

        self.assertEqual(self.log(gateway, early, BOB_TOKEN)[0], 403)
        status, error = self.log(gateway, early, body={"note": "no class"})
        self.assertEqual((status, error["field"]), (400, "classification"))
        status, answer = self.log(gateway, early)
        self.assertEqual((status, answer["settled"]), (201, 0))  # still open: nothing due yet
        for conversation in (early, later, forgot):
            gateway.api_ok("POST", f"/conversations/{conversation}/resolve", ALICE_TOKEN)
        window = f"from={started - 1000}&to={int(time.time() * 1000) + 1000}"
        report = harness.wait_until(
            lambda: (r := gateway.api_ok("GET", f"/reports/contact-logging?{window}",
                                         SUPERVISOR_TOKEN)["agents"]) and r[0]["contacts"] == 3
            and r, 20, "three contacts that ended")
        self.assertEqual((report[0]["logged_in_time"], report[0]["pending"]), (1, 2))

        gateway.shift_clock(60 * MINUTE)
        status, answer = self.log(gateway, later)
        self.assertEqual((status, answer["settled"]), (201, 1))
        [logged] = self.events(gateway, later, "contact.logged")
        self.assertEqual((logged["actor"], logged["data"]["late"]), ("user:alice", False))

        gateway.shift_clock(95 * MINUTE)
        [reminder] = harness.wait_until(
            lambda: self.events(gateway, forgot, "contact_log.reminder"), 20, "the reminder")
        self.assertEqual(reminder["data"]["agent"], "alice")
        self.assertEqual(self.events(gateway, forgot, "contact_log.overdue"), [])
        for logged_already in (early, later):
            self.assertEqual(self.events(gateway, logged_already, "contact_log.reminder"), [])

        gateway.shift_clock(125 * MINUTE)
        [overdue] = harness.wait_until(
            lambda: self.events(gateway, forgot, "contact_log.overdue"), 20, "the overdue flag")
        self.assertEqual(overdue["data"]["due_at"] - overdue["data"]["ended_at"],
                         120 * MINUTE * 1000)
        self.assertEqual(len(self.events(gateway, forgot, "contact_log.reminder")), 1)
        status, answer = self.log(gateway, forgot)
        self.assertEqual((status, answer["settled"]), (201, 1))
        [late] = self.events(gateway, forgot, "contact.logged")
        self.assertTrue(late["data"]["late"])

        report = gateway.api_ok("GET", f"/reports/contact-logging?{window}", SUPERVISOR_TOKEN)
        self.assertEqual(report["agents"], [{
            "agent": "alice", "contacts": 3, "logged_in_time": 2, "logged_late": 1,
            "missing": 0, "pending": 0, "compliance": 2 / 3}])
        self.assertEqual(gateway.api("GET", "/reports/contact-logging", ALICE_TOKEN)[0], 403)


if __name__ == "__main__":
    harness.main()
