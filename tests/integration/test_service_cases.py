#!/usr/bin/env python3
"""After-sales service cases through the real binary, with a shifted clock (libfaketime).

alice opens a case on her conversation and moves it through every stage of the handbook; the
transcript records each move (who, from, to, note, target) in order. The "solution proposed"
stage has its own 48-hour target ([service_cases] stage_target_hours); "recorded" is left for
25 hours, so the gateway flags it overdue by itself once and the move out of it is late. Stages
move forward only (skipping allowed), a conversation has one open case, bob may not work on
alice's case, and the stage report counts each stage's entries, late moves and time spent.
"""

import time

import harness

SUPERVISOR_TOKEN = "sup-token-cases-0123456789abcdef"
ALICE_TOKEN = "alice-token-cases-0123456789abcdef"
BOB_TOKEN = "bob-token-cases-0123456789abcdef"
HOUR = 3600
STAGES = ["received", "recorded", "classified", "solution_proposed", "confirmed", "appointment",
          "accepted", "settled", "follow_up", "closed"]


class ServiceCaseTest(harness.IntegrationCase):

    def config(self):
        return harness.echo_config(
            self.ws.workdir, service_cases={"stage_target_hours": {"solution_proposed": 48}},
            agents=[{"id": "alice", "display_name": "Alice", "team": "support",
                     "capacity": {"echo": 5}, "presence": "online"},
                    {"id": "bob", "display_name": "Bob", "team": "support",
                     "capacity": {"echo": 5}, "presence": "offline"}],
            users=[harness.user("sam", "supervisor", SUPERVISOR_TOKEN),
                   harness.user("alice", "agent", ALICE_TOKEN, agent_id="alice"),
                   harness.user("bob", "agent", BOB_TOKEN, agent_id="bob")])

    def events(self, gateway, conversation_id, prefix):
        return [e["event"] for e in gateway.transcript(SUPERVISOR_TOKEN, conversation_id)
                if e["type"] == "event" and e["event"]["kind"].startswith(prefix)]

    def test_a_case_through_every_stage(self):
        started = int(time.time() * 1000)
        gateway = self.ws.start_gateway(self.config(), faketime=True)
        self.assertEqual(harness.post_echo(gateway, "owner", "m1", "the washer leaks")[0], 200)
        conversation = harness.wait_until(
            lambda: [c["id"] for c in gateway.conversations(SUPERVISOR_TOKEN)
                     if c["assigned_agent"] == "alice"], 30, "alice's conversation")[0]

        path = f"/conversations/{conversation}/service-case"
        self.assertEqual(gateway.api("POST", path, BOB_TOKEN, {})[0], 403)
        case = gateway.api_ok("POST", path, ALICE_TOKEN, {"note": "washer model W-7"},
                              expect=(201,))
        self.assertEqual((case["stage"], case["opened_by"]), ("received", "user:alice"))
        self.assertEqual(case["stage_due_at"] - case["stage_since"], 24 * HOUR * 1000)
        self.assertEqual(gateway.api("POST", path, ALICE_TOKEN, {})[0], 409)  # one open case

        stage = f"/service-cases/{case['id']}/stage"
        gateway.api_ok("POST", stage, ALICE_TOKEN, {"stage": "recorded"})
        self.assertEqual(gateway.api("POST", stage, ALICE_TOKEN, {"stage": "received"})[0], 400)
        self.assertEqual(gateway.api("POST", stage, ALICE_TOKEN, {"stage": "recorded"})[0], 409)
        self.assertEqual(gateway.api("POST", stage, ALICE_TOKEN, {"stage": "fixed"})[0], 400)
        self.assertEqual(gateway.api("POST", stage, BOB_TOKEN, {"stage": "classified"})[0], 403)

        # "recorded" is left for 25 hours: its 24-hour target passes and is flagged once.
        gateway.shift_clock(25 * HOUR)
        [overdue] = harness.wait_until(
            lambda: self.events(gateway, conversation, "case.stage_overdue"), 20,
            "the overdue stage flagged")
        self.assertEqual((overdue["data"]["stage"], overdue["actor"]), ("recorded", "system"))
        overdue_cases = gateway.api_ok("GET", "/service-cases?overdue=true",
                                       SUPERVISOR_TOKEN)["service_cases"]
        self.assertEqual([c["id"] for c in overdue_cases], [case["id"]])

        moved = gateway.api_ok("POST", stage, ALICE_TOKEN, {"stage": "classified",
                                                             "note": "drain pump"})
        self.assertIsNone(moved["overdue_at"])
        moved = gateway.api_ok("POST", stage, ALICE_TOKEN, {"stage": "solution_proposed"})
        self.assertEqual(moved["stage_due_at"] - moved["stage_since"], 48 * HOUR * 1000)
        gateway.shift_clock(26 * HOUR)
        for name in STAGES[4:]:
            gateway.api_ok("POST", stage, ALICE_TOKEN, {"stage": name})
        time.sleep(2)  # the watch looks every second: a closed case is never flagged
        self.assertEqual(len(self.events(gateway, conversation, "case.stage_overdue")), 1)

        moves = self.events(gateway, conversation, "case.")
        self.assertEqual([e["data"]["to"] for e in moves if e["kind"] != "case.stage_overdue"],
                         STAGES)
        late = {e["data"]["from"]: e["data"]["late"] for e in moves if e["kind"] == "case.stage"}
        self.assertTrue(late["recorded"])
        self.assertFalse(late["solution_proposed"])
        full = gateway.api_ok("GET", f"/service-cases/{case['id']}", SUPERVISOR_TOKEN)
        self.assertEqual([s["stage"] for s in full["stages"]], STAGES)
        self.assertEqual(full["stages"][2]["note"], "drain pump")
        self.assertIsNone(full["stage_due_at"])
        self.assertEqual(gateway.api("POST", stage, ALICE_TOKEN, {"stage": "closed"})[0], 409)

        window = f"from={started - 1000}&to={int(time.time() * 1000) + 30 * HOUR * 1000}"
        report = {s["stage"]: s for s in gateway.api_ok(
            "GET", f"/reports/service-cases?{window}", SUPERVISOR_TOKEN)["stages"]}
        self.assertEqual(report["recorded"]["entered"], 1)
        self.assertEqual((report["recorded"]["left_late"], report["recorded"]["left_in_time"]),
                         (1, 0))
        self.assertGreaterEqual(report["recorded"]["avg_hours"], 25)
        self.assertEqual(report["settled"]["left_in_time"], 1)
        self.assertNotIn("closed", report)
        self.assertEqual(gateway.api("GET", "/reports/service-cases", ALICE_TOKEN)[0], 403)


if __name__ == "__main__":
    harness.main()
