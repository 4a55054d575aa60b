#!/usr/bin/env python3
"""ABI 2.0 host services through the real binary, with the plugin host's probe plugin
(tests/unit/plugin_host/probe/probe_plugin.cpp):

- per-route body limits: the probe's /big route asks for 8 MiB, /sized for the host default
  (1 MiB). A 5 MiB body is accepted on /big and answered 413 on /sized — Content-Length or
  chunked — and an operator's [[plugins]] body_limits lowers a route's limit (a value above the
  plugin's ceiling is clipped, with a warning naming the instance);
- a deferred reply the plugin never gives is answered 503 after the route's respond_timeout_ms,
  and the log names the plugin;
- host_info carries [server] public_base_url (or the instance's own) and the mount path;
- plugin metrics are exported under /metrics with the instance and plugin labels.
"""

import http.client
import os
import unittest

import harness

PROBE_PLUGIN = None  # --probe-plugin: the built probe plugin
MIB = 1024 * 1024


def post_body(port, path, body, chunked=False):
    """(status, body) of a POST; a chunked body is sent in 64 KiB chunks without a length."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        if chunked:
            chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
            conn.request("POST", path, body=chunks, encode_chunked=True,
                         headers={"Content-Type": "application/octet-stream",
                                  "Transfer-Encoding": "chunked"})
        else:
            conn.request("POST", path, body=body,
                         headers={"Content-Type": "application/octet-stream"})
        response = conn.getresponse()
        return response.status, response.read()
    except (BrokenPipeError, ConnectionResetError):
        # The gateway may answer 413 and close while the client is still sending.
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class PluginServicesTest(harness.SharedWorkspaceCase):

    gateway = None
    ws = None

    @classmethod
    def start_workspace(cls):
        config = {
            "server": {"listen": "127.0.0.1:0", "public_base_url": "https://gw.example.test/",
                       "worker_threads": 2},
            "storage": {"data_dir": os.path.join(cls.ws.workdir, "data")},
            "log": {"level": "info"},
            "plugins": [
                {"instance": "probe", "file": PROBE_PLUGIN, "config": {}},
                {"instance": "capped", "file": PROBE_PLUGIN,
                 "public_base_url": "https://capped.example.test",
                 "body_limits": {"/big": 2 * MIB, "/sized": 64 * MIB},
                 "config": {}},
            ],
        }
        cls.gateway = cls.ws.start_gateway(config)

    def log_lines(self, *needles):
        return [line for line in self.gateway.log_text().splitlines()
                if all(n in line for n in needles)]

    def test_a_5_mib_body_is_accepted_where_the_plugin_allows_8_mib(self):
        body = b"x" * (5 * MIB)
        self.assertEqual(post_body(self.gateway.port, "/channels/probe/big", body),
                         (200, b"5242880"))
        self.assertEqual(post_body(self.gateway.port, "/channels/probe/big", body, chunked=True),
                         (200, b"5242880"))

    def test_a_5_mib_body_is_413_on_a_route_with_the_default_limit(self):
        body = b"x" * (5 * MIB)
        for chunked in (False, True):
            status, raw = post_body(self.gateway.port, "/channels/probe/sized", body, chunked)
            self.assertEqual(status, 413, (chunked, raw[:200]))
        # Under the limit it is the plugin's.
        self.assertEqual(post_body(self.gateway.port, "/channels/probe/sized", b"y" * 1000),
                         (200, b"1000"))

    def test_the_operator_lowers_a_route_limit_and_cannot_raise_it_past_the_plugin(self):
        status, _ = post_body(self.gateway.port, "/channels/capped/big", b"x" * (3 * MIB))
        self.assertEqual(status, 413)
        self.assertEqual(post_body(self.gateway.port, "/channels/capped/big", b"x" * MIB),
                         (200, str(MIB).encode()))
        status, _ = post_body(self.gateway.port, "/channels/capped/sized", b"x" * (2 * MIB))
        self.assertEqual(status, 413)
        self.assertTrue(self.log_lines("capped", "body_limits", "/sized", "clipped to 1048576"),
                        "a warning naming the instance and the clipped route")

    def test_a_deferred_reply_never_given_is_503_and_logged_with_the_plugin(self):
        status, _ = harness.http_request("POST", f"{self.gateway.url}/channels/probe/defer-never",
                                         {})
        self.assertEqual(status, 503)
        harness.wait_until(
            lambda: self.log_lines("instance probe (plugin probe)", "answered 503",
                                   "no respond() within 300 ms"),
            10, "a log line naming the plugin and the respond timeout")
        self.assertIsNone(self.gateway.process.poll())

    def test_host_info(self):
        status, raw = harness.http_request("GET", f"{self.gateway.url}/channels/probe/info")
        self.assertEqual(status, 200)
        info = harness.decode_json(raw)
        self.assertEqual(info["instance_name"], "probe")
        self.assertEqual(info["mount_path"], "/channels/probe")
        self.assertEqual(info["public_base_url"], "https://gw.example.test")
        self.assertRegex(info["gateway_version"], r"^\d+\.\d+\.\d+")
        status, raw = harness.http_request("GET", f"{self.gateway.url}/channels/capped/info")
        self.assertEqual(harness.decode_json(raw)["public_base_url"],
                         "https://capped.example.test")

    def test_plugin_metrics_are_exported(self):
        for _ in range(2):
            status, _ = harness.http_request(
                "POST", f"{self.gateway.url}/channels/probe/metric",
                {"counter": 1, "gauge": 4, "hist": 0.2})
            self.assertEqual(status, 200)
        status, raw = harness.http_request("GET", f"{self.gateway.url}/metrics")
        self.assertEqual(status, 200)
        text = raw.decode()
        self.assertIn('omnigate_plugin_probe_requests_total{instance="probe",plugin="probe"} 2',
                      text)
        self.assertIn('omnigate_plugin_probe_level{instance="probe",plugin="probe"} 4', text)
        self.assertIn(
            'omnigate_plugin_probe_latency_seconds_count{instance="probe",plugin="probe"} 2', text)


def main():
    global PROBE_PLUGIN
    PROBE_PLUGIN = harness.take_path_option("--probe-plugin")
    harness.main()


if __name__ == "__main__":
    main()
