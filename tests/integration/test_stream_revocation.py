#!/usr/bin/env python3
"""Revoking a user, or changing their role, reaches the event stream at once.

GET /api/v1/stream is long-lived and a stream ticket is redeemed after it was issued, so both
outlive the request that checked the token. Against the real binary: a supervisor opens streams
(with a ticket and with the bearer token) and holds a second ticket; an admin revokes them
(DELETE /api/v1/admin/users/sam) or changes their role (PUT /api/v1/admin/users/sam). Their
open streams are closed with 4401 "revoked..." or 4403 "role changed...", the held ticket is
refused with 401, and the streams of other users stay open and keep receiving events.
"""

import os

import harness
import ws_client

ADMIN_TOKEN = "ada-token-stream-revocation"
SUPERVISOR_TOKEN = "sam-token-stream-revocation"
AGENT_TOKEN = "alice-token-stream-revocation"


class StreamRevocationTest(harness.IntegrationCase):

    def setUp(self):
        super().setUp()
        config = {
            "server": {"listen": "127.0.0.1:0", "worker_threads": 2},
            "storage": {"data_dir": os.path.join(self.ws.workdir, "data")},
            "log": {"level": "info"},
            "agents": [harness.agent("alice", {"sms": 3}, 5), harness.agent("bob", {"sms": 3}, 5)],
            "users": [harness.user("ada", "admin", ADMIN_TOKEN),
                      harness.user("sam", "supervisor", SUPERVISOR_TOKEN),
                      harness.user("alice", "agent", AGENT_TOKEN, "alice")],
        }
        self.gateway = self.ws.start_gateway(config)

    def ticket(self, token):
        return self.gateway.api_ok("POST", "/stream/ticket", token, expect=(201,))["ticket"]

    def open_stream(self, ticket=None, token=None):
        """An open stream, its snapshot read."""
        target = "/api/v1/stream" + (f"?ticket={ticket}" if ticket else "")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        stream = ws_client.WebSocket(self.gateway.port, target, headers)
        self.assertEqual(stream.status, 101, stream.body)
        self.addCleanup(stream.close)
        self.assertEqual(stream.next_event()["type"], "snapshot")
        return stream

    def refused(self, ticket):
        stream = ws_client.WebSocket(self.gateway.port, f"/api/v1/stream?ticket={ticket}")
        return stream.status, stream.body

    def assert_still_streams(self, stream):
        """An event after the change still reaches `stream`: alice goes away."""
        self.gateway.api_ok("PUT", "/agents/me/presence", AGENT_TOKEN, {"presence": "away"})
        while True:
            event = stream.next_event()
            if event["type"] == "agent.presence" and event["agent"] == "alice":
                return

    def test_revoked_user_loses_open_streams_and_unused_tickets(self):
        held = self.ticket(SUPERVISOR_TOKEN)
        by_ticket = self.open_stream(ticket=self.ticket(SUPERVISOR_TOKEN))
        by_token = self.open_stream(token=SUPERVISOR_TOKEN)
        admins = self.open_stream(token=ADMIN_TOKEN)

        self.assertEqual(self.gateway.api_ok("DELETE", "/admin/users/sam", ADMIN_TOKEN),
                         {"status": "revoked"})

        for stream in (by_ticket, by_token):
            closed = stream.until_closed()
            self.assertEqual(closed.code, 4401, closed.reason)
            self.assertIn("revoked", closed.reason)
        status, body = self.refused(held)
        self.assertEqual(status, 401, body)
        self.assertEqual(body["error"], "unauthorized")
        self.assertIn("revoked", body["message"])
        self.assertEqual(self.gateway.api("GET", "/me", SUPERVISOR_TOKEN)[0], 401)
        self.assert_still_streams(admins)

    def test_role_change_closes_streams_opened_under_the_old_role(self):
        held = self.ticket(SUPERVISOR_TOKEN)
        as_supervisor = self.open_stream(ticket=self.ticket(SUPERVISOR_TOKEN))
        admins = self.open_stream(token=ADMIN_TOKEN)

        changed = self.gateway.api_ok("PUT", "/admin/users/sam", ADMIN_TOKEN,
                                      {"role": "agent", "agent_id": "bob"})
        self.assertEqual(changed, {"name": "sam", "role": "agent", "roles": ["agent"],
                                   "agent_id": "bob"})

        closed = as_supervisor.until_closed()
        self.assertEqual(closed.code, 4403, closed.reason)
        self.assertIn("role changed", closed.reason)
        status, body = self.refused(held)
        self.assertEqual(status, 401, body)
        self.assertIn("role changed", body["message"])
        # The token still works, for the new role: a new stream is an agent's own.
        self.assertEqual(self.gateway.api_ok("GET", "/me", SUPERVISOR_TOKEN)["role"], "agent")
        self.assertEqual(self.gateway.api("GET", "/queue", SUPERVISOR_TOKEN)[0], 403)
        as_agent = self.open_stream(ticket=self.ticket(SUPERVISOR_TOKEN))
        self.assert_still_streams(admins)
        as_agent.close()


if __name__ == "__main__":
    harness.main()
