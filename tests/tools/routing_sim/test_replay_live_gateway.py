#!/usr/bin/env python3
"""routing-sim --from-db against the database of a REAL, RUNNING gateway.

The real `omnigate` binary with the real SMS plugin and the Twilio stand-in (the integration
harness, tests/integration/harness.py) routes SMS conversations to two agents; one agent
logs off and on through the API (audited presence), another replies and resolves. While the
gateway keeps running, routing-sim replays its database read-only: it must see exactly those
contacts, the roster, the recorded resolution — and leave the database as it was.

Command line: test_replay_live_gateway.py --routing-sim PATH --omnigate PATH --plugin-dir DIR
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "integration"))
import harness  # noqa: E402

CUSTOMERS = 6
AGENTS = ["alice", "bob"]


class Paths:
    routing_sim = None


def token(agent_id):
    return f"{agent_id}-token-replay"


class ReplayLiveGatewayTest(harness.IntegrationCase):

    def run_routing_sim(self, *args):
        done = subprocess.run([Paths.routing_sim, *args], capture_output=True, text=True,
                              timeout=120)
        return done.returncode, done.stdout + done.stderr

    def test_replays_the_history_of_a_running_gateway(self):
        standin = self.ws.start_standin()
        agents = [harness.agent(a, {"sms": 3}, 2) for a in AGENTS]
        users = [harness.user(a, "agent", token(a), a) for a in AGENTS]
        gateway = self.ws.start_gateway(self.ws.sms_config(standin, agents, users))
        gateway.api_ok("PUT", "/agents/me/presence", token("bob"), {"presence": "offline"})
        gateway.api_ok("PUT", "/agents/me/presence", token("bob"), {"presence": "online"})
        for i in range(CUSTOMERS):
            status, _ = gateway.send_sms(harness.inbound_params(f"+1415555{i:04d}", "help"))
            self.assertEqual(status, 200)
        db = self.ws.database()
        # Capacity 2 each: four conversations are assigned, two wait.
        harness.wait_until(
            lambda: db.scalar("SELECT COUNT(*) FROM conversations WHERE status = 'assigned'")
            == 4, 30, "four conversations assigned")
        mine = [c for c in gateway.conversations(token("alice"))
                if c["assigned_agent"] == "alice"][0]
        gateway.api_ok("POST", f"/conversations/{mine['id']}/reply", token("alice"),
                       {"text": "on it"}, expect=(202,))
        gateway.api_ok("POST", f"/conversations/{mine['id']}/resolve", token("alice"))
        harness.wait_until(
            lambda: db.scalar("SELECT COUNT(*) FROM events WHERE kind = 'conversation.resolved'"),
            30, "the resolution committed")
        # The freed capacity goes to a waiting conversation.
        harness.wait_until(
            lambda: db.scalar("SELECT COUNT(*) FROM events WHERE kind = "
                              "'conversation.assigned'") == 5, 30, "a fifth assignment")
        before = db.query("SELECT COUNT(*), MAX(id) FROM events")

        code, out = self.run_routing_sim("--from-db", db.path, "--add-agents", "1:support")
        self.assertEqual(code, 0, out)
        self.assertIn(f"{CUSTOMERS} contacts (S 0, A 0, B 0, C {CUSTOMERS}), 2 agents", out)
        self.assertIn("as recorded: 1 resolved, 4 assigned and still open, 0 abandoned, "
                      "1 never assigned", out)
        self.assertIn("defaults +1 support", out)
        self.assertNotIn("without recorded presence", out)  # bob's audited, alice online

        # Read-only: the running gateway's database is untouched and still being served.
        self.assertEqual(db.query("SELECT COUNT(*), MAX(id) FROM events"), before)
        self.assertEqual(gateway.api("GET", "/me", token("alice"))[0], 200)


if __name__ == "__main__":
    if "--routing-sim" in sys.argv:
        at = sys.argv.index("--routing-sim")
        Paths.routing_sim = os.path.abspath(sys.argv[at + 1])
        del sys.argv[at:at + 2]
    if not Paths.routing_sim:
        sys.exit("usage: test_replay_live_gateway.py --routing-sim PATH --omnigate PATH "
                 "--plugin-dir DIR")
    harness.main()
