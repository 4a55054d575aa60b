#!/usr/bin/env python3
"""Check 5: bad input gets a clear answer and changes nothing.

One gateway whose config also names two plugins that cannot load (a text file and a path that
does not exist): it must still start and serve the SMS instance. Against it: wrong or missing
signatures (403, nothing stored), an oversized body (413), missing fields (400 naming the
field), unknown plugin routes (404), API calls without a token (401) or with a role that may
not do it (403). And `omnigate plugins check` on a good and on bad files.
"""

import os
import re
import subprocess
import tempfile
import unittest
import urllib.parse

import harness

MAX_BODY_BYTES = 64 * 1024
AGENT_TOKEN = "alice-token-bad-input"
QA_TOKEN = "quinn-token-bad-input"
SUPERVISOR_TOKEN = "supervisor-token-bad-input"
ALICE = "+14155550123"


def without(params, *names):
    return [(k, v) for k, v in params if k not in names]


class BadInputTest(harness.SharedWorkspaceCase):
    """The gateway is shared by the tests of this class (started once: start-up is the slow
    part under sanitizers); every test checks its own effect on the database."""

    @classmethod
    def start_workspace(cls):
        cls.text_file = os.path.join(cls.ws.workdir, "not-a-plugin.so")
        with open(cls.text_file, "w") as f:
            f.write("this is a text file, not a shared library\n")
        cls.missing_file = os.path.join(cls.ws.workdir, "no-such-plugin.so")
        cls.standin = cls.ws.start_standin()
        cls.gateway = cls.ws.start_gateway(cls.ws.sms_config(
            cls.standin,
            agents=[harness.agent("alice", {"sms": 3}, 10)],
            users=[harness.user("alice", "agent", AGENT_TOKEN, "alice"),
                   harness.user("quinn", "qa", QA_TOKEN),
                   harness.user("sam", "supervisor", SUPERVISOR_TOKEN)],
            limits={"max_body_bytes": MAX_BODY_BYTES},
            extra_plugins=[{"instance": "textfile", "file": cls.text_file, "config": {}},
                           {"instance": "missing", "file": cls.missing_file, "config": {}}]))
        cls.db = cls.ws.database()

    def inbound_count(self):
        return self.db.scalar("SELECT COUNT(*) FROM messages")

    def post_signed_form(self, params, token=harness.AUTH_TOKEN, path="/channels/sms/sms"):
        """POSTs params to path, signed with token over the public URL of path."""
        status, body, _ = harness.twilio.post_signed(
            self.gateway.url + path, harness.PUBLIC_BASE_URL + path, token, params)
        return status, body.decode("utf-8", "replace")

    # ------------------------------------------------------------------ plugins that fail to load
    def test_gateway_starts_and_serves_sms_despite_broken_plugins(self):
        status, raw = harness.http_request("GET", f"{self.gateway.url}/healthz")
        self.assertEqual((status, harness.decode_json(raw)["status"]), (200, "ok"))
        status, body = self.gateway.send_sms(harness.inbound_params(ALICE, "still works"))
        self.assertEqual(status, 200, body)
        log = self.gateway.log_text()
        self.assertIn(self.text_file, log, "the load failure must name the file")
        self.assertIn(self.missing_file, log, "the load failure must name the file")
        for instance in ("textfile", "missing"):
            status, _ = harness.http_request("POST", f"{self.gateway.url}/channels/{instance}/sms",
                                             b"From=x")
            self.assertEqual(status, 404, f"a disabled instance mounts no routes ({instance})")

    # ------------------------------------------------------------------ signatures
    def test_wrong_signature_is_403_and_stores_nothing(self):
        before = self.inbound_count()
        params = harness.inbound_params(ALICE, "forged")
        status, body = self.post_signed_form(params, token="not-the-auth-token")
        self.assertEqual(status, 403, body)

        # Signed correctly, then one field changed in transit.
        signature = harness.twilio.compute_signature(
            harness.AUTH_TOKEN, f"{harness.PUBLIC_BASE_URL}/channels/sms/sms", params)
        tampered = [(k, "tampered" if k == "Body" else v) for k, v in params]
        status, _, _ = harness.twilio.post_signed(
            self.gateway.webhook_url(), f"{harness.PUBLIC_BASE_URL}/channels/sms/sms",
            harness.AUTH_TOKEN, tampered, headers={"X-Twilio-Signature": signature})
        self.assertEqual(status, 403)

        status, _ = harness.http_request(
            "POST", self.gateway.webhook_url(),
            urllib.parse.urlencode(params).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 403, "no signature at all")
        self.assertEqual(self.inbound_count(), before, "a refused webhook must store nothing")

    def test_repeated_field_signed_as_twilio_signs_it_is_accepted(self):
        # Twilio (and its SDKs) sign each distinct value of a repeated name once.
        before = self.inbound_count()
        params = harness.inbound_params(ALICE, "tagged twice") + [("Tag", "same"), ("Tag", "same")]
        status, body = self.post_signed_form(params)
        self.assertEqual(status, 200, body)
        self.assertEqual(self.inbound_count(), before + 1)

    # ------------------------------------------------------------------ size and fields
    def test_oversized_body_is_413(self):
        before = self.inbound_count()
        params = harness.inbound_params(ALICE, "x" * (MAX_BODY_BYTES + 1024))
        status, _ = self.gateway.send_sms(params)
        self.assertEqual(status, 413)
        self.assertEqual(self.inbound_count(), before)

    def test_missing_from_is_400_naming_the_field(self):
        before = self.inbound_count()
        status, body = self.post_signed_form(without(harness.inbound_params(ALICE, "hi"), "From"))
        self.assertEqual(status, 400)
        self.assertRegex(body, r"\bFrom\b")
        self.assertEqual(self.inbound_count(), before)

    def test_missing_message_sid_is_400_naming_the_field(self):
        before = self.inbound_count()
        params = without(harness.inbound_params(ALICE, "hi"), "MessageSid", "SmsMessageSid",
                         "SmsSid")
        status, body = self.post_signed_form(params)
        self.assertEqual(status, 400)
        self.assertRegex(body, r"MessageSid")
        self.assertEqual(self.inbound_count(), before)

    def test_unknown_plugin_routes_are_404(self):
        for path in ("/channels/sms/no-such-route", "/channels/no-such-instance/sms"):
            status, _ = self.post_signed_form(harness.inbound_params(ALICE, "hi"), path=path)
            self.assertEqual(status, 404, path)

    # ------------------------------------------------------------------ API auth
    def test_api_without_token_is_401(self):
        status, body = self.gateway.api("GET", "/conversations")
        self.assertEqual(status, 401)
        self.assertIn("error", body)
        status, _ = self.gateway.api("GET", "/conversations", token="not-a-known-token-xyz")
        self.assertEqual(status, 401)

    def test_api_with_wrong_role_is_403(self):
        self.assertEqual(self.gateway.api("GET", "/queue", token=AGENT_TOKEN)[0], 403,
                         "an agent may not read the whole queue")
        self.assertEqual(self.gateway.api("GET", "/queue", token=SUPERVISOR_TOKEN)[0], 200)
        status, body = self.gateway.send_sms(harness.inbound_params("+14155550777", "need help"))
        self.assertEqual(status, 200, body)
        conversation = harness.wait_until(
            lambda: next((c for c in self.gateway.conversations(SUPERVISOR_TOKEN)
                          if c["customer_address"] == "+14155550777"), None),
            30, "the conversation of +14155550777")
        before = len(self.standin.messages())
        status, body = self.gateway.api("POST", f"/conversations/{conversation['id']}/reply",
                                        QA_TOKEN, {"text": "qa may not reply"})
        self.assertEqual(status, 403, body)
        self.assertEqual(self.db.scalar("SELECT COUNT(*) FROM messages WHERE direction = 'out'"),
                         0, "a refused reply must not be stored")
        self.assertEqual(len(self.standin.messages()), before)

    def test_bearer_scheme_is_case_insensitive(self):
        def me(authorization):
            status, raw = harness.http_request("GET", f"{self.gateway.url}/api/v1/me",
                                               headers={"Authorization": authorization})
            return status, harness.decode_json(raw)

        for scheme in ("Bearer", "bearer", "BEARER", "bEaReR"):
            status, body = me(f"{scheme} {SUPERVISOR_TOKEN}")
            self.assertEqual(status, 200, f"{scheme}: {body}")
            self.assertEqual(body["name"], "sam")
        for refused in (f"Basic {SUPERVISOR_TOKEN}", f"Token {SUPERVISOR_TOKEN}",
                        f"Bearer{SUPERVISOR_TOKEN}", f"Bearers {SUPERVISOR_TOKEN}", "bearer ",
                        SUPERVISOR_TOKEN):
            self.assertEqual(me(refused)[0], 401, refused)

    # ------------------------------------------------------------------ API request bodies
    def test_json_body_with_duplicate_key_bom_or_nul_is_400_and_sends_nothing(self):
        status, body = self.gateway.send_sms(harness.inbound_params("+14155550888", "hello"))
        self.assertEqual(status, 200, body)
        conversation = harness.wait_until(
            lambda: next((c for c in self.gateway.conversations(SUPERVISOR_TOKEN)
                          if c["customer_address"] == "+14155550888"), None),
            30, "the conversation of +14155550888")
        url = f"{self.gateway.url}/api/v1/conversations/{conversation['id']}/reply"
        cases = {
            "duplicate key": (b'{"text":"first","text":"second"}', 'duplicate key "text"'),
            "byte order mark": (b'\xef\xbb\xbf{"text":"hello"}', "byte order mark"),
            "\\u0000 escape": (b'{"text":"hel\\u0000lo"}', "\\u0000"),
        }
        for name, (raw_body, named) in cases.items():
            status, raw = harness.http_request("POST", url, raw_body,
                                               {"Authorization": f"Bearer {SUPERVISOR_TOKEN}"})
            body = harness.decode_json(raw)
            self.assertEqual(status, 400, f"{name}: {raw!r}")
            self.assertEqual(body["error"], "bad_json", name)
            self.assertIn(named, body["message"], name)
        self.assertEqual(
            self.db.scalar("SELECT COUNT(*) FROM messages WHERE direction = 'out' AND "
                           "conversation_id = ?", (conversation["id"],)),
            0, "a refused reply must not be stored")


class PluginsCheckTest(unittest.TestCase):
    """`omnigate plugins check FILE`: the operator's way to vet a plugin before deploying it."""

    def check(self, path):
        return subprocess.run([harness.Settings.omnigate, "plugins", "check", path],
                              capture_output=True, text=True, timeout=60)

    def test_good_plugin_prints_name_version_channel_abi(self):
        result = self.check(harness.sms_plugin_path())
        self.assertEqual(result.returncode, 0, result.stderr)
        out = result.stdout
        self.assertRegex(out, r"\bsms\b")
        self.assertIn("1.0.0", out, "the plugin's version")
        self.assertRegex(out, r"(?i)abi\D*2\.0", "the plugin's ABI version")

    def test_bad_files_exit_non_zero_naming_the_reason(self):
        workdir = self.temp_dir()
        text_file = os.path.join(workdir, "notes.so")
        with open(text_file, "w") as f:
            f.write("not a plugin\n")
        for path in (text_file, os.path.join(workdir, "absent.so")):
            result = self.check(path)
            self.assertNotEqual(result.returncode, 0, f"plugins check {path} must fail")
            output = result.stdout + result.stderr
            self.assertIn(path, output, "the error names the file")
            self.assertTrue(re.search(r"(?i)(no such file|not found|does not exist|invalid|"
                                      r"not a|elf|dlopen|cannot)", output),
                            f"the error gives a reason: {output!r}")

    def temp_dir(self):
        directory = tempfile.TemporaryDirectory(prefix="og-plugins-check-")
        self.addCleanup(directory.cleanup)
        return directory.name


if __name__ == "__main__":
    harness.main()
