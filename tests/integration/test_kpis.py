#!/usr/bin/env python3
"""Contact-centre KPIs and wrap-up through the real binary.

With the plugin guide's echo plugin (channel kind "echo") and a policy giving echo a 5 s
wrap-up: an agent seeded with a `contact` table answers one conversation (her reply is its first
response), resolves it and wraps up (`routing_presence` "wrap_up", `wrap_up_until` in
`GET /api/v1/agents`) before the waiting second conversation reaches her. `GET /api/v1/kpis`
then counts both contacts, the one answered within its first-response deadline, none abandoned;
grouped by a customer attribute (`by_attribute=industry`) each customer's contact lands in the
group of its value.

Abandoned contacts are reported by live channels (og_host_api.conversation_action, ABI 2.2);
this test has no such channel, so the abandoned counts are covered by the API unit tests
(tests/unit/api/channel_action_test.cpp) and the voice channel's own tests.
"""

import time

import harness

SUPERVISOR_TOKEN = "sup-token-kpis-0123456789abcdef"
ALICE_TOKEN = "alice-token-kpis-0123456789abcdef"


class KpiTest(harness.IntegrationCase):

    def config(self):
        return harness.echo_config(
            self.ws.workdir, routing={"wrap_up": {"echo": 5}},
            agents=[{"id": "alice", "display_name": "Alice", "team": "support",
                     "capacity": {"echo": 1}, "presence": "offline",
                     "contact": {"client": "alice", "phone": "+441632960001"}}],
            users=[harness.user("sam", "supervisor", SUPERVISOR_TOKEN),
                   harness.user("alice", "agent", ALICE_TOKEN, agent_id="alice")])

    def post_echo(self, gateway, sender, message_id, text):
        self.assertEqual(harness.post_echo(gateway, sender, message_id, text), (200, b"stored\n"))

    def conversation(self, gateway, conversation_id):
        return gateway.api_ok("GET", f"/conversations/{conversation_id}",
                              SUPERVISOR_TOKEN)["conversation"]

    def alice(self, gateway):
        agents = gateway.api_ok("GET", "/agents", SUPERVISOR_TOKEN)["agents"]
        return [a for a in agents if a["id"] == "alice"][0]

    def test_answered_contacts_and_wrap_up(self):
        started = int(time.time() * 1000)
        gateway = self.ws.start_gateway(self.config())
        self.assertEqual(self.alice(gateway)["contact"],
                         {"client": "alice", "phone": "+441632960001"})
        self.assertIsNone(self.alice(gateway)["wrap_up_until"])

        self.post_echo(gateway, "visitor-1", "m1", "hello")
        first = harness.wait_until(
            lambda: gateway.conversations(SUPERVISOR_TOKEN), 30, "the first conversation")[0]["id"]
        gateway.api_ok("PUT", "/agents/me/presence", ALICE_TOKEN, {"presence": "online"})
        harness.wait_until(lambda: self.conversation(gateway, first)["assigned_agent"] == "alice",
                           30, "alice to be assigned the first conversation")
        gateway.api_ok("POST", f"/conversations/{first}/reply", ALICE_TOKEN,
                       {"text": "how can I help?"}, expect=(202,))
        self.post_echo(gateway, "visitor-2", "m2", "anyone there?")
        second = harness.wait_until(
            lambda: [c["id"] for c in gateway.conversations(SUPERVISOR_TOKEN) if c["id"] != first],
            30, "the second conversation")[0]

        gateway.api_ok("POST", f"/conversations/{first}/resolve", ALICE_TOKEN)
        wrapping = harness.wait_until(
            lambda: (lambda a: a if a["routing_presence"] == "wrap_up" else None)(
                self.alice(gateway)), 10, "alice in wrap-up after resolving")
        self.assertIsInstance(wrapping["wrap_up_until"], int)
        self.assertEqual(wrapping["presence"], "online")
        if int(time.time() * 1000) < wrapping["wrap_up_until"] - 200:
            self.assertIsNone(self.conversation(gateway, second)["assigned_agent"])
        harness.wait_until(lambda: self.conversation(gateway, second)["assigned_agent"] == "alice",
                           30, "the second conversation to reach alice after her wrap-up")
        self.assertIsNone(self.alice(gateway)["wrap_up_until"])

        window = f"from={started - 1000}&to={int(time.time() * 1000) + 1000}"
        kpis = gateway.api_ok("GET", f"/kpis?{window}&channel=echo", SUPERVISOR_TOKEN)
        self.assertEqual(len(kpis["by_channel"]), 1, kpis)
        echo = kpis["by_channel"][0]
        self.assertEqual((echo["channel"], echo["channel_kind"]), ("echo", "echo"))
        self.assertEqual((echo["contacts"], echo["answered"], echo["abandoned"]), (2, 1, 0))
        self.assertEqual(echo["abandon_rate"], 0)
        self.assertEqual(echo["answered_within_sla"], 1)
        self.assertEqual(echo["service_level"], 0.5)
        self.assertIsInstance(echo["avg_first_response_ms"], int)
        self.assertEqual(echo["avg_wait_ms"], echo["avg_first_response_ms"])

        customer = self.conversation(gateway, first)["customer_id"]
        gateway.api_ok("PATCH", f"/customers/{customer}", SUPERVISOR_TOKEN,
                       {"attributes": {"industry": "energy", "size": 500}})
        grouped = gateway.api_ok("GET", f"/kpis?{window}&by_attribute=industry", SUPERVISOR_TOKEN)
        self.assertEqual(grouped["by_channel"], kpis["by_channel"])
        self.assertEqual(grouped["by_attribute"]["key"], "industry")
        groups = {g["value"]: g for g in grouped["by_attribute"]["groups"]}
        self.assertEqual(set(groups), {"energy", None}, grouped)
        self.assertEqual((groups["energy"]["contacts"], groups["energy"]["answered"]), (1, 1))
        self.assertEqual((groups[None]["contacts"], groups[None]["answered"]), (1, 0))
        by_size = gateway.api_ok("GET", f"/kpis?{window}&by_attribute=size", SUPERVISOR_TOKEN)
        self.assertEqual({g["value"] for g in by_size["by_attribute"]["groups"]}, {"500", None})
        self.assertNotIn("by_attribute", kpis)
        status, error = gateway.api("GET", "/kpis?by_attribute=" + "k" * 129, SUPERVISOR_TOKEN)
        self.assertEqual((status, error["field"]), (400, "by_attribute"))

        status, _ = gateway.api("GET", "/kpis", ALICE_TOKEN)
        self.assertEqual(status, 403)
        status, error = gateway.api("GET", "/kpis?to=yesterday", SUPERVISOR_TOKEN)
        self.assertEqual((status, error["field"]), (400, "to"))


if __name__ == "__main__":
    harness.main()
