#!/usr/bin/env python3
"""Accounts and access through the real binary (docs/api.md "Authentication").

ana logs in with her password: the session token comes back in the body and as an HttpOnly,
SameSite=Strict cookie; the cookie alone opens an API route, logout revokes it (401 after),
and a session dies by itself once [auth] session_hours have passed on the (shifted) clock.
Wrong passwords lock the name after [auth] lockout_failures: 429 with Retry-After even with the
right password, an unknown name answers exactly like a known one, and the lock lifts after
lockout_minutes. A read-only API token reads but cannot POST; a multi-role user passes routes
allowed for either of their roles. Each of these is in the audit log, read via the admin API,
and no password or token is ever in it or in the gateway's log.
"""

import json
import sqlite3
import urllib.error
import urllib.request

import harness

ADMIN_TOKEN = "ada-admin-token-0123456789abcdef"
ANA_PASSWORD = "ana-secret-password"
SAM_PASSWORD = "sam-secret-password"
QUINN_TOKEN = "quinn-qa-token-0123456789abcdef"


def request(gateway, method, path, body=None, headers=None):
    """(status, parsed JSON body, response headers) for /api/v1<path>."""
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(f"{gateway.url}/api/v1{path}", data=data, headers=all_headers,
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return response.status, harness.decode_json(response.read()), response.headers
    except urllib.error.HTTPError as e:
        return e.code, harness.decode_json(e.read()), e.headers


def login(gateway, name, password):
    return request(gateway, "POST", "/auth/login", {"name": name, "password": password})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


class AccountsTest(harness.IntegrationCase):

    def start(self):
        config = harness.echo_config(
            self.ws.workdir,
            auth={"session_hours": 1, "lockout_failures": 3, "lockout_minutes": 1},
            agents=[{"id": "ana", "display_name": "Ana", "team": "support",
                     "capacity": {"echo": 5}, "presence": "online"},
                    {"id": "sam", "display_name": "Sam", "team": "support",
                     "capacity": {"echo": 5}, "presence": "online"}],
            users=[harness.user("ada", "admin", ADMIN_TOKEN),
                   {"name": "ana", "role": "agent", "agent": "ana", "password": ANA_PASSWORD},
                   {"name": "sam", "roles": ["agent", "qa"], "agent": "sam",
                    "password": SAM_PASSWORD},
                   harness.user("quinn", "qa", QUINN_TOKEN)])
        return self.ws.start_gateway(config, faketime=True)

    def audit(self, gateway, **filters):
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        return gateway.api_ok("GET", f"/admin/audit?{query}", ADMIN_TOKEN)["entries"]

    def test_accounts_and_access(self):
        gateway = self.start()

        # ---- login: token in the body and as a cookie the consoles cannot read from script
        status, body, headers = login(gateway, "ana", ANA_PASSWORD)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["user"]["roles"], ["agent"])
        token = body["token"]
        cookie = headers["Set-Cookie"]
        self.assertTrue(cookie.startswith(f"og_session={token};"), cookie)
        for flag in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=3600"):
            self.assertIn(flag, cookie)
        self.assertNotIn("Secure", cookie)  # [auth] secure_cookie is off by default
        session_cookie = {"Cookie": f"theme=dark; og_session={token}"}
        status, me, _ = request(gateway, "GET", "/auth/me", headers=session_cookie)
        self.assertEqual((status, me["name"], me["credential"]["kind"]), (200, "ana", "session"))
        status, listed, _ = request(gateway, "GET", "/conversations", headers=session_cookie)
        self.assertEqual(status, 200, listed)
        self.assertEqual(request(gateway, "GET", "/me", headers=bearer(token))[0], 200)
        self.assertEqual(request(gateway, "GET", "/skills", headers=session_cookie)[0], 403)

        # ---- logout revokes the session: the same cookie is refused afterwards
        # (a change by cookie needs X-Requested-With, which other sites cannot send: CSRF)
        status, refused, _ = request(gateway, "POST", "/auth/logout", headers=session_cookie)
        self.assertEqual((status, refused["error"]), (403, "forbidden"), refused)
        status, _, headers = request(gateway, "POST", "/auth/logout",
                                     headers={**session_cookie, "X-Requested-With": "console"})
        self.assertEqual(status, 200)
        self.assertIn("Max-Age=0", headers["Set-Cookie"])
        self.assertEqual(request(gateway, "GET", "/conversations", headers=session_cookie)[0], 401)

        # ---- a session ends by itself after session_hours
        status, body, _ = login(gateway, "ana", ANA_PASSWORD)
        self.assertEqual(status, 200)
        expiring = bearer(body["token"])
        self.assertEqual(request(gateway, "GET", "/auth/me", headers=expiring)[0], 200)
        gateway.shift_clock(3601)
        self.assertEqual(request(gateway, "GET", "/auth/me", headers=expiring)[0], 401)
        gateway.shift_clock(0)

        # ---- lock-out: three wrong passwords; then even the right one gets 429 + Retry-After
        unknown = []
        for attempt in range(3):
            status, body, headers = login(gateway, "ana", "wrong-password")
            unknown.append(login(gateway, "nobody", "wrong-password"))
            if attempt < 2:
                self.assertEqual((status, body["error"]), (401, "invalid_credentials"))
                # an unknown name is answered exactly like a wrong password
                self.assertEqual((unknown[-1][0], unknown[-1][1]), (status, body))
        self.assertEqual(status, 429, body)
        self.assertEqual((unknown[-1][0], unknown[-1][1]["error"]), (429, "locked"))
        status, body, headers = login(gateway, "ana", ANA_PASSWORD)
        self.assertEqual((status, body["error"]), (429, "locked"))
        retry_after = int(headers["Retry-After"])
        self.assertTrue(0 < retry_after <= 60, retry_after)
        gateway.shift_clock(61)  # the lock window (lockout_minutes = 1) has passed
        status, body, _ = login(gateway, "ana", ANA_PASSWORD)
        self.assertEqual(status, 200, body)
        gateway.shift_clock(0)

        # ---- multi-role: sam passes a route for agents and one for QA
        status, body, _ = login(gateway, "sam", SAM_PASSWORD)
        self.assertEqual((status, body["user"]["roles"]), (200, ["agent", "qa"]))
        sam = bearer(body["token"])
        presence = {"presence": "online"}
        self.assertEqual(request(gateway, "PUT", "/agents/me/presence", presence, sam)[0], 200)
        self.assertEqual(request(gateway, "GET", "/service-cases", headers=sam)[0], 200)
        # each single role alone passes only its own
        self.assertEqual(
            request(gateway, "PUT", "/agents/me/presence", presence, bearer(QUINN_TOKEN))[0], 403)
        ana = bearer(login(gateway, "ana", ANA_PASSWORD)[1]["token"])
        self.assertEqual(request(gateway, "GET", "/service-cases", headers=ana)[0], 403)

        # ---- a read-only API token reads but cannot change anything
        status, made, _ = request(gateway, "POST", "/auth/tokens",
                                  {"label": "wallboard", "scopes": ["conversations:read"]}, sam)
        self.assertEqual(status, 201, made)
        read_only = bearer(made["token"])
        self.assertEqual(request(gateway, "GET", "/conversations", headers=read_only)[0], 200)
        status, body, _ = request(gateway, "PUT", "/agents/me/presence", presence, read_only)
        self.assertEqual((status, body["error"]), (403, "forbidden"))
        self.assertIn("scopes", body["message"])
        self.assertEqual(request(gateway, "POST", "/auth/tokens",
                                 {"label": "wider", "scopes": ["messages:write"]}, read_only)[0],
                         403)
        mine = request(gateway, "GET", "/auth/tokens", headers=sam)[1]["tokens"]
        self.assertEqual([(t["label"], t["scopes"]) for t in mine],
                         [("wallboard", ["conversations:read"])])
        self.assertNotIn("token", mine[0])  # shown once, at creation
        status, _, _ = request(gateway, "DELETE", f"/auth/tokens/{made['id']}", headers=sam)
        self.assertEqual(status, 200)
        self.assertEqual(request(gateway, "GET", "/conversations", headers=read_only)[0], 401)

        # ---- an admin resets a password: the old one and the user's sessions stop working
        status, _, _ = request(gateway, "PUT", "/admin/users/ana/password",
                               {"password": "ana-new-password"}, bearer(ADMIN_TOKEN))
        self.assertEqual(status, 200)
        self.assertEqual(request(gateway, "GET", "/auth/me", headers=ana)[0], 401)
        self.assertEqual(login(gateway, "ana", ANA_PASSWORD)[0], 401)
        self.assertEqual(login(gateway, "ana", "ana-new-password")[0], 200)
        self.assertEqual(request(gateway, "GET", "/admin/audit", headers=ana)[0], 401)
        self.assertEqual(request(gateway, "GET", "/admin/audit",
                                 headers=bearer(QUINN_TOKEN))[0], 403)

        # ---- the audit log: each of the above, with the address, and no secret anywhere
        logins = self.audit(gateway, actor="ana", action="auth.login")
        self.assertEqual(len(logins), 5, logins)
        self.assertEqual(logins[0]["remote_addr"], "127.0.0.1")
        self.assertEqual(len(self.audit(gateway, actor="ana", action="auth.logout")), 1)
        self.assertEqual(len(self.audit(gateway, actor="ana", action="auth.login_failed")), 4)
        self.assertEqual(len(self.audit(gateway, actor="nobody", action="auth.login_failed")), 3)
        self.assertEqual(len(self.audit(gateway, actor="ana", action="auth.locked")), 1)
        self.assertEqual(len(self.audit(gateway, actor="ana", action="auth.login_refused")), 1)
        self.assertEqual(len(self.audit(gateway, actor="sam", action="token.create")), 1)
        self.assertEqual(len(self.audit(gateway, actor="sam", action="token.revoke")), 1)
        reset = self.audit(gateway, actor="ada", action="user.password")
        self.assertEqual([(e["object"], e["detail"]["by"]) for e in reset], [("user:ana", "admin")])
        page = gateway.api_ok("GET", "/admin/audit?action=auth.&limit=2", ADMIN_TOKEN)
        self.assertEqual(len(page["entries"]), 2)
        older = self.audit(gateway, action="auth.", before=page["next_before"])
        self.assertTrue(all(e["id"] < page["next_before"] for e in older))
        everything = json.dumps(self.audit(gateway, limit=500)) + gateway.log_text()
        for secret in (ANA_PASSWORD, SAM_PASSWORD, "ana-new-password", "wrong-password",
                       made["token"], ADMIN_TOKEN):
            self.assertNotIn(secret, everything)
        # ---- append-only: the database itself refuses to rewrite it
        db = sqlite3.connect(self.ws.database().path, timeout=10)
        try:
            for statement in ("DELETE FROM audit", "UPDATE audit SET actor = 'eve'"):
                with self.assertRaisesRegex(sqlite3.IntegrityError, "append-only"):
                    db.execute(statement)
        finally:
            db.close()


if __name__ == "__main__":
    harness.main()
