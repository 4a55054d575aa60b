#!/usr/bin/env python3
"""Failed logins counted per client address (docs/api.md "Authentication", [auth]
address_failures / address_window_minutes).

One address tries a different name each time, so no name reaches the per-name lock-out
(lockout_failures); after address_failures failures that address is refused with 429
"throttled" and Retry-After, even for a right name and password, and the refusal is audited
with the address. Once the window has passed (the gateway's clock shifted) the right password
works again.
"""

import json
import urllib.error
import urllib.request

import harness

ADMIN_TOKEN = "throttle-admin-token-0123456789ab"
ANA_PASSWORD = "ana-secret-password"


def login(gateway, name, password):
    """(status, parsed body, headers) of POST /api/v1/auth/login."""
    req = urllib.request.Request(f"{gateway.url}/api/v1/auth/login",
                                 data=json.dumps({"name": name, "password": password}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return response.status, harness.decode_json(response.read()), response.headers
    except urllib.error.HTTPError as e:
        return e.code, harness.decode_json(e.read()), e.headers


class LoginThrottleTest(harness.IntegrationCase):

    def test_one_address_trying_many_names_is_throttled(self):
        config = harness.echo_config(
            self.ws.workdir,
            auth={"lockout_failures": 5, "address_failures": 4, "address_window_minutes": 2},
            users=[harness.user("ada", "admin", ADMIN_TOKEN),
                   {"name": "ana", "role": "qa", "password": ANA_PASSWORD}])
        gateway = self.ws.start_gateway(config, faketime=True)

        for n in range(4):
            status, body, _ = login(gateway, f"guess-{n}", "wrong-password")
            self.assertEqual((status, body["error"]), (401, "invalid_credentials"))
        status, body, headers = login(gateway, "ana", ANA_PASSWORD)
        self.assertEqual((status, body["error"]), (429, "throttled"), body)
        retry_after = int(headers["Retry-After"])
        self.assertTrue(0 < retry_after <= 120, retry_after)

        # The audit row is written on the store's writer thread, maybe just after the answer.
        refused = harness.wait_until(
            lambda: gateway.api_ok("GET", "/admin/audit?action=auth.login_refused&actor=ana",
                                   ADMIN_TOKEN)["entries"], 5, "the refusal's audit row")
        self.assertEqual(len(refused), 1, refused)
        self.assertEqual(refused[0]["detail"], {"reason": "address"})
        self.assertEqual(refused[0]["remote_addr"], "127.0.0.1")

        gateway.shift_clock(121)  # every counted failure has left the 2-minute window
        status, body, _ = login(gateway, "ana", ANA_PASSWORD)
        self.assertEqual(status, 200, body)


if __name__ == "__main__":
    harness.main()
