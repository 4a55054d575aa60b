#!/usr/bin/env python3
"""The endpoint × role matrix (issue 18, check 1), generated from the real binary's route table.

GET /api/v1/admin/routes lists every route the gateway serves with its access rule, so a route
added tomorrow is tried here without anyone editing this file, and a route without a rule (or
with a rule this test does not know) fails it. Every HTTP route is called with no token, with
each role's token (agent, supervisor, qa, admin) and with an agent's read-only API token, its
{params} filled with real ids made in setup and then with ids that do not exist. The verdicts:
  - no 2xx for a caller the rule does not allow (no token: 401; a role not in the rule: 403);
  - no role or scope refusal for a caller the rule allows (the handler may still say 404, 409…);
  - every successful state-changing call by a supervisor or an admin left an audit row by that
    caller, and every transcript read and report export one too (GET /api/v1/admin/audit);
  - the event stream's WebSocket upgrade is refused without a ticket or token and for a role
    the rule leaves out.
Prints how many calls were made and what they answered.
"""

import collections
import re
import time

import harness
import ws_client

ADMIN_TOKEN = "matrix-admin-token-0123456789abcdef"
SUPERVISOR_TOKEN = "matrix-supervisor-token-0123456789"
AGENT_TOKEN = "matrix-agent-token-0123456789abcdef"
QA_TOKEN = "matrix-qa-token-0123456789abcdef0"
ROLES = ("agent", "supervisor", "qa", "admin")
KNOWN_RULES = ("roles", "anyone", "plugin", "ticket")
GUARD_REFUSALS = ("this needs the role", "this token's scopes do not cover")
REPORT = re.compile(r"^/api/v1/(kpis|reports/[^/]+)$")
NONEXISTENT = {"id": "987654321", "name": "nobody-here", "*": "nothing/here"}

# State-changing routes whose effect is not a fact anyone audits: an in-memory one-use stream
# ticket and a typing indicator that is gone in seconds.
NOT_AUDITED = {("POST", "/api/v1/stream/ticket"), ("POST", "/api/v1/conversations/{id}/typing")}

# Bodies that pass parsing, so that allowed callers reach the handler; a route not listed here
# gets {} (still tried with every caller: the guard runs before the body is read).
BODIES = {
    ("POST", "/api/v1/conversations/{id}/reply"): {"text": "matrix reply"},
    ("POST", "/api/v1/conversations/{id}/transfer"): {"team": "support"},
    ("POST", "/api/v1/conversations/{id}/priority"): {"priority": "high"},
    ("POST", "/api/v1/conversations/{id}/command"): {"command": "note", "text": "matrix"},
    ("POST", "/api/v1/conversations/{id}/contact-log"): {"outcome": "resolved",
                                                         "summary": "matrix"},
    ("PUT", "/api/v1/agents/me/presence"): {"presence": "online"},
    ("POST", "/api/v1/auth/tokens"): {"label": "matrix", "scopes": ["conversations:read"]},
    ("PUT", "/api/v1/auth/password"): {"password": "matrix-new-password-1",
                                       "old_password": "whatever-it-was"},
    ("PUT", "/api/v1/admin/users/{name}/password"): {"password": "matrix-new-password-2"},
    ("POST", "/api/v1/auth/login"): {"name": "nobody-here", "password": "wrong-password"},
    ("POST", "/api/v1/admin/users"): {"name": "matrix-made", "role": "qa",
                                      "password": "matrix-made-password"},
    ("PUT", "/api/v1/admin/users/{name}"): {"roles": ["qa"]},
    ("POST", "/api/v1/admin/agents"): {"id": "matrix-agent", "display_name": "Matrix",
                                       "team": "support", "capacity": {"echo": 1}},
    ("PUT", "/api/v1/admin/agents/{id}"): {"display_name": "Victim", "team": "support",
                                           "capacity": {"echo": 1}},
    ("PATCH", "/api/v1/customers/{id}"): {"display_name": "Matrix Customer"},
    ("PUT", "/api/v1/customers/{id}/contacts"): {"contacts": []},
    ("POST", "/api/v1/qa/samples"): {"strategy": {"kind": "per_agent", "per_agent": 1}},
    ("POST", "/api/v1/qa/scorecards"): {"name": "matrix", "sections": [{"title": "All", "criteria": [
        {"id": "greeting", "label": "Greeting", "scale": "binary", "weight": 1}]}]},
}


def agent(agent_id, presence="online"):
    return {"id": agent_id, "display_name": agent_id.title(), "team": "support",
            "capacity": {"echo": 5}, "presence": presence}


class AccessMatrixTest(harness.IntegrationCase):

    def setUp(self):
        super().setUp()
        config = harness.echo_config(
            self.ws.workdir,
            agents=[agent("ana"), agent("victim", "offline")],
            users=[harness.user("ada", "admin", ADMIN_TOKEN),
                   harness.user("sid", "supervisor", SUPERVISOR_TOKEN),
                   harness.user("ana", "agent", AGENT_TOKEN, "ana"),
                   harness.user("quinn", "qa", QA_TOKEN),
                   {"name": "victim", "role": "qa", "password": "victim-password-0"}])
        self.gateway = self.ws.start_gateway(config)
        self.callers = {"none": None, "agent": AGENT_TOKEN, "supervisor": SUPERVISOR_TOKEN,
                        "qa": QA_TOKEN, "admin": ADMIN_TOKEN}
        self.names = {"agent": "ana", "supervisor": "sid", "qa": "quinn", "admin": "ada",
                      "agent_api_token": "ana"}
        self.callers["agent_api_token"] = self.gateway.api_ok(
            "POST", "/auth/tokens", AGENT_TOKEN,
            {"label": "wallboard", "scopes": ["conversations:read"]}, expect=(201,))["token"]
        # A token only there to be revoked by DELETE /auth/tokens/{id} and /admin/tokens/{id}.
        spare = self.gateway.api_ok("POST", "/auth/tokens", SUPERVISOR_TOKEN,
                                    {"label": "spare", "scopes": ["conversations:read"]},
                                    expect=(201,))
        status, body = harness.post_echo(self.gateway, "+14155550100", "matrix-1", "hello")
        self.assertEqual(status, 200, body)
        conversation = harness.wait_until(
            lambda: self.gateway.conversations(ADMIN_TOKEN), 10, "the echo conversation")[0]
        self.real = {"id": str(conversation["id"]), "name": "victim", "*": "messages"}
        self.real_by_prefix = {
            "/api/v1/customers/": str(conversation["customer_id"]),
            "/api/v1/agents/": "victim", "/api/v1/admin/agents/": "victim",
            "/api/v1/auth/tokens/": str(spare["id"]), "/api/v1/admin/tokens/": str(spare["id"]),
        }

    # ------------------------------------------------------------------ helpers
    def fill(self, pattern, values):
        """`pattern` with each {param} (and a trailing *) replaced from `values`."""
        def value(match):
            prefix = pattern[:match.start()]
            if values is self.real and prefix in self.real_by_prefix:
                return self.real_by_prefix[prefix]
            # A parameter the table is new to gets a value that names nothing.
            return values.get(match.group(1) or "*", NONEXISTENT["id"])
        return re.sub(r"\{(\w+)\}|\*$", value, pattern)

    def call(self, method, path, caller, body):
        token = self.callers[caller]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, raw = harness.http_request(method, f"{self.gateway.url}{path}", body, headers)
        return status, harness.decode_json(raw)

    def last_audit_id(self):
        entries = self.gateway.api_ok("GET", "/admin/audit?limit=1", ADMIN_TOKEN)["entries"]
        return entries[0]["id"] if entries else 0

    def audit(self, **filters):
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        return self.gateway.api_ok("GET", f"/admin/audit?{query}&limit=50", ADMIN_TOKEN)["entries"]

    def audited_since(self, after_id, name, action):
        # Rows the store writes in the same transaction as the change name the actor as
        # "user:<name>" (the history tables' form); the API's own rows name the user.
        entries = self.audit(actor=name) + self.audit(actor=f"user:{name}")
        return [e for e in entries
                if e["id"] > after_id and action in (None, e["action"])]

    # ------------------------------------------------------------------ the matrix
    def test_every_route_with_every_role(self):
        routes = self.gateway.api_ok("GET", "/admin/routes", ADMIN_TOKEN)["routes"]
        patterns = {(r["method"], r["pattern"]) for r in routes}
        # The table is the real one: the routes this file's setup uses are in it.
        for known in [("GET", "/api/v1/admin/routes"), ("POST", "/api/v1/auth/login"),
                      ("GET", "/api/v1/conversations/{id}/transcript")]:
            self.assertIn(known, patterns)

        calls = 0
        answers = collections.Counter()
        failures = []
        audited = collections.Counter()
        for route in routes:
            method, pattern, rule = route["method"], route["pattern"], route.get("access")
            where = f"{method} {pattern}"
            if rule not in KNOWN_RULES or (rule in ("roles", "ticket") and not route["roles"]):
                failures.append(f"{where}: no access rule ({route})")
                continue
            if route["websocket"]:
                calls += self.check_websocket(route, failures)
                continue
            body = BODIES.get((method, pattern), {})
            allowed = set(route["roles"])
            read_action = ("transcript.read" if pattern.endswith("/transcript") else
                           "report.export" if REPORT.search(pattern) else None)
            for values in (NONEXISTENT, self.real):
                path = self.fill(pattern, values)
                # The admin goes last: what it deletes or revokes is gone for no one after it.
                for caller in ("none", "agent", "supervisor", "qa", "agent_api_token", "admin"):
                    audited_caller = caller in ("supervisor", "admin") or read_action
                    before = self.last_audit_id() if caller != "none" and audited_caller else 0
                    status, answer = self.call(method, path, caller, body)
                    calls += 1
                    answers[status] += 1
                    message = (answer or {}).get("message", "") if isinstance(answer, dict) else ""
                    if rule != "roles":
                        if status >= 500 and status != 503:
                            failures.append(f"{where} as {caller} on {path}: {status} {answer}")
                        continue
                    may = (caller in allowed or
                           (caller == "agent_api_token" and "agent" in allowed
                            and method in ("GET", "HEAD")))
                    if not may and 200 <= status < 300:
                        failures.append(f"UNAUTHORIZED SUCCESS {where} as {caller} on {path}: "
                                        f"{status} {answer}")
                    elif caller == "none" and status != 401:
                        failures.append(f"{where} without a token on {path}: {status}")
                    elif may and (status == 401 or message.startswith(GUARD_REFUSALS)):
                        failures.append(f"{where} refused to allowed {caller} on {path}: "
                                        f"{status} {answer}")
                    elif (200 <= status < 300 and caller in ("supervisor", "admin")
                          and method != "GET" and (method, pattern) not in NOT_AUDITED):
                        if self.wait_for_audit(before, self.names[caller]):
                            audited[where] += 1
                        else:
                            failures.append(f"{where} as {caller} on {path}: {status} but no "
                                            "audit row")
                    if 200 <= status < 300 and read_action:
                        if not self.wait_for_audit(before, self.names[caller], read_action):
                            failures.append(f"{where} as {caller}: {status} but no "
                                            f"{read_action} audit row")

        print(f"\naccess matrix: {len(routes)} routes, {calls} calls, answers by status "
              f"{dict(sorted(answers.items()))}, {sum(audited.values())} privileged successes "
              f"audited on {len(audited)} routes", flush=True)
        self.assertEqual(failures, [], "\n".join(failures))

    def wait_for_audit(self, after_id, actor, action=None):
        """Whether `actor` has an audit row (of `action`, when named) newer than `after_id`."""
        # The audit row is written on the store's writer thread, maybe just after the answer.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if self.audited_since(after_id, actor, action):
                return True
            time.sleep(0.05)
        return False

    def check_websocket(self, route, failures):
        """The upgrade without credentials and with each role's token; the number of tries."""
        path = self.fill(route["pattern"], NONEXISTENT)
        tries = 0
        for caller in ("none", "agent", "supervisor", "qa", "admin"):
            token = self.callers[caller]
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            stream = ws_client.WebSocket(self.gateway.port, path, headers)
            tries += 1
            accepted = stream.status == 101
            stream.close()
            if route["access"] != "ticket":
                continue
            may = caller in route["roles"]
            if accepted != may:
                failures.append(f"WebSocket {route['pattern']} as {caller}: {stream.status} "
                                f"(allowed: {may})")
        return tries


if __name__ == "__main__":
    harness.main()
