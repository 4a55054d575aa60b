#!/usr/bin/env python3
"""`omnigate plugins conform` passes every bundled plugin and fails a broken one, naming why.

The kit (gateway/conform) runs the plugin in child processes against the real host, store and
HTTP server. Each bundled plugin below must come out with no FAIL line and exit status 0. The
fixture tests/conform/fixtures/broken_plugin.c crashes on an empty body, hangs on a JSON body,
leaks 64 KiB on every request and never reports a send: the kit must exit 1 with those reasons
on the rules they break (the leak by LeakSanitizer in an ASan build, by the resident-memory
heuristic elsewhere).

To check one more plugin, add a line to CONFORMING: (label, file in the plugin dir, config).
"""

import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
import harness  # noqa: E402

FIXTURE_DIR = None  # --fixture-dir: where libog_conform_broken.so was built

SMS_CONFIG = {"account_sid": harness.ACCOUNT_SID, "auth_token": harness.AUTH_TOKEN,
              "public_base_url": harness.PUBLIC_BASE_URL, "api_base": "https://api.twilio.com",
              "from_number": harness.OUR_NUMBER, "allow_private_api": True, "timeout_ms": 2000}

# The e-mail plugin with every intake on: the hostile requests meet the webhook's checks, and
# the send goes to an SMTP port where nothing listens.
EMAIL_CONFIG = {"address": "support@example.com",
                "webhook": {"secret": "conform-webhook-secret",
                            "mailgun_signing_key": "conform-mailgun-key",
                            "sendgrid_user": "conform", "sendgrid_password": "conform-password"},
                "smtp": {"host": "127.0.0.1", "port": 1, "tls": "none", "timeout_seconds": 2}}

# The web chat with mail on: transcripts and offline replies would go to an SMTP port where
# nothing listens.
WEBCHAT_CONFIG = {"allowed_origins": ["https://shop.example"],
                  "secret": "conform-webchat-secret-0123", "identity_secret": "conform-identity-0123456",
                  "mail": {"smtp_url": "smtp://127.0.0.1:1", "from_address": "chat@example.com",
                           "timeout_ms": 2000}}

# The voice line with an IVR, recording and call-backs on: a call-back goes to the provider's
# real API base, which the conform kit's sandbox cannot reach (the send rule).
VOICE_CONFIG = {"account_sid": harness.ACCOUNT_SID, "auth_token": harness.AUTH_TOKEN,
                "public_base_url": harness.PUBLIC_BASE_URL, "caller_id": harness.OUR_NUMBER,
                "record_calls": True, "timeout_ms": 2000,
                "ivr": {"options": [{"digit": "1", "label": "Billing"},
                                    {"digit": "9", "label": "Voicemail", "action": "voicemail"}]}}

# (label, plugin file in the build's plugin dir, instance config). Every one must be built.
CONFORMING = [
    ("sms", "libog_sms.so", SMS_CONFIG),
    # Without the signature check the hostile requests reach the form parser behind it.
    ("sms without signature check", "libog_sms.so", {**SMS_CONFIG, "validate_signature": False}),
    ("email", "libog_email.so", EMAIL_CONFIG),
    ("webchat", "libog_webchat.so", WEBCHAT_CONFIG),
    ("voice", "libog_voice_webhook.so", VOICE_CONFIG),
    ("voice without signature check", "libog_voice_webhook.so",
     {**VOICE_CONFIG, "validate_signature": False}),
    ("echo example", "libog_echo.so", {}),
    ("echo example in C", "libog_echo_c.so", {}),
]

# Rules every conforming plugin passes (the others are SKIP when they cannot apply).
MUST_PASS = ["load", "lifecycle", "bad config", "routes", "empty body", "huge body",
             "binary body", "wrong content type", "random bytes", "send", "shutdown", "crashes",
             "hangs"]


def rule_lines(output):
    """{rule: (verdict, detail)} from the kit's report."""
    rules = {}
    for line in output.splitlines():
        m = re.match(r"^(PASS|FAIL|SKIP)  (.{18})  (.*)$", line)
        if m:
            rules[m.group(2).strip()] = (m.group(1), m.group(3))
    return rules


class PluginConformanceTest(harness.IntegrationCase):

    def conform(self, plugin_file, config):
        config_path = os.path.join(self.ws.workdir, "instance.json")
        with open(config_path, "w") as f:
            json.dump(config, f)
        proc = subprocess.run(
            [harness.Settings.omnigate, "plugins", "conform", plugin_file, "--config", config_path,
             "--seconds", "1"],
            capture_output=True, text=True, timeout=240,
            env={**os.environ, "TMPDIR": self.ws.workdir})  # the kit's logs go with the workspace
        return proc.returncode, proc.stdout + proc.stderr

    def test_bundled_plugins_conform(self):
        for label, file, config in CONFORMING:
            path = os.path.join(harness.Settings.plugin_dir, file)
            with self.subTest(plugin=label):
                self.assertTrue(os.path.exists(path), f"{path} is not built")
                status, output = self.conform(path, config)
                rules = rule_lines(output)
                self.assertEqual(status, 0, output)
                self.assertIn("conformant: no rule failed", output)
                for rule in MUST_PASS:
                    self.assertEqual(rules.get(rule, ("missing",))[0], "PASS", f"{rule}:\n{output}")
                leaks = rules.get("leaks", ("missing", ""))
                if harness.Settings.sanitized:
                    self.assertEqual(leaks[0], "PASS", output)
                else:
                    self.assertEqual(leaks[0], "SKIP", output)
                    self.assertIn("not an ASan build", leaks[1])

    def test_broken_plugin_fails_with_the_reasons_named(self):
        status, output = self.conform(os.path.join(FIXTURE_DIR, "libog_conform_broken.so"), {})
        rules = rule_lines(output)
        self.assertEqual(status, 1, output)
        # What it does right passes.
        for rule in ("load", "lifecycle", "bad config", "routes", "huge body"):
            self.assertEqual(rules[rule][0], "PASS", f"{rule}:\n{output}")
        # The crash: named with its signal (in a sanitizer build: UBSan's "load of null pointer"
        # or ASan's SEGV report) and the input that caused it.
        self.assertEqual(rules["empty body"][0], "FAIL", output)
        self.assertRegex(rules["empty body"][1], "SIGSEGV" if not harness.Settings.sanitized
                         else "SEGV|null pointer")
        self.assertIn("POST /channels/conform/hook", rules["empty body"][1])
        self.assertIn("0-byte body", rules["empty body"][1])
        self.assertEqual(rules["crashes"][0], "FAIL", output)
        self.assertIn("0-byte body", rules["crashes"][1])
        # The hang: the request it hung on.
        self.assertEqual(rules["wrong content type"][0], "FAIL", output)
        self.assertEqual(rules["hangs"][0], "FAIL", output)
        self.assertIn("no answer within", rules["hangs"][1])
        self.assertIn("Content-Type: application/json", rules["hangs"][1])
        # The send that is never answered.
        self.assertEqual(rules["send"][0], "FAIL", output)
        self.assertIn("silence", rules["send"][1])
        # The leak: named by LeakSanitizer in an ASan build; elsewhere by the resident-memory
        # heuristic (64 KiB per request is far over its limit), which says it is one.
        self.assertEqual(rules["leaks"][0], "FAIL", output)
        if harness.Settings.sanitized:
            self.assertRegex(rules["leaks"][1], r"Direct leak of \d+ byte")
        else:
            self.assertIn("heuristic (not an ASan build", rules["leaks"][1])
            self.assertIn("resident memory grew", rules["leaks"][1])
        self.assertRegex(output, r"\d+ rules? failed; the child processes' logs are in ")


def main():
    global FIXTURE_DIR
    FIXTURE_DIR = harness.take_path_option("--fixture-dir")
    harness.main()


if __name__ == "__main__":
    main()
