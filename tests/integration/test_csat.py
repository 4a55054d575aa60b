#!/usr/bin/env python3
"""CSAT (docs/qa.md "CSAT") through the real binary, the SMS plugin and the Twilio stand-in.

Two customers write by SMS; alice answers and resolves both. The first customer then replies
"5": the conversation stays resolved and its transcript has the message and a csat.received
event (rating 5, source sms); the same SMS again (a provider retry) adds nothing; a later text
that is not a lone digit reopens the conversation as before. The second customer's rating is
given by phone: alice enters 2 (POST /conversations/{id}/csat, refused while the conversation
was open). Then the QA report has alice's CSAT (two ratings, average 3.5) and a targeted sample
for "low_csat" draws exactly the second conversation. The window comes from the config
([csat] sms_window_minutes).
"""

import time

import harness

ALICE_TOKEN = "alice-token-csat"
SUPERVISOR_TOKEN = "supervisor-token-csat"
QA_TOKEN = "qa-token-csat-0123456789"
HAPPY, UNHAPPY = "+14155550181", "+14155550182"
RATING_SID = "SM" + "c5a7".ljust(32, "0")  # a Twilio MessageSid: SM and 32 hex digits


class CsatTest(harness.IntegrationCase):

    def start_system(self):
        standin = self.ws.start_standin()
        config = self.ws.sms_config(
            standin, [harness.agent("alice", {"sms": 3}, 10)],
            [harness.user("alice", "agent", ALICE_TOKEN, "alice"),
             harness.user("sam", "supervisor", SUPERVISOR_TOKEN),
             harness.user("quinn", "qa", QA_TOKEN)])
        config["csat"] = {"sms_window_minutes": 60}
        gateway = self.ws.start_gateway(config)
        standin.deliver_callbacks_to(gateway.url)
        return gateway

    def conversation_of(self, gateway, number):
        return harness.wait_until(
            lambda: next((c for c in gateway.conversations(SUPERVISOR_TOKEN)
                          if c["customer_address"] == number and c["assigned_agent"] == "alice"),
                         None), 30, f"{number}'s conversation assigned to alice")

    def status(self, gateway, conversation_id):
        return gateway.api_ok("GET", f"/conversations/{conversation_id}",
                              SUPERVISOR_TOKEN)["conversation"]["status"]

    def sms(self, gateway, number, body, sid=None):
        status, answer = gateway.send_sms(harness.inbound_params(number, body, message_sid=sid))
        self.assertEqual(status, 200, answer)

    def handled(self, gateway, number):
        """The customer writes; alice answers and resolves it."""
        self.sms(gateway, number, "where is my parcel?")
        conversation = self.conversation_of(gateway, number)
        path = f"/conversations/{conversation['id']}"
        gateway.api_ok("POST", f"{path}/reply", ALICE_TOKEN, {"text": "on its way"},
                       expect=(200, 201, 202))
        gateway.api_ok("POST", f"{path}/resolve", ALICE_TOKEN, expect=(200, 204))
        return conversation

    def csat_events(self, gateway, conversation_id):
        return [e["event"] for e in gateway.transcript(SUPERVISOR_TOKEN, conversation_id)
                if e["type"] == "event" and e["event"]["kind"] == "csat.received"]

    def test_ratings_by_sms_and_by_phone_reach_the_report_and_sampling(self):
        gateway = self.start_system()
        happy = self.handled(gateway, HAPPY)
        self.sms(gateway, UNHAPPY, "my invoice is wrong")
        unhappy = self.conversation_of(gateway, UNHAPPY)

        # The rating by SMS: stored with the message, the conversation stays resolved.
        self.sms(gateway, HAPPY, "5", sid=RATING_SID)
        events = harness.wait_until(lambda: self.csat_events(gateway, happy["id"]), 20,
                                    "the csat.received event")
        self.assertEqual([(e["data"], e["actor"]) for e in events],
                         [({"rating": 5, "source": "sms"}, "plugin:sms")])
        transcript = gateway.transcript(SUPERVISOR_TOKEN, happy["id"])
        self.assertEqual(transcript[-2]["message"]["body_text"], "5")
        self.assertEqual(transcript[-1]["event"]["kind"], "csat.received")
        self.assertEqual(self.status(gateway, happy["id"]), "resolved")
        # A retry of the same SMS changes nothing.
        self.sms(gateway, HAPPY, "5", sid=RATING_SID)
        time.sleep(0.5)
        self.assertEqual(len(self.csat_events(gateway, happy["id"])), 1)
        self.assertEqual(self.status(gateway, happy["id"]), "resolved")

        # By phone: refused while open, then alice enters it after resolving.
        path = f"/conversations/{unhappy['id']}"
        status, answer = gateway.api("POST", f"{path}/csat", ALICE_TOKEN, {"rating": 2})
        self.assertEqual(status, 409, answer)
        gateway.api_ok("POST", f"{path}/reply", ALICE_TOKEN, {"text": "we will fix it"},
                       expect=(200, 201, 202))
        gateway.api_ok("POST", f"{path}/resolve", ALICE_TOKEN, expect=(200, 204))
        rated = gateway.api_ok("POST", f"{path}/csat", ALICE_TOKEN, {"rating": 2}, expect=(201,))
        self.assertEqual((rated["rating"], rated["source"], rated["actor"]),
                         (2, "agent", "user:alice"))
        status, _ = gateway.api("POST", f"{path}/csat", ALICE_TOKEN, {"rating": 9})
        self.assertEqual(status, 400)
        status, _ = gateway.api("POST", f"{path}/csat", QA_TOKEN, {"rating": 3})
        self.assertEqual(status, 403)

        # The report's CSAT and the low-CSAT sampling target.
        month = time.strftime("%Y-%m", time.gmtime(happy["created_at"] / 1000))
        report = gateway.api_ok("GET", f"/qa/reports?group_by=agent&month={month}", QA_TOKEN)
        row = next(r for r in report["rows"] if r["key"] == "alice")
        self.assertEqual((row["csat_count"], row["csat_avg"], row["contacts"]), (2, 3.5, 2), row)
        sample = gateway.api_ok("POST", "/qa/samples", QA_TOKEN, {
            "strategy": {"kind": "targeted"}, "filter": {"targets": ["low_csat"]}}, expect=(201,))
        self.assertEqual([i["conversation_id"] for i in sample["items"]], [unhappy["id"]])

        # Anything but a lone digit reopens the conversation as before.
        self.sms(gateway, HAPPY, "one more question")
        harness.wait_until(lambda: self.status(gateway, happy["id"]) != "resolved", 20,
                           "the conversation reopened by a question")
        self.assertEqual(len(self.csat_events(gateway, happy["id"])), 1)
        self.assertEqual(gateway.stop(), 0, "graceful stop after SIGTERM")


if __name__ == "__main__":
    harness.main()
