"""The complaint ladder through the real binary, on a clock shifted with libfaketime.

A tier-C customer's normal complaint runs on the default 5x8 calendar: filed on a Monday at
10:00 UTC, level 1 (the account manager, alice) records contact within the hour, the customer is
not satisfied and a supervisor escalates, the service director (a named person) misses the
4-hour commitment window, level 3 starts, an executive is assigned and the complaint is closed
with its report. A major complaint filed on a Friday at 18:00 runs 7x24: its contact window ends
at 19:00 the same day, and, after a restart of the gateway, it breaches its 24-hour close limit
on Saturday at 18:00. A complaint filed on the conversation's own path (POST
/conversations/{id}/complaint) is a ladder complaint at level 1 like any other, and routing
raises no complaint levels of its own. A P1 escalation notifies the customer's service director
and technical expert by name. The transcript events, the notifications on the event stream
(addressed to the named people) and the complaint's recorded figures are checked at each step.
"""

import datetime
import time

import harness
import ws_client

SUPERVISOR_TOKEN = "sue-token-complaint-ladder"
AGENT_TOKEN = "alice-token-complaint-ladder"
HOUR_MS = 3600 * 1000


def next_weekday_at(after, weekday, hour):
    """The first `weekday` (Mon=0) at hour:00 UTC strictly after datetime `after`."""
    day = after.replace(hour=hour, minute=0, second=0, microsecond=0)
    while day <= after or day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day


class ComplaintLadderTest(harness.IntegrationCase):

    def setUp(self):
        super().setUp()
        self.standin = self.ws.start_standin()
        config = self.ws.sms_config(
            self.standin, agents=[harness.agent("alice", {"sms": 3}, 5)],
            users=[harness.user("sue", "supervisor", SUPERVISOR_TOKEN),
                   harness.user("alice", "agent", AGENT_TOKEN, "alice")])
        self.offset = 0
        self.gateway = self.ws.start_gateway(config, faketime=True)

    def shift_to(self, moment):
        """Moves the gateway's clock so that it now reads `moment` (a UTC datetime)."""
        self.offset = int(moment.timestamp() - time.time())
        self.gateway.shift_clock(self.offset)

    def fake_now_ms(self):
        return int((time.time() + self.offset) * 1000)

    def conversation_of(self, phone, text):
        status, body = self.gateway.send_sms(harness.inbound_params(phone, text))
        self.assertEqual(status, 200, body)
        found = harness.wait_until(
            lambda: [c for c in self.gateway.conversations(SUPERVISOR_TOKEN)
                     if c["customer_address"] == phone], 10, f"a conversation from {phone}")
        return found[0]

    def complaint(self, complaint_id):
        return self.gateway.api_ok("GET", f"/complaints/{complaint_id}",
                                   SUPERVISOR_TOKEN)["complaint"]

    def open_stream(self):
        stream = ws_client.WebSocket(self.gateway.port, "/api/v1/stream",
                                     {"Authorization": f"Bearer {SUPERVISOR_TOKEN}"})
        self.addCleanup(stream.close)
        self.assertEqual(stream.next_event()["type"], "snapshot")
        return stream

    def notifications(self, stream, count):
        """The next `count` complaint.notification events on the stream."""
        seen = []
        while len(seen) < count:
            event = stream.next_event()
            if event.get("type") == "complaint.notification":
                seen.append(event)
        return seen

    def complaint_events(self, conversation_id):
        return [(e["event"]["kind"], e["event"]["data"]) for e in
                self.gateway.transcript(SUPERVISOR_TOKEN, conversation_id)
                if e["type"] == "event" and e["event"]["kind"].startswith("complaint.")]

    def test_the_gateway_clock_follows_the_faketime_file(self):
        target = next_weekday_at(datetime.datetime.now(datetime.timezone.utc), 0, 10)
        self.shift_to(target)
        conversation = self.conversation_of("+15550100001", "hello")
        self.assertAlmostEqual(conversation["created_at"], self.fake_now_ms(), delta=10_000)
        self.assertGreater(conversation["created_at"], time.time() * 1000 + 3600_000)

    def test_normal_complaint_climbs_to_level_3_and_major_breaches_over_a_weekend(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        monday = next_weekday_at(now, 0, 10)
        self.shift_to(monday)
        conversation = self.conversation_of("+15550100002", "my invoice is wrong again")
        customer_id = conversation["customer_id"]
        self.gateway.api_ok("PUT", f"/customers/{customer_id}/contacts", SUPERVISOR_TOKEN,
                            {"contacts": [{"role": "account_manager", "agent_id": "alice"},
                                          {"role": "service_director", "name": "Dana Director"}]})
        stream = self.open_stream()

        # Level 1: the account manager at once, one office hour to make contact.
        filed = self.gateway.api_ok("POST", "/complaints", SUPERVISOR_TOKEN, {
            "conversation_id": conversation["id"], "matter": "invoice wrong twice",
            "complainant": "Pat Customer", "contact": "+15550100002", "channel": "phone"},
            expect=(201,))["complaint"]
        cid = filed["id"]
        self.assertEqual((filed["severity"], filed["status"], filed["level"]),
                         ("normal", "open", 1))
        level1 = filed["levels"][0]
        self.assertEqual(level1["notified"], "agent:alice")
        self.assertEqual(level1["window_due"] - level1["started_at"], HOUR_MS)
        [note] = self.notifications(stream, 1)
        self.assertEqual((note["recipient"], note["agent"], note["target"], note["level"]),
                         ("agent:alice", "alice", "account_manager", 1))
        self.assertEqual(note["complaint_id"], cid)

        # Contact after 30 minutes: in time. The customer is still unhappy: level 2.
        self.shift_to(monday + datetime.timedelta(minutes=30))
        self.gateway.api_ok("POST", f"/complaints/{cid}/contact", SUPERVISOR_TOKEN, {})
        escalated = self.gateway.api_ok("POST", f"/complaints/{cid}/escalate", SUPERVISOR_TOKEN,
                                        {"reason": "customer not satisfied"})["complaint"]
        self.assertTrue(escalated["levels"][0]["in_time"])
        self.assertEqual(escalated["levels"][0]["done_by"], "user:sue")
        level2 = escalated["levels"][1]
        self.assertEqual(level2["notified"], "person:Dana Director")
        self.assertEqual(level2["window_due"] - level2["started_at"], 4 * HOUR_MS)
        [note] = self.notifications(stream, 1)
        self.assertEqual((note["recipient"], note["target"], note["level"]),
                         ("person:Dana Director", "service_director", 2))

        # No commitment within 4 office hours: the ladder's timer takes it to level 3.
        self.shift_to(monday + datetime.timedelta(hours=4, minutes=32))
        missed = harness.wait_until(
            lambda: (lambda c: c if c["level"] == 3 else None)(self.complaint(cid)), 10,
            "level 3 after the missed commitment window")
        self.assertTrue(missed["levels"][1]["missed"])
        level3 = missed["levels"][2]
        self.assertEqual(level3["started_at"], level2["window_due"])
        self.assertEqual(level3["notified"], "role:executive")  # nobody named: the role, as such
        # 24 office hours on 5x8 from Monday 14:30: Thursday 14:30.
        self.assertEqual(level3["window_due"] - level3["started_at"], 3 * 24 * HOUR_MS)
        missed_note, level3_note = self.notifications(stream, 2)
        self.assertEqual((missed_note["recipient"], missed_note["level"]),
                         ("person:Dana Director", 2))
        self.assertEqual((level3_note["recipient"], level3_note["level"]),
                         ("role:executive", 3))

        self.gateway.api_ok("POST", f"/complaints/{cid}/assign-executive", SUPERVISOR_TOKEN,
                            {"executive": "person:Vera Exec"})
        [note] = self.notifications(stream, 1)
        self.assertEqual(note["recipient"], "person:Vera Exec")
        refused = self.gateway.api("POST", f"/complaints/{cid}/close", SUPERVISOR_TOKEN, {})
        self.assertEqual(refused[0], 409)
        closed = self.gateway.api_ok("POST", f"/complaints/{cid}/close", SUPERVISOR_TOKEN,
                                     {"report": "tariff table fixed; credit note issued"})
        self.assertEqual(closed["complaint"]["status"], "closed")
        self.assertEqual(closed["complaint"]["report"], "tariff table fixed; credit note issued")
        open_ids = [c["id"] for c in self.gateway.api_ok("GET", "/complaints?status=open",
                                                          SUPERVISOR_TOKEN)["complaints"]]
        self.assertNotIn(cid, open_ids)
        kinds = [kind for kind, _ in self.complaint_events(conversation["id"])]
        self.assertEqual(kinds, [
            "complaint.filed", "complaint.level_started", "complaint.contact_recorded",
            "complaint.escalated", "complaint.level_started", "complaint.window_missed",
            "complaint.level_started", "complaint.executive_assigned", "complaint.closed"])

        # A major complaint on Friday 18:00: 7x24, so its hour ends at 19:00 the same evening.
        friday = next_weekday_at(monday, 4, 18)
        self.shift_to(friday)
        major_conv = self.conversation_of("+15550100003", "the service is down")
        major = self.gateway.api_ok("POST", "/complaints", SUPERVISOR_TOKEN, {
            "conversation_id": major_conv["id"], "matter": "outage all evening",
            "severity": "major"}, expect=(201,))["complaint"]
        mid = major["id"]
        self.assertEqual(major["close_due"] - major["filed_at"], 24 * HOUR_MS)
        self.assertEqual(major["levels"][0]["window_due"] - major["filed_at"], HOUR_MS)
        self.assertEqual(major["levels"][0]["notified"], "role:account_manager")
        self.gateway.api_ok("POST", f"/complaints/{mid}/contact", SUPERVISOR_TOKEN, {})
        self.assertEqual([n["recipient"] for n in self.notifications(stream, 1)],
                         ["role:account_manager"])
        # A restart in between: the open complaint is loaded again and its clock keeps running.
        stream.close()
        self.assertEqual(self.gateway.stop(), 0)
        self.gateway.start()
        stream = self.open_stream()
        # Saturday 18:01: not closed within 24 h.
        self.shift_to(friday + datetime.timedelta(hours=24, minutes=1))
        breached = harness.wait_until(
            lambda: (lambda c: c if c["close_breached"] else None)(self.complaint(mid)), 10,
            "the major complaint's close breach")
        self.assertEqual(breached["level"], 3)
        self.assertEqual((breached["levels"][-1]["level"], breached["levels"][-1]["started_at"]),
                         (3, major["close_due"]))
        kinds = [kind for kind, _ in self.complaint_events(major_conv["id"])]
        self.assertEqual(kinds, ["complaint.filed", "complaint.level_started",
                                 "complaint.contact_recorded", "complaint.close_breached",
                                 "complaint.level_started"])
        notes = self.notifications(stream, 2)  # breach, level 3
        self.assertEqual([(n["complaint_id"], n["level"], n["recipient"]) for n in notes],
                         [(mid, 1, "role:account_manager"), (mid, 3, "role:executive")])

    def test_a_complaint_on_the_conversation_is_filed_on_the_ladder(self):
        monday = next_weekday_at(datetime.datetime.now(datetime.timezone.utc), 0, 10)
        self.shift_to(monday)
        conversation = self.conversation_of("+15550100005", "you charged me twice")
        self.gateway.api_ok("PUT", f"/customers/{conversation['customer_id']}/contacts",
                            SUPERVISOR_TOKEN,
                            {"contacts": [{"role": "account_manager", "agent_id": "alice"}]})
        stream = self.open_stream()

        # Today's body (a matter) on the conversation's own path: level 1 at once.
        filed = self.gateway.api_ok("POST", f"/conversations/{conversation['id']}/complaint",
                                    SUPERVISOR_TOKEN, {"matter": "charged twice"},
                                    expect=(201,))["complaint"]
        self.assertEqual((filed["conversation_id"], filed["severity"], filed["level"]),
                         (conversation["id"], "normal", 1))
        self.assertEqual(filed["levels"][0]["notified"], "agent:alice")
        [note] = self.notifications(stream, 1)
        self.assertEqual((note["recipient"], note["target"], note["level"], note["complaint_id"]),
                         ("agent:alice", "account_manager", 1, filed["id"]))
        self.assertEqual([kind for kind, _ in self.complaint_events(conversation["id"])],
                         ["complaint.filed", "complaint.level_started"])
        marked = self.gateway.api_ok("GET", f"/conversations/{conversation['id']}",
                                     SUPERVISOR_TOKEN)["conversation"]
        self.assertEqual(marked["complaint_at"], filed["filed_at"])

        # The hour passes without contact: the ladder goes to level 2, and routing raises no
        # complaint levels of its own.
        self.shift_to(monday + datetime.timedelta(hours=1, minutes=2))
        harness.wait_until(lambda: self.complaint(filed["id"])["level"] == 2, 10,
                           "level 2 after the missed contact window")
        kinds = [e["event"]["kind"] for e in
                 self.gateway.transcript(SUPERVISOR_TOKEN, conversation["id"])
                 if e["type"] == "event"]
        self.assertIn("complaint.window_missed", kinds)
        self.assertNotIn("sla.complaint_escalation", kinds)

    def test_a_p1_escalation_notifies_the_customers_director_and_technical_expert(self):
        conversation = self.conversation_of("+15550100004", "everything is down")
        self.gateway.api_ok("PUT", f"/customers/{conversation['customer_id']}/contacts",
                            SUPERVISOR_TOKEN,
                            {"contacts": [{"role": "service_director", "agent_id": "alice"},
                                          {"role": "technical_expert", "name": "Tom Tech"}]})
        stream = self.open_stream()
        self.gateway.api_ok("POST", f"/conversations/{conversation['id']}/priority",
                            SUPERVISOR_TOKEN, {"priority": 1, "reason": "core business down"})
        notes = []
        while len(notes) < 2:
            event = stream.next_event()
            if event.get("type") == "escalation.notification":
                notes.append(event)
        self.assertEqual(sorted((n["target"], n["recipient"]) for n in notes),
                         [("service_director", "agent:alice"),
                          ("technical_expert", "person:Tom Tech")])
        self.assertTrue(all(n["conversation_id"] == conversation["id"] and n["priority"] == 1
                            for n in notes))
        recorded = harness.wait_until(
            lambda: [e["event"]["data"] for e in
                     self.gateway.transcript(SUPERVISOR_TOKEN, conversation["id"])
                     if e["type"] == "event" and e["event"]["kind"] == "escalation.notified"],
            10, "the escalation.notified event")
        self.assertEqual(recorded[0]["recipients"],
                         [{"role": "service_director", "notified": "agent:alice"},
                          {"role": "technical_expert", "notified": "person:Tom Tech"}])


if __name__ == "__main__":
    harness.main()
