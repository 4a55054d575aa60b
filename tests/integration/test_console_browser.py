#!/usr/bin/env python3
"""The agents' console in a real browser (issue 18, "Agent console"; docs/console.md).

The real gateway serving the console from its default place beside the binary
(<build>/share/omnigate/console), the real SMS plugin and the Twilio stand-in. An agent with a
password; one SMS arrives before they log in, a second while the page is open.
tests/browser/console_agent.cjs drives Debian's chromium through playwright-core (login, the
queue, reply, resolve, Chinese, phone width; screenshots in --artifact-dir) and asks this test
for the second SMS on its stdout. Here: the stand-in provider received the reply, on the
conversation's own number, exactly once; the conversation is resolved in the store, with the
priority the agent set; the customer merge a supervisor made in the browser and undid left every
conversation and customer as it was (tiers included).

A third SMS comes from the first customer under another number, both records named alike (same
name and company, which the gateway suggests as duplicates) with differing tier and attributes,
so the merge dialog has conflicts to show. The driver also writes an internal note, picks a
canned response this test creates, and saves the agent's time zone with the user.

chromium, node and the npm package (`npm ci` into --node-modules by the build) are required: a
missing one fails the test, it is never skipped (scripts/install-deps.sh installs them).
"""

import os
import shutil

import harness
from browser_tools import CHROMIUM, require_browser_tools, run_driver

NODE_MODULES = harness.take_path_option("--node-modules")
ARTIFACT_DIR = harness.take_path_option("--artifact-dir")
DRIVER = os.path.join(harness.REPO, "tests", "browser", "console_agent.cjs")
AGENT = "alice"
PASSWORD = "console-browser-test-password"
SUPERVISOR = "sam"
SUPERVISOR_PASSWORD = "console-browser-supervisor-password"
SUPERVISOR_TOKEN = "supervisor-token-console-browser"
ADMIN_TOKEN = "admin-token-console-browser"
DRIVER_TIMEOUT_S = 180
FIRST = ("+14155550101", "Where is my order 4711?")
SECOND = ("+14155550102", "Can I change my delivery address?")
THIRD = ("+14155550103", "This is Ann again, from my office phone.")
CUSTOMER_NAME = "Ann Lee"
CANNED = {"shortcut": "ship", "title": "Shipping today",
          "body": "Hello {{customer.name}}, this is {{agent.name}}: your order ships today."}
REPLY = "Your order 4711 ships today."


class ConsoleBrowserTest(harness.IntegrationCase):

    def start_system(self):
        standin = self.ws.start_standin()
        agent = harness.agent(AGENT, {"sms": 3}, 5)
        users = [{"name": AGENT, "roles": ["agent"], "agent": AGENT, "password": PASSWORD},
                 {**harness.user(SUPERVISOR, "supervisor", SUPERVISOR_TOKEN),
                  "password": SUPERVISOR_PASSWORD},
                 harness.user("ada", "admin", ADMIN_TOKEN)]
        gateway = self.ws.start_gateway(self.ws.sms_config(standin, [agent], users))
        standin.deliver_callbacks_to(gateway.url)
        return standin, gateway

    def send_sms(self, gateway, sender, text):
        status, body = gateway.send_sms(harness.inbound_params(sender, text))
        self.assertEqual(status, 200, body)

    def customer_of(self, gateway, address):
        by_address = {c["customer_address"]: c for c in gateway.conversations(SUPERVISOR_TOKEN)}
        return by_address[address]

    def prepare_duplicates(self, gateway):
        """The first and third customer: the same name and company (a suggested duplicate),
        different tiers and attributes (the merge's conflicts). Returns their customer ids."""
        first = self.customer_of(gateway, FIRST[0])["customer_id"]
        third = self.customer_of(gateway, THIRD[0])["customer_id"]
        gateway.api_ok("PATCH", f"/customers/{first}", SUPERVISOR_TOKEN, {
            "display_name": CUSTOMER_NAME, "attributes": {"company": "Acme", "plan": "basic"}})
        gateway.api_ok("PATCH", f"/customers/{third}", SUPERVISOR_TOKEN, {
            "display_name": CUSTOMER_NAME, "attributes": {"company": "Acme"}, "tier": "A"})
        return first, third

    def create_canned_response(self, gateway):
        status, body = gateway.api("POST", "/canned-responses", SUPERVISOR_TOKEN, CANNED)
        self.assertEqual(status, 201, body)

    def run_driver(self, node, gateway, first_conversation):
        shutil.rmtree(ARTIFACT_DIR, ignore_errors=True)  # no screenshot of an earlier run
        os.makedirs(ARTIFACT_DIR)
        command = [node, DRIVER, "--modules", NODE_MODULES, "--chromium", CHROMIUM,
                   "--gateway", gateway.url, "--user", AGENT, "--password", PASSWORD,
                   "--first-customer", FIRST[0],
                   "--first-text", FIRST[1], "--second-text", SECOND[1], "--reply-text", REPLY,
                   "--third-text", THIRD[1], "--customer-name", CUSTOMER_NAME,
                   "--first-conversation", str(first_conversation),
                   "--supervisor", SUPERVISOR, "--supervisor-password", SUPERVISOR_PASSWORD,
                   "--out-dir", ARTIFACT_DIR]
        return run_driver(command, ARTIFACT_DIR, DRIVER_TIMEOUT_S,
                          {"second-sms": lambda: self.send_sms(gateway, *SECOND)})

    def test_agent_logs_in_replies_by_sms_and_sees_the_queue_live(self):
        node = require_browser_tools(NODE_MODULES)
        standin, gateway = self.start_system()
        self.send_sms(gateway, *FIRST)
        self.send_sms(gateway, *THIRD)
        first_customer, third_customer = self.prepare_duplicates(gateway)
        self.create_canned_response(gateway)
        first_conversation = self.customer_of(gateway, FIRST[0])["id"]

        result = self.run_driver(node, gateway, first_conversation)
        for name, screenshot in result["screenshots"].items():
            with open(screenshot, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", f"{name}: {screenshot}")
            print(f"screenshot {name}: {screenshot}")

        # The reply left through the conversation's own channel: the provider got it once.
        def reply_sent():
            forms = [dict(m["form"]) for m in standin.messages()]
            return forms if any(f.get("Body") == REPLY for f in forms) else None
        forms = harness.wait_until(reply_sent, 20, "the reply at the SMS provider")
        self.assertEqual([(f["To"], f["From"]) for f in forms if f.get("Body") == REPLY],
                         [(FIRST[0], harness.OUR_NUMBER)])
        by_address = {c["customer_address"]: c for c in gateway.conversations(SUPERVISOR_TOKEN)}
        self.assertEqual(by_address[FIRST[0]]["status"], "resolved")
        self.assertEqual(by_address[FIRST[0]]["priority"], 2, "the priority set in the header")
        # The merge was undone: each conversation with its own customer, both records live,
        # each with its own tier again.
        self.assertEqual(by_address[FIRST[0]]["customer_id"], first_customer)
        self.assertEqual(by_address[THIRD[0]]["customer_id"], third_customer)
        for customer, tier in ((first_customer, "C"), (third_customer, "A")):
            record = gateway.api_ok("GET", f"/customers/{customer}", SUPERVISOR_TOKEN)
            self.assertIsNone(record.get("merged_into"), record)
            self.assertEqual(record["tier"], tier, record)
        audit = gateway.api_ok("GET", "/admin/audit?action=customer.&limit=500", ADMIN_TOKEN)["entries"]
        merges = [(row["action"], row["actor"]) for row in reversed(audit)
                  if row["action"] in ("customer.merge", "customer.merge_undo")]
        self.assertEqual(merges, [("customer.merge", SUPERVISOR), ("customer.merge_undo", SUPERVISOR)])
        self.assertEqual(by_address[SECOND[0]]["assigned_agent"], AGENT)
        self.assertEqual(gateway.stop(), 0, "graceful stop after SIGTERM")


if __name__ == "__main__":
    harness.main()
