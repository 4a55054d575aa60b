#!/usr/bin/env python3
"""Plugin config schemas are enforced: an instance whose [plugins.config] breaks its plugin's
JSON Schema does not start, and the log names the instance and the key.

One gateway with a valid SMS instance and a valid echo instance beside instances whose configs
break their plugins' schemas (an unknown key, a string where an integer belongs, a bad value in
an array of tables). The broken ones mount no routes; the log says which key and what was
expected; the valid ones serve. `omnigate plugins list` reports the same problems before start.
"""

import copy
import json
import subprocess

import harness

ALICE = "+14155550123"


class ConfigSchemaTest(harness.IntegrationCase):

    def setUp(self):
        super().setUp()
        standin = self.ws.start_standin()
        self.config = self.ws.sms_config(
            standin, agents=[harness.agent("alice", {"sms": 3}, 10)])
        sms = self.config["plugins"][0]

        def sms_instance(name, **changes):
            entry = copy.deepcopy(sms)
            entry["instance"] = name
            entry["config"].update(changes)
            return entry

        self.config["plugins"] += [
            sms_instance("sms_bogus", bogus_key=1),
            sms_instance("sms_ten", reconcile_after_ms="ten"),
            sms_instance("sms_skills", skills=[{"skill": "sms", "min_level": 9}]),
            {"instance": "echo_bogus", "file": harness.echo_plugin_path(), "config": {"bogus_key": 1}},
            {"instance": "echo", "file": harness.echo_plugin_path(), "config": {}},
        ]
        self.gateway = self.ws.start_gateway(self.config)

    def log(self):
        with open(self.gateway.stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def messages(self):
        """The msg of every JSON log line."""
        out = []
        for line in self.log().splitlines():
            try:
                out.append(json.loads(line)["msg"])
            except (ValueError, KeyError, TypeError):
                pass
        return out

    def line_about(self, instance):
        lines = [m for m in self.messages() if m.startswith(f"instance {instance}:")]
        self.assertTrue(lines, f"the log says nothing about instance {instance}")
        return "\n".join(lines)

    def test_broken_configs_do_not_start_and_the_log_names_the_key(self):
        for instance in ("sms_bogus", "sms_ten", "sms_skills"):
            status, _ = harness.http_request(
                "POST", f"{self.gateway.url}/channels/{instance}/sms", b"From=x")
            self.assertEqual(status, 404, f"instance {instance} must not mount its routes")
        status, _ = harness.http_request(
            "POST", f"{self.gateway.url}/channels/echo_bogus/messages", b"hi",
            {"X-Echo-From": "visitor-1"})
        self.assertEqual(status, 404, "instance echo_bogus must not mount its routes")

        self.assertIn('config key "bogus_key" is not allowed by the plugin\'s schema',
                      self.line_about("sms_bogus"))
        self.assertIn('config key "bogus_key" is not allowed by the plugin\'s schema',
                      self.line_about("echo_bogus"))
        ten = self.line_about("sms_ten")
        self.assertIn('config key "reconcile_after_ms": expected integer', ten)
        self.assertIn('got "ten"', ten)
        self.assertIn('config key "skills[0].min_level": expected integer >= 1 and <= 5, got 9',
                      self.line_about("sms_skills"))
        self.assertNotIn(harness.AUTH_TOKEN, self.log(), "the config's secrets stay out of the log")

    def test_valid_instances_still_serve(self):
        status, body = self.gateway.send_sms(harness.inbound_params(ALICE, "still works"))
        self.assertEqual(status, 200, body)
        status, _ = harness.http_request(
            "POST", f"{self.gateway.url}/channels/echo/messages", b"hello",
            {"X-Echo-From": "visitor-1", "X-Echo-Message-Id": "e-1"})
        self.assertEqual(status, 200)
        self.assertIn("running", self.line_about("echo"))

    def test_plugins_list_reports_the_broken_configs(self):
        result = subprocess.run(
            [harness.Settings.omnigate, "plugins", "list", "--config", self.gateway.config_path],
            capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0, result.stdout + result.stderr)
        out = result.stdout
        self.assertIn('config key "bogus_key" is not allowed by the plugin\'s schema', out)
        self.assertIn('config key "reconcile_after_ms": expected integer', out)
        self.assertIn("4 unusable", out)
        # Files named by path (not the shipped names alone) default to their own process.
        self.assertIn("isolation:     process (a supervised plugin-host process)", out)
        self.assertNotIn(harness.AUTH_TOKEN, out + result.stderr)


if __name__ == "__main__":
    harness.main()
