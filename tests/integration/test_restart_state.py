#!/usr/bin/env python3
"""What the real binary keeps across `kill -9` and a restart on the same data dir.

- An agent named in the config and then changed through the admin API keeps the API's change:
  a start adds only the config's agents the database does not hold yet.
- The supervisors' event stream numbers its events on from where the earlier process was:
  after the restart, the snapshot and the events carry a larger `seq` than any seen before.
"""

import os

import harness
import ws_client

ADMIN_TOKEN = "ada-token-restart-state"
SUPERVISOR_TOKEN = "sam-token-restart-state"
AGENT_TOKEN = "alice-token-restart-state"


class RestartStateTest(harness.IntegrationCase):

    def setUp(self):
        super().setUp()
        config = {
            "server": {"listen": "127.0.0.1:0", "worker_threads": 2},
            "storage": {"data_dir": os.path.join(self.ws.workdir, "data")},
            "log": {"level": "info"},
            "agents": [harness.agent("alice", {"sms": 3}, 5)],
            "users": [harness.user("ada", "admin", ADMIN_TOKEN),
                      harness.user("sam", "supervisor", SUPERVISOR_TOKEN),
                      harness.user("alice", "agent", AGENT_TOKEN, "alice")],
        }
        self.gateway = self.ws.start_gateway(config)

    def restart(self):
        self.gateway.kill()
        self.gateway.start()

    def open_stream(self):
        """An open stream and its snapshot."""
        stream = ws_client.WebSocket(self.gateway.port, "/api/v1/stream",
                                     {"Authorization": f"Bearer {SUPERVISOR_TOKEN}"})
        self.assertEqual(stream.status, 101, stream.body)
        self.addCleanup(stream.close)
        snapshot = stream.next_event()
        self.assertEqual(snapshot["type"], "snapshot")
        return stream, snapshot

    def test_an_agent_changed_through_the_api_keeps_the_change(self):
        changed = {"display_name": "Alice A.", "team": "escalations",
                   "skills": [{"skill": "sms", "level": 5}], "capacity": {"sms": 2}}
        self.gateway.api_ok("PUT", "/admin/agents/alice", ADMIN_TOKEN, changed)
        self.restart()
        alice = self.gateway.api_ok("GET", "/agents/alice", SUPERVISOR_TOKEN)
        alice = alice.get("agent", alice)
        self.assertEqual(alice["team"], "escalations")
        self.assertEqual(alice["skills"], [{"skill": "sms", "level": 5}])
        self.assertEqual(alice["capacity"], {"sms": 2})
        self.assertIn("seeded 0 new agent(s)", self.gateway.log_text())

    def test_the_event_stream_seq_grows_across_a_restart(self):
        stream, snapshot = self.open_stream()
        # An event, so the first process has numbered something.
        self.gateway.api_ok("PUT", "/agents/me/presence", AGENT_TOKEN, {"presence": "away"})
        event = stream.next_event()
        while event["type"] != "agent.presence":
            event = stream.next_event()
        self.assertGreater(event["seq"], snapshot["seq"])
        stream.close()
        self.restart()
        _, after = self.open_stream()
        self.assertGreater(after["seq"], event["seq"])


if __name__ == "__main__":
    harness.main()
