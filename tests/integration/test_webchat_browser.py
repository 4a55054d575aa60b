#!/usr/bin/env python3
"""Check 1 of the web-chat issue: the widget in a real browser, on a page of another origin.

The real gateway with the real webchat plugin (allowed_origins = the test page's origin) and two
small HTTP servers of our own on 127.0.0.1: the test page (allowed) and the same page on a
second port (another origin, not allowed). tests/browser/webchat_visitor.cjs then drives Debian's
chromium through playwright-core: pre-chat form, messages, an agent replying through the REST
API, a reload mid-conversation (full history, in order, each message once), a second tab, a
screenshot (an artifact in --artifact-dir), and the wrong-origin page failing to connect. Here
the transcript in the store is checked to hold each visitor message exactly once, in order.

chromium, node and the npm package (`npm ci` into --node-modules by the build) are required: a
missing one fails the test, it is never skipped (scripts/install-deps.sh installs them).
"""

import html
import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import harness
from browser_tools import CHROMIUM, require_browser_tools

NODE_MODULES = harness.take_path_option("--node-modules")
ARTIFACT_DIR = harness.take_path_option("--artifact-dir")
DRIVER = os.path.join(harness.REPO, "tests", "browser", "webchat_visitor.cjs")
INSTANCE = "webchat"
AGENT = "alice"
AGENT_TOKEN = "alice-token-webchat-browser"
SUPERVISOR_TOKEN = "supervisor-token-webchat-browser"
DRIVER_TIMEOUT_S = 180

# Host-page CSS that would hide and restyle the widget if it leaked into it (the Shadow DOM
# keeps it out: the test clicks the launcher button through it).
HOSTILE_CSS = "button, input, textarea { display: none !important; } p { color: red !important; }"


class TestPages:
    """The embedding page on 127.0.0.1:<port>; its HTML names the gateway, known only after the
    gateway started (which needs this origin for its allow-list first)."""

    def __init__(self):
        self.gateway_url = None
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != "/":
                    self.send_error(404)
                    return
                body = pages.page_html().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_):
                pass

        self.servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(2)]
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @property
    def allowed_origin(self):
        return f"http://127.0.0.1:{self.servers[0].server_address[1]}"

    @property
    def wrong_origin(self):
        return f"http://127.0.0.1:{self.servers[1].server_address[1]}"

    def page_html(self):
        config = {"gateway": self.gateway_url, "instance": INSTANCE, "title": "Help",
                  "colour": "#0b5fff", "greeting": "Hi! How can we help?", "language": "en",
                  "topics": [{"id": "orders", "label": "Orders"},
                             {"id": "billing", "label": "Billing"}]}
        src = f"{self.gateway_url}/channels/{INSTANCE}/widget.js"
        return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                "<title>omnigate widget test page</title>"
                f"<style>{HOSTILE_CSS}</style></head><body><h1>A shop</h1>"
                f"<script>window.OmnigateChat = {json.dumps(config)};</script>"
                f"<script src='{html.escape(src)}' async></script></body></html>")

    def close(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()


class WebchatBrowserTest(harness.IntegrationCase):

    def start_gateway(self, pages):
        plugin = os.path.join(harness.Settings.plugin_dir, "libog_webchat.so")
        self.assertTrue(os.path.isfile(plugin), f"{plugin} is not built")
        config = {
            "server": {"listen": "127.0.0.1:0", "public_base_url": "http://127.0.0.1",
                       "worker_threads": 2},
            "storage": {"data_dir": os.path.join(self.ws.workdir, "data")},
            "log": {"level": "info"},
            "plugins": [{"instance": INSTANCE, "file": plugin,
                         "config": {"allowed_origins": [pages.allowed_origin],
                                    "secret": "webchat-browser-test-secret",
                                    "topics": [{"id": "orders", "label": "Orders",
                                                "skill": "orders"}]}}],
            # Routing asks for the channel kind's skill plus the skill of the topic chosen in the
            # pre-chat form.
            "agents": [{"id": AGENT, "display_name": "Alice", "team": "support",
                        "skills": {"webchat": 3, "orders": 3}, "capacity": {"webchat": 5},
                        "presence": "online"}],
            "users": [harness.user(AGENT, "agent", AGENT_TOKEN, AGENT),
                      harness.user("sam", "supervisor", SUPERVISOR_TOKEN)],
        }
        return self.ws.start_gateway(config)

    def run_driver(self, node, pages, gateway):
        shutil.rmtree(ARTIFACT_DIR, ignore_errors=True)  # no screenshot of an earlier run
        os.makedirs(ARTIFACT_DIR)
        command = [node, DRIVER, "--modules", NODE_MODULES, "--chromium", CHROMIUM,
                   "--page", pages.allowed_origin + "/", "--wrong-origin-page",
                   pages.wrong_origin + "/", "--gateway", gateway.url, "--instance", INSTANCE,
                   "--agent-token", AGENT_TOKEN, "--supervisor-token", SUPERVISOR_TOKEN,
                   "--agent", AGENT, "--out-dir", ARTIFACT_DIR]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=DRIVER_TIMEOUT_S)
        except subprocess.TimeoutExpired as e:
            sys.stderr.write(e.stderr.decode() if isinstance(e.stderr, bytes) else e.stderr or "")
            raise AssertionError(f"the browser driver did not finish in {DRIVER_TIMEOUT_S} s")
        sys.stderr.write(run.stderr)
        results = [line[len("RESULT "):] for line in run.stdout.splitlines()
                   if line.startswith("RESULT ")]
        self.assertEqual(run.returncode, 0, f"the browser driver failed (artifacts in "
                                            f"{ARTIFACT_DIR}); stdout:\n{run.stdout}")
        self.assertEqual(len(results), 1, f"no RESULT line from the driver:\n{run.stdout}")
        return json.loads(results[0])

    def test_visitor_chats_reloads_and_sees_everything_once(self):
        node = require_browser_tools(NODE_MODULES)
        pages = TestPages()
        self.addCleanup(pages.close)
        gateway = self.start_gateway(pages)
        pages.gateway_url = gateway.url

        result = self.run_driver(node, pages, gateway)
        screenshot = result["visitor"]["screenshot"]
        with open(screenshot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", f"{screenshot} is not a PNG")
        print(f"screenshot: {screenshot}")
        print(f"wrong-origin screenshot: {result['wrong_origin']['screenshot']}")

        # What the widget showed is what the store holds: each message once, in order.
        transcript = gateway.transcript(SUPERVISOR_TOKEN, result["visitor"]["conversation_id"])
        stored = [("visitor" if e["message"]["direction"] == "in" else "agent") + ": " +
                  e["message"]["body_text"] for e in transcript if e["type"] == "message"]
        self.assertEqual(stored, result["visitor"]["expected"])
        self.assertEqual(gateway.stop(), 0, "graceful stop after SIGTERM")


if __name__ == "__main__":
    harness.main()
