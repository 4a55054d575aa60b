#!/usr/bin/env python3
"""Tiers from customer value through the real binary, with a shifted clock (libfaketime).

[customers.valuation] grades every customer from four attributes (the handbooks' purchase
amount, purchase frequency, satisfaction and potential) each quarter:
- at its first start the gateway runs the quarter's recomputation (no run yet this quarter);
- an admin runs one now over the API: one customer rises to S, one to B, and one whose tier a
  person set keeps it (counted as kept); each change is in the customer's tier history with
  its score and factors, and the open conversation gets a customer.tier_changed event with the
  reason; supervisors may read the history but not start a run;
- a restart within the quarter runs nothing; the clock moved into the next quarter runs it once
  by itself, and a customer whose satisfaction fell moves down;
- `omnigate customers revalue` does the same with the gateway stopped.
"""

import json
import subprocess
import time
from datetime import datetime, timezone

import harness

ADMIN_TOKEN = "ada-token-valuation-0123456789abcdef"
SUPERVISOR_TOKEN = "sam-token-valuation-0123456789abcdef"

HIGH = {"purchase_amount": 900000, "purchase_frequency": 30, "satisfaction": 5, "potential": 9}
MEDIUM = {"purchase_amount": 300000, "purchase_frequency": 12, "satisfaction": 4, "potential": 2}
LOW = {"purchase_amount": 300000, "purchase_frequency": 2, "satisfaction": 1, "potential": 0}


def quarter_start(ms):
    day = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return int(datetime(day.year, (day.month - 1) // 3 * 3 + 1, 1,
                        tzinfo=timezone.utc).timestamp() * 1000)


def next_quarter_start(ms):
    day = datetime.fromtimestamp(ms / 1000, timezone.utc)
    month = (day.month - 1) // 3 * 3 + 4
    year = day.year + (month > 12)
    month = month - 12 if month > 12 else month
    return int(datetime(year, month, 1, tzinfo=timezone.utc).timestamp() * 1000)


class TierValuationTest(harness.IntegrationCase):

    def config(self):
        return harness.echo_config(
            self.ws.workdir,
            customers={"valuation": {
                "schedule": "quarterly",
                "factors": [
                    {"attribute": "purchase_amount", "weight": 40, "full_at": 1000000},
                    {"attribute": "purchase_frequency", "weight": 25, "full_at": 24},
                    {"attribute": "satisfaction", "weight": 20, "full_at": 5},
                    {"attribute": "potential", "weight": 15, "full_at": 10},
                ],
                "tier_from": {"S": 85, "A": 70, "B": 40},
            }},
            users=[harness.user("ada", "admin", ADMIN_TOKEN),
                   harness.user("sam", "supervisor", SUPERVISOR_TOKEN)])

    def write_from(self, gateway, sender):
        status, _ = harness.post_echo(gateway, sender, f"m-{sender}", "Hello")
        self.assertEqual(status, 200)
        conversation = harness.wait_until(
            lambda: [c for c in gateway.conversations(SUPERVISOR_TOKEN)
                     if c["customer_address"] == sender], 20, f"{sender}'s conversation")[0]
        return conversation["customer_id"], conversation["id"]

    def customer(self, gateway, customer_id):
        return gateway.api_ok("GET", f"/customers/{customer_id}", SUPERVISOR_TOKEN)

    def history(self, gateway, customer_id):
        return gateway.api_ok("GET", f"/customers/{customer_id}/tier-history",
                              SUPERVISOR_TOKEN)["tier_changes"]

    def last_run(self, gateway):
        return gateway.api_ok("GET", "/admin/customers/valuation", SUPERVISOR_TOKEN)["last_run"]

    def test_a_quarter_of_valuations(self):
        db = self.ws.database()
        gateway = self.ws.start_gateway(self.config(), faketime=True)
        # First start: this quarter has no run yet, so the schedule runs one (no customers yet).
        first = harness.wait_until(lambda: self.last_run(gateway), 20, "the scheduled run")
        self.assertEqual((first["trigger"], first["valued"]), ("schedule", 0))

        rich, rich_conversation = self.write_from(gateway, "rich")
        medium, _ = self.write_from(gateway, "medium")
        pinned, _ = self.write_from(gateway, "pinned")
        for customer_id, attributes in ((rich, HIGH), (medium, MEDIUM), (pinned, HIGH)):
            gateway.api_ok("PATCH", f"/customers/{customer_id}", ADMIN_TOKEN,
                           {"attributes": attributes})
        gateway.api_ok("PATCH", f"/customers/{pinned}", ADMIN_TOKEN, {"tier": "C"})

        status, _ = gateway.api("POST", "/admin/customers/valuation", SUPERVISOR_TOKEN, {})
        self.assertEqual(status, 403)
        answer = gateway.api_ok("POST", "/admin/customers/valuation", ADMIN_TOKEN, {})
        self.assertEqual((answer["run"]["trigger"], answer["run"]["actor"]), ("api", "user:ada"))
        self.assertEqual((answer["run"]["valued"], answer["run"]["changed"],
                          answer["run"]["kept_manual"]), (3, 2, 1))
        self.assertEqual(sorted((c["customer_id"], c["old_tier"], c["new_tier"])
                                for c in answer["changes"]),
                         sorted([(rich, "C", "S"), (medium, "C", "B")]))
        self.assertEqual(self.customer(gateway, rich)["tier"], "S")
        self.assertEqual(self.customer(gateway, rich)["tier_source"], "valuation")
        self.assertEqual(self.customer(gateway, pinned)["tier"], "C")
        self.assertEqual(self.customer(gateway, pinned)["tier_source"], "manual")

        [change] = self.history(gateway, rich)
        self.assertEqual((change["old_tier"], change["new_tier"], change["source"],
                          change["actor"]), ("C", "S", "valuation", "user:ada"))
        # 40*0.9 + 25*1 + 20*1 + 15*0.9 = 94.5
        self.assertEqual(change["reason"]["score"], 94.5)
        self.assertEqual([f["attribute"] for f in change["reason"]["factors"]],
                         ["purchase_amount", "purchase_frequency", "satisfaction", "potential"])
        # The person pinned the tier it had (C): nothing changed it, so its history is empty.
        self.assertEqual(self.history(gateway, pinned), [])
        events = [e["event"] for e in gateway.transcript(SUPERVISOR_TOKEN, rich_conversation)
                  if e["type"] == "event" and e["event"]["kind"] == "customer.tier_changed"]
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0]["data"]["new_tier"], "S")
        self.assertEqual(events[0]["data"]["reason"]["score"], 94.5)

        # A restart within the quarter runs nothing by itself.
        gateway.stop()
        gateway.start()
        time.sleep(2.5)  # the schedule looks every second
        self.assertEqual(db.scalar("SELECT count(*) FROM valuation_runs"), 2)

        # The medium customer's satisfaction falls; nothing changes until the next quarter.
        gateway.api_ok("PATCH", f"/customers/{medium}", ADMIN_TOKEN, {"attributes": LOW})
        self.assertEqual(self.customer(gateway, medium)["tier"], "B")
        now = int(time.time() * 1000)
        gateway.shift_clock((next_quarter_start(now) - now) // 1000 + 3600)
        run = harness.wait_until(
            lambda: (r := self.last_run(gateway)) and r["started_at"] >= next_quarter_start(now)
            and r, 20, "the next quarter's scheduled run")
        self.assertEqual((run["trigger"], run["valued"], run["changed"]), ("schedule", 3, 1))
        self.assertEqual(quarter_start(run["started_at"]), next_quarter_start(now))
        self.assertEqual(self.customer(gateway, medium)["tier"], "C")
        self.assertEqual([(c["old_tier"], c["new_tier"], c["actor"])
                          for c in self.history(gateway, medium)],
                         [("C", "B", "user:ada"), ("B", "C", "valuation")])
        time.sleep(2.5)
        self.assertEqual(db.scalar("SELECT count(*) FROM valuation_runs"), 3, "once a quarter")

    def test_the_cli_revalues_with_the_gateway_stopped(self):
        gateway = self.ws.start_gateway(self.config())
        rich, _ = self.write_from(gateway, "rich")
        gateway.api_ok("PATCH", f"/customers/{rich}", ADMIN_TOKEN, {"attributes": HIGH})
        harness.wait_until(lambda: self.last_run(gateway), 20, "the scheduled run")
        gateway.stop()
        cli = subprocess.run([harness.Settings.omnigate, "customers", "revalue", "--config",
                              gateway.config_path], capture_output=True, text=True, timeout=60)
        self.assertEqual(cli.returncode, 0, cli.stderr)
        printed = json.loads(cli.stdout)
        self.assertEqual((printed["valued"], printed["changed"]), (1, 1))
        self.assertEqual(printed["changes"], [{"customer_id": rich, "old_tier": "C",
                                               "new_tier": "S"}])
        gateway.start()
        [change] = self.history(gateway, rich)
        self.assertEqual((change["new_tier"], change["source"], change["actor"]),
                         ("S", "valuation", "cli"))

        cli = subprocess.run([harness.Settings.omnigate, "customers", "revalue", "--config",
                              gateway.config_path, "extra"], capture_output=True, text=True,
                             timeout=60)
        self.assertEqual(cli.returncode, 2, cli.stderr)


if __name__ == "__main__":
    harness.main()
