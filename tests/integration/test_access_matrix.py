#!/usr/bin/env python3
"""The endpoint × role matrix (issue 18, check 1), generated from the real binary's route table.

GET /api/v1/admin/routes lists every route the gateway serves with its access rule, so a route
added tomorrow is tried here without anyone editing this file, and a route without a rule (or
with a rule this test does not know) fails it. Every HTTP route is called with no token, with
each role's token (agent, supervisor, qa, admin) and with an agent's read-only API token, its
{params} filled with real ids made in setup and then with ids that do not exist. The verdicts:
  - no 2xx for a caller the rule does not allow (no token: 401; a role not in the rule: 403);
  - no role or scope refusal for a caller the rule allows (the handler may still say 404, 409…);
  - every successful state-changing call left an audit row by its caller, and every transcript
    read and report export one too (GET /api/v1/admin/audit);
  - every state-changing route succeeded at least once here (so its audit row was checked),
    unless REACHED_ELSEWHERE names the test that exercises it and why it cannot succeed here;
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
REPORT = re.compile(r"^/api/v1/(kpis|reports/[^/]+|qa/reports)$")
NONEXISTENT = {"id": "987654321", "name": "nobody-here", "*": "nothing/here"}

# State-changing routes whose effect is not a fact anyone audits: an in-memory one-use stream
# ticket, a typing indicator that is gone in seconds, and a login (its own audit rows, success
# or failure, are asserted by integration_accounts and integration_login_throttle).
NOT_AUDITED = {("POST", "/api/v1/stream/ticket"), ("POST", "/api/v1/conversations/{id}/typing"),
               ("POST", "/api/v1/auth/login")}

# State-changing routes that cannot succeed in this setup, each with the reason and the test that
# makes it succeed. Anything else that changes state must succeed here at least once.
REACHED_ELSEWHERE = {
    ("POST", "/api/v1/conversations/{id}/accept"):
        "needs a reservation policy's pending offer (integration_restart_state, api_tests)",
    ("POST", "/api/v1/conversations/{id}/decline"):
        "needs a reservation policy's pending offer (api_tests)",
    ("POST", "/api/v1/conversations/{id}/pick"):
        "needs a conversation left queued while an agent has room: the engine assigns it first "
        "(api_tests)",
    ("POST", "/api/v1/conversations/{id}/command"):
        "the echo channel takes no commands (integration_voice_calls)",
    ("POST", "/api/v1/admin/quarantine/{id}/release"):
        "needs a quarantined input (integration_quarantine_cli, integration_bad_plugin_output)",
    ("POST", "/api/v1/admin/quarantine/{id}/drop"):
        "needs a quarantined input (integration_quarantine_cli)",
    ("POST", "/api/v1/admin/plugins/{instance}/enable"):
        "needs an instance disabled after crashes (integration_plugin_isolation)",
    ("POST", "/api/v1/admin/webhooks/deliveries/{id}/retry"):
        "needs a failed webhook delivery (integration_webhooks)",
    ("POST", "/channels/echo/messages"): "a plugin route: the channel's own signature rules",
    ("POST", "/api/v1/conversations/{id}/merge"):
        "needs two open conversations of one customer (integration_workspace_api)",
    ("POST", "/api/v1/qa/reviews"):
        "needs a score for every criterion of a scorecard (admin_api_tests: qa_api_test, "
        "integration_qa_browser)",
    ("POST", "/api/v1/qa/reviews/{id}/acknowledge"):
        "needs a review of the caller's own work (admin_api_tests: qa_api_test)",
    ("POST", "/api/v1/qa/reviews/{id}/dispute"):
        "needs a review of the caller's own work (admin_api_tests: qa_api_test)",
    ("POST", "/api/v1/qa/reviews/{id}/resolve-dispute"):
        "needs a disputed review (admin_api_tests: qa_api_test)",
    ("POST", "/api/v1/customers/{id}/erase"):
        "would erase the customer every other route here uses (integration_erasure)",
}

PASSWORDS = {"sid": "matrix-sid-password-1", "ada": "matrix-ada-password-1",
             "ana": "matrix-ana-password-1", "quinn": "matrix-quinn-password-1"}

# Bodies that pass parsing, so that allowed callers reach the handler; a route not listed here
# gets {} (still tried with every caller: the guard runs before the body is read). A callable
# gets (test, caller) and answers the body.
BODIES = {
    ("POST", "/api/v1/conversations/{id}/reply"): {"text": "matrix reply"},
    ("POST", "/api/v1/conversations/{id}/transfer"): {"team": "support"},
    ("POST", "/api/v1/conversations/{id}/priority"): {"priority": 2, "reason": "matrix"},
    ("POST", "/api/v1/conversations/{id}/command"): {"command": "note"},
    ("POST", "/api/v1/conversations/{id}/contact-log"): {"classification": "matrix",
                                                         "note": "matrix"},
    ("POST", "/api/v1/conversations/{id}/complaint"): {"matter": "matrix complaint"},
    ("POST", "/api/v1/conversations/{id}/service-case"): {"note": "matrix"},
    ("POST", "/api/v1/conversations/{id}/csat"): {"rating": 4},
    ("POST", "/api/v1/service-cases/{id}/stage"): {"stage": "classified"},
    ("POST", "/api/v1/complaints"): lambda t, caller: {"conversation_id": int(t.real["id"]),
                                                       "matter": "matrix complaint"},
    ("POST", "/api/v1/complaints/{id}/escalate"): {"reason": "matrix"},
    ("POST", "/api/v1/complaints/{id}/commitment"): {"commitment": "matrix fix"},
    ("POST", "/api/v1/complaints/{id}/assign-executive"): {"executive": "ana"},
    ("POST", "/api/v1/complaints/{id}/close"): {"report": "matrix report"},
    ("POST", "/api/v1/customers/merge"): lambda t, caller: {"survivor_id": t.customers[0],
                                                            "merged_id": t.customers[1]},
    ("PUT", "/api/v1/agents/me/presence"): {"presence": "online"},
    ("POST", "/api/v1/auth/tokens"): {"label": "matrix", "scopes": ["conversations:read"]},
    ("PUT", "/api/v1/auth/password"): lambda t, caller: {
        "password": f"{PASSWORDS.get(t.names.get(caller), 'x')}-new",
        "old_password": PASSWORDS.get(t.names.get(caller), "")},
    ("PUT", "/api/v1/admin/users/{name}/password"): {"password": "matrix-new-password-2"},
    ("POST", "/api/v1/auth/login"): {"name": "nobody-here", "password": "wrong-password"},
    ("POST", "/api/v1/admin/users"): {"name": "matrix-made", "role": "qa"},
    ("PUT", "/api/v1/admin/users/{name}"): {"roles": ["qa"]},
    ("POST", "/api/v1/admin/agents"): {"id": "matrix-agent", "display_name": "Matrix",
                                       "team": "support", "capacity": {"echo": 1}},
    ("PUT", "/api/v1/admin/agents/{id}"): {"display_name": "Victim", "team": "support",
                                           "capacity": {"echo": 1}},
    ("PATCH", "/api/v1/customers/{id}"): {"display_name": "Matrix Customer"},
    ("PUT", "/api/v1/customers/{id}/contacts"): {"contacts": []},
    ("POST", "/api/v1/customers/{id}/legal-hold"): {"reason": "matrix hold"},
    ("DELETE", "/api/v1/customers/{id}/legal-hold"): {"reason": "matrix release"},
    ("POST", "/api/v1/attachments"): b"matrix attachment bytes",
    ("POST", "/api/v1/conversations/{id}/notes"): {"body": "matrix note"},
    ("POST", "/api/v1/canned-responses"): {"shortcut": "matrix", "title": "Matrix",
                                          "body": "matrix text"},
    ("PUT", "/api/v1/canned-responses/{id}"): {"shortcut": "fixture", "title": "Fixture",
                                               "body": "changed by the matrix"},
    ("POST", "/api/v1/qa/samples"): {"strategy": {"kind": "per_agent", "per_agent": 1}},
    ("POST", "/api/v1/qa/scorecards"): {"name": "matrix", "sections": [{"title": "All", "criteria": [
        {"id": "greeting", "label": "Greeting", "scale": "binary", "weight": 1}]}]},
}
# The QA report is fetched as the CSV download: its audit row is checked like every report's.
QUERIES = {("POST", "/api/v1/attachments"): "?filename=matrix.txt",
           ("GET", "/api/v1/qa/reports"): "?group_by=team&format=csv"}

# Routes that take the session (not the token) of the caller: logout ends one.
SESSION_ROUTES = {("POST", "/api/v1/auth/logout")}

# Routes that end something the others need go last, in this order (a CSAT rating needs the
# resolution before it); logout goes first (a
# password change ends every session).
LAST = ["/resolve", "/csat", "/close", "/api/v1/auth/password", "/password"]


def route_order(route):
    method, pattern = route["method"], route["pattern"]
    if (method, pattern) in SESSION_ROUTES:
        return (0, 0)
    for rank, suffix in enumerate(LAST):
        if pattern.endswith(suffix):
            return (2, rank)
    return (3, 0) if method == "DELETE" else (1, 0)


def agent(agent_id, presence="online"):
    return {"id": agent_id, "display_name": agent_id.title(), "team": "support",
            "capacity": {"echo": 5}, "presence": presence}


class AccessMatrixTest(harness.IntegrationCase):

    def setUp(self):
        super().setUp()
        def with_password(entry):
            return {**entry, "password": PASSWORDS[entry["name"]]}
        config = harness.echo_config(
            self.ws.workdir,
            # sid is a supervisor with an agent profile (offline until the presence route), so
            # the routes that act as an agent are tried with a supervisor too.
            agents=[agent("ana"), agent("victim", "offline"), agent("sid", "offline")],
            users=[with_password(harness.user("ada", "admin", ADMIN_TOKEN)),
                   with_password(harness.user("sid", "supervisor", SUPERVISOR_TOKEN, "sid")),
                   with_password(harness.user("ana", "agent", AGENT_TOKEN, "ana")),
                   with_password(harness.user("quinn", "qa", QA_TOKEN)),
                   {"name": "victim", "role": "qa", "password": "victim-password-0"}],
            customers={"valuation": {"schedule": "off",
                                     "factors": [{"attribute": "purchase_amount", "weight": 100,
                                                  "full_at": 1000}],
                                     "tier_from": {"S": 85, "A": 70, "B": 40}}})
        self.gateway = self.ws.start_gateway(config)
        self.callers = {"none": None, "agent": AGENT_TOKEN, "supervisor": SUPERVISOR_TOKEN,
                        "qa": QA_TOKEN, "admin": ADMIN_TOKEN}
        self.names = {"agent": "ana", "supervisor": "sid", "qa": "quinn", "admin": "ada",
                      "agent_api_token": "ana"}
        self.callers["agent_api_token"] = self.gateway.api_ok(
            "POST", "/auth/tokens", AGENT_TOKEN,
            {"label": "wallboard", "scopes": ["conversations:read"]}, expect=(201,))["token"]
        # Login sessions, for the routes that end one (taken before any failed login here).
        self.sessions = {caller: self.gateway.api_ok(
            "POST", "/auth/login", None, {"name": name, "password": PASSWORDS[name]})["token"]
            for caller, name in self.names.items() if caller != "agent_api_token"}
        self.sessions.update(none=None, agent_api_token=self.callers["agent_api_token"])
        # Tokens only there to be revoked by DELETE /auth/tokens/{id} and /admin/tokens/{id}.
        spare = [self.gateway.api_ok("POST", "/auth/tokens", SUPERVISOR_TOKEN,
                                     {"label": f"spare-{n}", "scopes": ["conversations:read"]},
                                     expect=(201,))["id"] for n in range(2)]
        conversations = [self.echo_conversation(f"+1415555010{n}") for n in range(5)]
        main = conversations[0]
        self.customers = [c["customer_id"] for c in conversations[1:5]]
        # A merge to undo (customers 3 → 4); the merge route merges customers 1 → 2.
        undoable = self.gateway.api_ok("POST", "/customers/merge", ADMIN_TOKEN,
                                       {"survivor_id": self.customers[3],
                                        "merged_id": self.customers[2]})["merge"]["id"]
        case = self.gateway.api_ok("POST", f"/conversations/{conversations[1]['id']}/service-case",
                                   ADMIN_TOKEN, {}, expect=(201,))["id"]
        canned = self.gateway.api_ok("POST", "/canned-responses", ADMIN_TOKEN,
                                     {"shortcut": "fixture", "title": "Fixture",
                                      "body": "fixture text"}, expect=(201,))["canned_response"]
        # Complaints at each level of the ladder, for the routes that act on one level.
        complaint_at = [self.complaint(conversations[1]["id"], escalations=n) for n in range(3)]
        self.real = {"id": str(main["id"]), "name": "victim", "*": "messages"}
        self.real_by_prefix = {
            "/api/v1/customers/": str(main["customer_id"]),
            "/api/v1/customers/merges/": str(undoable),
            "/api/v1/service-cases/": str(case),
            "/api/v1/complaints/": str(complaint_at[0]),
            "/api/v1/canned-responses/": str(canned["id"]),
            "/api/v1/agents/": "victim", "/api/v1/admin/agents/": "victim",
            "/api/v1/auth/tokens/": str(spare[0]), "/api/v1/admin/tokens/": str(spare[1]),
        }
        self.real_by_route = {
            ("POST", "/api/v1/complaints/{id}/commitment"): str(complaint_at[1]),
            ("POST", "/api/v1/complaints/{id}/assign-executive"): str(complaint_at[2]),
            ("POST", "/api/v1/complaints/{id}/close"): str(complaint_at[2]),
        }

    def echo_conversation(self, sender):
        status, body = harness.post_echo(self.gateway, sender, f"matrix-{sender}", "hello")
        self.assertEqual(status, 200, body)
        return harness.wait_until(
            lambda: [c for c in self.gateway.conversations(ADMIN_TOKEN)
                     if c["customer_address"] == sender], 10, f"the conversation of {sender}")[0]

    def complaint(self, conversation_id, escalations):
        """A complaint on the ladder's level 1 + `escalations`; its id."""
        complaint = self.gateway.api_ok("POST", "/complaints", ADMIN_TOKEN,
                                        {"conversation_id": conversation_id,
                                         "matter": "matrix fixture"}, expect=(201,))["complaint"]
        for _ in range(escalations):
            self.gateway.api_ok("POST", f"/complaints/{complaint['id']}/escalate", ADMIN_TOKEN,
                                {"reason": "matrix fixture"})
        return complaint["id"]

    # ------------------------------------------------------------------ helpers
    def fill(self, method, pattern, values):
        """`pattern` with each {param} (and a trailing *) replaced from `values`."""
        def value(match):
            if values is self.real and (method, pattern) in self.real_by_route:
                return self.real_by_route[(method, pattern)]
            prefix = pattern[:match.start()]
            if values is self.real and prefix in self.real_by_prefix:
                return self.real_by_prefix[prefix]
            # A parameter the table is new to gets a value that names nothing.
            return values.get(match.group(1) or "*", NONEXISTENT["id"])
        return re.sub(r"\{(\w+)\}|\*$", value, pattern)

    def call(self, method, path, caller, body, session=False):
        token = (self.sessions if session else self.callers)[caller]
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
        for route in sorted(routes, key=route_order):
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
            audited_change = method != "GET" and (method, pattern) not in NOT_AUDITED
            # A route without parameters is tried once (twice would only repeat its first call).
            has_params = "{" in pattern or pattern.endswith("*")
            for values in (NONEXISTENT, self.real) if has_params else (self.real,):
                path = self.fill(method, pattern, values) + QUERIES.get((method, pattern), "")
                # The admin goes last: what it deletes or revokes is gone for no one after it.
                for caller in ("none", "agent", "supervisor", "qa", "agent_api_token", "admin"):
                    checked = caller != "none" and (audited_change or read_action)
                    before = self.last_audit_id() if checked else 0
                    status, answer = self.call(method, path, caller,
                                               body(self, caller) if callable(body) else body,
                                               session=(method, pattern) in SESSION_ROUTES)
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
                    elif 200 <= status < 300 and audited_change:
                        if self.wait_for_audit(before, self.names[caller]):
                            audited[where] += 1
                        else:
                            failures.append(f"{where} as {caller} on {path}: {status} but no "
                                            "audit row")
                    if 200 <= status < 300 and read_action:
                        if not self.wait_for_audit(before, self.names[caller], read_action):
                            failures.append(f"{where} as {caller}: {status} but no "
                                            f"{read_action} audit row")

        # Every state-changing route was made to succeed (and its audit row checked) here, or
        # REACHED_ELSEWHERE says why not; an entry there that succeeded here is stale.
        for route in routes:
            key = (route["method"], route["pattern"])
            where = f"{key[0]} {key[1]}"
            if key[0] == "GET" or key in NOT_AUDITED or route["websocket"]:
                continue
            if key in REACHED_ELSEWHERE and where in audited:
                failures.append(f"{where} succeeded here: remove it from REACHED_ELSEWHERE")
            elif key not in REACHED_ELSEWHERE and where not in audited:
                failures.append(f"{where} never succeeded here, so its audit row was not "
                                "checked: give it a body or fixture (BODIES, setUp)")

        print(f"\naccess matrix: {len(routes)} routes, {calls} calls, answers by status "
              f"{dict(sorted(answers.items()))}, {sum(audited.values())} successful changes "
              f"audited on {len(audited)} routes, {len(REACHED_ELSEWHERE)} reached elsewhere",
              flush=True)
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
        path = self.fill(route["method"], route["pattern"], NONEXISTENT)
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
