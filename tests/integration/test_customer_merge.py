#!/usr/bin/env python3
"""Customers: one person, one record, through the real gateway and SMS plugin.

A sender who wrote as "(415) 555-0100" before any phone region was configured is an unverified
customer of their own beside "+14155550100". Once [customers] default_region = "US" is set,
the restarted gateway reads the stored number again and the national spelling reaches the
international customer, but the two existing records are only suggested as duplicates. A
supervisor previews the merge (the conflicting name), merges keeping the other record's name,
every conversation moves to the survivor with a "customer.merged" event, and undo puts every
conversation, identity and field back. A merge whose window (merge_undo_hours) has passed on
the gateway's clock cannot be undone.
"""

import harness

ADMIN = "admin-token-merge"
SUPERVISOR = "supervisor-token-merge"
AGENT = "agent-token-merge"
NATIONAL = "(415) 555-0100"
INTERNATIONAL = "+14155550100"


class CustomerMergeTest(harness.IntegrationCase):

    def config(self, standin, **customers):
        config = self.ws.sms_config(standin, [harness.agent("al", {"sms": 3}, 5)], [
            harness.user("root", "admin", ADMIN),
            harness.user("sam", "supervisor", SUPERVISOR),
            harness.user("al", "agent", AGENT, "al"),
        ])
        if customers:
            config["customers"] = customers
        return config

    def inbound(self, gateway, sender, sid):
        status, body = gateway.send_sms(harness.inbound_params(sender, "hello", message_sid=sid))
        self.assertEqual(status, 200, body)

    def conversation_of(self, gateway, sid):
        """The conversation the message with this MessageSid was stored in."""
        db = self.ws.database()
        return harness.wait_until(
            lambda: db.query("SELECT conversation_id FROM messages WHERE provider_message_id = ?",
                             (sid,)), 10, f"message {sid} stored")[0][0]

    def customer_of(self, gateway, conversation_id):
        return gateway.api_ok("GET", f"/conversations/{conversation_id}",
                              ADMIN)["conversation"]["customer_id"]

    def event_kinds(self, gateway, conversation_id):
        return [e["event"]["kind"] for e in gateway.transcript(ADMIN, conversation_id)
                if e.get("event") and e["event"]["kind"].startswith("customer.merge")]

    def test_merge_and_undo(self):
        standin = self.ws.start_standin()
        before = self.ws.start_gateway(self.config(standin), name="before")
        self.inbound(before, NATIONAL, "SM" + "1" * 32)
        self.inbound(before, INTERNATIONAL, "SM" + "2" * 32)
        unverified_conv = self.conversation_of(before, "SM" + "1" * 32)
        phone_conv = self.conversation_of(before, "SM" + "2" * 32)
        unverified = self.customer_of(before, unverified_conv)
        phone = self.customer_of(before, phone_conv)
        self.assertNotEqual(unverified, phone)
        before.stop()

        gateway = self.ws.start_gateway(
            self.config(standin, default_region="US", merge_undo_hours=1), faketime=True)
        # The national spelling now reaches the international customer...
        self.inbound(gateway, NATIONAL, "SM" + "3" * 32)
        self.inbound(gateway, NATIONAL, "SM" + "4" * 32)
        for sid in ("SM" + "3" * 32, "SM" + "4" * 32):
            self.assertEqual(self.customer_of(gateway, self.conversation_of(gateway, sid)), phone)
        # ...and the two records are a suggestion, never merged by themselves.
        duplicates = gateway.api_ok("GET", "/customers/duplicates", AGENT)["duplicates"]
        self.assertIn({"customer_id": min(unverified, phone), "other_id": max(unverified, phone),
                       "reason": "phone", "value": INTERNATIONAL}, duplicates)
        self.assertEqual(self.customer_of(gateway, unverified_conv), unverified)

        gateway.api_ok("PATCH", f"/customers/{unverified}", SUPERVISOR,
                       {"display_name": "Ann Lee"})
        request = {"survivor_id": phone, "merged_id": unverified}
        status, refused = gateway.api("POST", "/customers/merge", AGENT, request)
        self.assertEqual(status, 403, refused)
        preview = gateway.api_ok("POST", "/customers/merge", SUPERVISOR,
                                 {**request, "dry_run": True})
        conflicts = {c["field"]: c for c in preview["conflicts"]}
        self.assertEqual(conflicts["display_name"]["merged"], "Ann Lee")
        self.assertEqual(preview["conversations_moved"], [unverified_conv])
        self.assertEqual(self.customer_of(gateway, unverified_conv), unverified)  # nothing moved

        merged = gateway.api_ok("POST", "/customers/merge", SUPERVISOR,
                                {**request, "take": {"display_name": "merged"}})
        merge_id = merged["merge"]["id"]
        self.assertEqual(merged["survivor"]["display_name"], "Ann Lee")
        self.assertEqual(self.customer_of(gateway, unverified_conv), phone)
        self.assertEqual(self.event_kinds(gateway, unverified_conv), ["customer.merged"])
        survivor = gateway.api_ok("GET", f"/customers/{phone}", ADMIN)
        self.assertEqual({i["kind"] for i in survivor["identities"]}, {"phone", "unverified"})
        self.assertEqual(gateway.api_ok("GET", f"/customers/{unverified}", ADMIN)["merged_into"],
                         phone)
        self.assertEqual(gateway.api_ok("GET", "/customers/duplicates", AGENT)["duplicates"], [])

        undone = gateway.api_ok("POST", f"/customers/merges/{merge_id}/undo", SUPERVISOR)
        self.assertIsNotNone(undone["merge"]["undone_at"])
        self.assertEqual(self.customer_of(gateway, unverified_conv), unverified)
        self.assertEqual(self.customer_of(gateway, phone_conv), phone)
        survivor = gateway.api_ok("GET", f"/customers/{phone}", ADMIN)
        self.assertEqual(survivor["display_name"], INTERNATIONAL)
        self.assertEqual([i["kind"] for i in survivor["identities"]], ["phone"])
        self.assertIsNone(gateway.api_ok("GET", f"/customers/{unverified}", ADMIN)["merged_into"])
        self.assertEqual(self.event_kinds(gateway, unverified_conv),
                         ["customer.merged", "customer.merge_undone"])
        status, again = gateway.api("POST", f"/customers/merges/{merge_id}/undo", SUPERVISOR)
        self.assertEqual((status, again["error"]), (409, "conflict"), again)

        # Past the window (1 hour on the gateway's clock) a merge stays.
        late = gateway.api_ok("POST", "/customers/merge", SUPERVISOR, request)["merge"]["id"]
        gateway.shift_clock(2 * 3600)
        status, refused = gateway.api("POST", f"/customers/merges/{late}/undo", SUPERVISOR)
        self.assertEqual(status, 409, refused)
        self.assertIn("undo window", refused["message"])
        self.assertEqual(self.customer_of(gateway, unverified_conv), phone)

        db = self.ws.database()
        self.assertEqual(
            db.query("SELECT actor, action FROM audit WHERE action LIKE 'customer.merge%' "
                     "ORDER BY id"),
            [("sam", "customer.merge"), ("sam", "customer.merge_undo"), ("sam", "customer.merge")])


if __name__ == "__main__":
    harness.main()
