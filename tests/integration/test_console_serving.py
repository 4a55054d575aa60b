#!/usr/bin/env python3
"""How the gateway serves the agents' console (docs/console.md), without a browser.

- "/" is the console's page, from the default [server] console_dir beside the binary
  (<build>/share/omnigate/console, where the build copies web/console); its files under
  /console/ with their content types; every answer with the Content-Security-Policy (no inline
  script), X-Content-Type-Options nosniff and Referrer-Policy; index.html itself holds no inline
  script, style or event handler (the policy would block them); web_dir's files still served.
- [server] console_dir elsewhere serves that directory instead.
- CSRF: with the session cookie, a request that changes something needs X-Requested-With
  (403 without it), reads do not, and a bearer token never does.
"""

import os
import re
import urllib.request

import harness

AGENT = "alice"
PASSWORD = "console-serving-password"


def fetch(url, method="GET", body=None, headers=None):
    """(status, body bytes, headers) without raising on an error status."""
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


class ConsoleServingTest(harness.IntegrationCase):

    def start(self, **server):
        users = [{"name": AGENT, "roles": ["agent"], "agent": AGENT, "password": PASSWORD}]
        config = harness.echo_config(self.ws.workdir, [harness.agent(AGENT, {"echo": 1}, 5)], users)
        config["server"].update(server)
        return self.ws.start_gateway(config)

    def test_console_files_and_headers(self):
        gateway = self.start()
        status, page, headers = fetch(gateway.url + "/")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        self.assertIn(b'src="/console/js/app.js"', page)
        csp = headers["Content-Security-Policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(headers["Referrer-Policy"], "no-referrer")

        # The policy allows no inline code: the page must not need any.
        text = page.decode()
        self.assertEqual(re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text), [])
        self.assertEqual(re.findall(r"<style|\sstyle=|\son[a-z]+=", text), [])

        for path, content_type in [("/console/js/app.js", "text/javascript; charset=utf-8"),
                                   ("/console/console.css", "text/css; charset=utf-8"),
                                   ("/console/i18n/zh-CN.json", "application/json")]:
            status, _, headers = fetch(gateway.url + path)
            self.assertEqual((status, headers["Content-Type"]), (200, content_type), path)
            self.assertIn("script-src 'self'", headers["Content-Security-Policy"], path)
        for path in ["/console/../omnigate.toml", "/console/missing.js", "/console/%2e%2e/x"]:
            self.assertEqual(fetch(gateway.url + path)[0], 404, path)
        # The consoles' neighbours in web_dir (the web-chat demo page) are still there.
        self.assertEqual(fetch(gateway.url + "/webchat-demo.html")[0], 200)

    def test_console_dir_from_the_config(self):
        custom = os.path.join(self.ws.workdir, "my-console")
        os.makedirs(custom)
        with open(os.path.join(custom, "index.html"), "w") as f:
            f.write("<h1>a console of our own</h1>")
        gateway = self.start(console_dir=custom)
        status, page, headers = fetch(gateway.url + "/")
        self.assertEqual((status, page), (200, b"<h1>a console of our own</h1>"))
        self.assertIn("Content-Security-Policy", headers)

    def test_cookie_requests_that_change_something_need_x_requested_with(self):
        gateway = self.start()
        status, body, headers = fetch(gateway.url + "/api/v1/auth/login", "POST",
                                      f'{{"name": "{AGENT}", "password": "{PASSWORD}"}}',
                                      {"Content-Type": "application/json"})
        self.assertEqual(status, 200, body)
        token = harness.decode_json(body)["token"]
        cookie = {"Cookie": f"og_session={token}"}
        presence = '{"presence": "away"}'
        json_type = {"Content-Type": "application/json"}
        url = gateway.url + "/api/v1/agents/me/presence"

        status, body, _ = fetch(url, "PUT", presence, {**cookie, **json_type})
        self.assertEqual(status, 403, body)
        self.assertIn(b"X-Requested-With", body)
        status, body, _ = fetch(gateway.url + "/api/v1/stream/ticket", "POST", None, cookie)
        self.assertEqual(status, 403, body)
        # Reads need no header; with it the change goes through; a bearer token needs none.
        self.assertEqual(fetch(gateway.url + "/api/v1/auth/me", headers=cookie)[0], 200)
        csrf = {"X-Requested-With": "omnigate-console"}
        self.assertEqual(fetch(url, "PUT", presence, {**cookie, **json_type, **csrf})[0], 200)
        self.assertEqual(fetch(gateway.url + "/api/v1/stream/ticket", "POST", None,
                               {**cookie, **csrf})[0], 201)
        bearer = {"Authorization": f"Bearer {token}"}
        self.assertEqual(fetch(url, "PUT", '{"presence": "online"}', {**bearer, **json_type})[0],
                         200)


if __name__ == "__main__":
    harness.main()
