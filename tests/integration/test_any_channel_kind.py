#!/usr/bin/env python3
"""A channel kind the gateway has never heard of is routed like any other.

Against the real binary with the plugin guide's example plugin (plugins/examples/echo, channel
kind "echo"): a message POSTed to it is stored, shows in the supervisors' live queue
(`GET /api/v1/queue`) with no skills required, and is assigned to an agent whose profile names
only SMS capacity once she comes online — the policy's `capacity.default` (1) is her echo
budget, so a second echo conversation waits until the first is resolved.
`omnigate plugins check` says so before any of it runs.
"""

import subprocess

import harness

SUPERVISOR_TOKEN = "sup-token-any-kind-0123456789abcdef"
ALICE_TOKEN = "alice-token-any-kind-0123456789abcdef"


class AnyChannelKindTest(harness.IntegrationCase):

    def config(self):
        # Her profile budgets SMS only: nothing here names "echo".
        return harness.echo_config(
            self.ws.workdir,
            agents=[{"id": "alice", "display_name": "Alice", "team": "support",
                     "capacity": {"sms": 5}, "presence": "offline"}],
            users=[harness.user("sam", "supervisor", SUPERVISOR_TOKEN),
                   harness.user("alice", "agent", ALICE_TOKEN, agent_id="alice")])

    def post_echo(self, gateway, sender, message_id, text):
        self.assertEqual(harness.post_echo(gateway, sender, message_id, text), (200, b"stored\n"))

    def queue(self, gateway):
        return gateway.api_ok("GET", "/queue", SUPERVISOR_TOKEN)["queued"]

    def conversation(self, gateway, conversation_id):
        return gateway.api_ok("GET", f"/conversations/{conversation_id}",
                              SUPERVISOR_TOKEN)["conversation"]

    def test_plugins_check_tells_how_the_kind_is_routed(self):
        config_path = self.ws.write_config(self.config())
        result = subprocess.run(
            [harness.Settings.omnigate, "plugins", "check", harness.echo_plugin_path(), "--config",
             config_path], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn('routing:       kind "echo" → capacity 1 per agent '
                      '(routing.capacity.default: the policy names no "echo"; '
                      'no agent names "echo"), skills required: none', result.stdout)
        self.assertIn('conversations stay with it (not in routing.live_kinds)', result.stdout)

    def test_a_message_to_the_echo_plugin_is_queued_then_assigned(self):
        gateway = self.ws.start_gateway(self.config())
        self.post_echo(gateway, "visitor-1", "m1", "hello")

        queued = harness.wait_until(
            lambda: [q for q in self.queue(gateway) if q["channel_kind"] == "echo"], 30,
            "the echo conversation in GET /api/v1/queue")
        self.assertEqual(len(queued), 1, queued)
        first = queued[0]["conversation_id"]
        self.assertEqual(queued[0]["state"], "queued")
        self.assertEqual(self.conversation(gateway, first)["skills"], [])

        gateway.api_ok("PUT", "/agents/me/presence", ALICE_TOKEN, {"presence": "online"})
        assigned = harness.wait_until(
            lambda: (lambda c: c if c["assigned_agent"] == "alice" else None)(
                self.conversation(gateway, first)), 30, "alice to be assigned the echo message")
        self.assertEqual(assigned["status"], "assigned")
        self.assertEqual(self.queue(gateway), [])

        # A second visitor's conversation waits: one echo conversation per agent by default.
        self.post_echo(gateway, "visitor-2", "m2", "anyone there?")
        second = harness.wait_until(
            lambda: [q["conversation_id"] for q in self.queue(gateway)], 30,
            "the second echo conversation in the queue")[0]
        self.assertNotEqual(second, first)
        agents = gateway.api_ok("GET", "/agents", SUPERVISOR_TOKEN)["agents"]
        self.assertEqual([a["load"] for a in agents if a["id"] == "alice"], [{"echo": 1}])

        gateway.api_ok("POST", f"/conversations/{first}/resolve", ALICE_TOKEN)
        harness.wait_until(
            lambda: self.conversation(gateway, second)["assigned_agent"] == "alice", 30,
            "the second echo conversation to go to alice once the first is resolved")
        self.assertEqual(self.queue(gateway), [])


if __name__ == "__main__":
    harness.main()
