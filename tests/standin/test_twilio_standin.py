#!/usr/bin/env python3
"""Tests of the Twilio stand-in provider and the signature helpers (run by ctest)."""

import base64
import json
import os
import sys
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twilio  # noqa: E402
from twilio_standin import TwilioStandin  # noqa: E402

SID = "AC" + "1" * 32
TOKEN = "standin-test-token"


def call(method, url, body=None, headers=None, auth=(SID, TOKEN)):
    headers = dict(headers or {})
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    if isinstance(body, (list, dict)) and method == "POST" and "Content-Type" not in headers:
        body = urllib.parse.urlencode(body if isinstance(body, list) else list(body.items()))
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null"), dict(e.headers)


class CallbackReceiver:
    """A tiny HTTP server standing in for the gateway's /status route: checks signatures."""

    def __init__(self, public_url):
        self.public_url = public_url
        self.received = []
        self.done = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                params = urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True)
                url = receiver.public_url + self.path
                ok = twilio.validate_signature(TOKEN, url, params,
                                               self.headers.get("X-Twilio-Signature"))
                with receiver.done:
                    receiver.received.append({"path": self.path, "params": dict(params),
                                              "signature_ok": ok})
                    receiver.done.notify_all()
                self.send_response(200 if ok else 403)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def wait_for(self, count, timeout=30):  # a hang guard, generous for a loaded machine
        with self.done:
            self.done.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SignatureTest(unittest.TestCase):
    PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675309", "Digits": "1234",
              "From": "+14158675309", "To": "+18005551212"}
    URL = "https://mycompany.com/myapp.php?foo=1&bar=2"

    def test_published_vectors(self):
        self.assertEqual(twilio.compute_signature("12345", self.URL, self.PARAMS),
                         "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        port_url = self.URL.replace(".com/", ".com:443/")
        self.assertEqual(twilio.compute_signature("12345", port_url, self.PARAMS),
                         "kvajT1Ptam85bY51eRf/AJRuM3w=")

    def test_validation_tries_the_default_port_both_ways(self):
        self.assertTrue(twilio.validate_signature("12345", self.URL, self.PARAMS,
                                                  "kvajT1Ptam85bY51eRf/AJRuM3w="))
        self.assertFalse(twilio.validate_signature("12345", self.URL, self.PARAMS,
                                                   "kvajT1Ptam85bY51eRf/AJRuM3x="))
        self.assertFalse(twilio.validate_signature("12345", self.URL, self.PARAMS, ""))

    def test_repeated_names_sign_each_distinct_value_once(self):
        # Vectors from twilio-python's tests and from twilio-node 6.3.1's
        # getExpectedTwilioSignature (the same ones tests/plugins/sms/test_twilio_signature.cpp
        # checks the gateway against).
        duplicate = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"),
                     ("Digits", "1234")]
        self.assertEqual(twilio.compute_signature("12345", self.URL, duplicate),
                         "IK+Dwps556ElfBT0I3Rgjkr1wJU=")
        repeated = [("Tag", "same"), ("Body", "hi"), ("Tag", "same")]
        self.assertEqual(twilio.compute_signature("12345", self.URL, repeated),
                         "s2x9XBT+5d3tfw9TZkfiDuitGTI=")
        mixed = [("MediaUrl", "b"), ("MediaUrl", "a"), ("MediaUrl", "b"),
                 ("From", "+14155550100")]
        self.assertEqual(twilio.compute_signature("12345", self.URL, mixed),
                         "z69pNG8+KGPdP4Y/3aF9Xu5Ebj4=")

    def test_validation_strips_any_port_like_the_sdks(self):
        url = "http://mycompany.com:1234/myapp.php?foo=1&bar=2"
        self.assertTrue(twilio.validate_signature("12345", url, self.PARAMS,
                                                  "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="))
        self.assertTrue(twilio.validate_signature(
            "12345", self.URL.replace(".com/", ".com:1234/"), self.PARAMS,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="))


class StandinTest(unittest.TestCase):
    def setUp(self):
        self.receiver = CallbackReceiver("https://gw.example.com")
        self.standin = TwilioStandin(SID, TOKEN, callback_target=self.receiver.url).start()
        self.api = f"{self.standin.base_url}/2010-04-01/Accounts/{SID}/Messages.json"

    def tearDown(self):
        self.standin.stop()
        self.receiver.close()

    def send(self, fields=None, key=None, auth=(SID, TOKEN)):
        fields = fields if fields is not None else [
            ("To", "+14155550100"), ("From", "+18005550199"), ("Body", "hello there"),
            ("StatusCallback", "https://gw.example.com/channels/sms/status")]
        headers = {"Idempotency-Key": key} if key else {}
        return call("POST", self.api, fields, headers, auth)

    def test_accepts_a_message_with_twilio_resource_shape(self):
        status, body, _ = self.send()
        self.assertEqual(status, 201)
        self.assertRegex(body["sid"], r"^SM[0-9a-f]{32}$")
        self.assertEqual(body["status"], "queued")
        self.assertEqual((body["to"], body["from"], body["body"]),
                         ("+14155550100", "+18005550199", "hello there"))
        self.assertEqual(body["account_sid"], SID)
        self.assertEqual(body["direction"], "outbound-api")
        self.assertEqual(body["num_segments"], "1")
        self.assertTrue(body["date_created"].endswith("+0000"))
        status, fetched, _ = call("GET", f"{self.standin.base_url}/2010-04-01/Accounts/{SID}/Messages/{body['sid']}.json")
        self.assertEqual((status, fetched["sid"]), (200, body["sid"]))

    def test_wrong_credentials_get_twilio_401(self):
        status, body, _ = self.send(auth=(SID, "wrong"))
        self.assertEqual(status, 401)
        self.assertEqual(body["code"], 20003)
        self.assertEqual(body["message"], "Authenticate")
        self.assertEqual(body["status"], 401)
        self.assertIn("more_info", body)
        self.assertEqual(self.send(auth=None)[0], 401)

    def test_invalid_fields_get_twilio_error_codes(self):
        cases = [([("From", "+18005550199"), ("Body", "x")], 21604),
                 ([("To", "+14155550100"), ("From", "+18005550199")], 21602),
                 ([("To", "+14155550100"), ("Body", "x")], 21603),
                 ([("To", "12"), ("From", "+18005550199"), ("Body", "x")], 21211),
                 ([("To", "+14155550100"), ("From", "+18005550199"), ("Body", "x" * 1601)], 21617)]
        for fields, code in cases:
            status, body, _ = self.send(fields)
            self.assertEqual((status, body["code"]), (400, code), fields)
        status, _, _ = self.send([("To", "+14155550100"), ("From", "+18005550199"),
                                  ("MediaUrl", "https://cdn.example.com/a.jpg")])
        self.assertEqual(status, 201)

    def test_same_idempotency_key_same_answer_recorded_once(self):
        first = self.send(key="outbox-1")
        second = self.send(key="outbox-1")
        self.assertEqual(first[0], 201)
        self.assertEqual(first[1], second[1])
        self.assertEqual(second[2].get("Idempotency-Replayed"), "true")
        self.assertNotEqual(self.send(key="outbox-2")[1]["sid"], first[1]["sid"])
        messages = self.standin.snapshot("messages")
        self.assertEqual([m["idempotency_key"] for m in messages], ["outbox-1", "outbox-2"])
        self.assertEqual(self.standin.snapshot("stats")["duplicates"], 1)

    def test_failure_injection_through_the_control_api(self):
        call("POST", f"{self.standin.base_url}/_control/fail",
             json.dumps({"status": 429, "count": 2, "retry_after": 3}), auth=None)
        for _ in range(2):
            status, body, headers = self.send()
            self.assertEqual((status, body["code"]), (429, 20429))
            self.assertEqual(headers.get("Retry-After"), "3")
        self.assertEqual(self.send()[0], 201)
        call("POST", f"{self.standin.base_url}/_control/fail",
             json.dumps({"status": 400, "count": 1, "code": 21211}), auth=None)
        status, body, _ = self.send()
        self.assertEqual((status, body["code"]), (400, 21211))
        _, stats, _ = call("GET", f"{self.standin.base_url}/_control/stats", auth=None)
        self.assertEqual(stats["injected_failures"], 3)
        _, messages, _ = call("GET", f"{self.standin.base_url}/_control/messages", auth=None)
        self.assertEqual([m["outcome"] for m in messages], [429, 429, 201, 400])
        call("POST", f"{self.standin.base_url}/_control/reset", "{}", auth=None)
        self.assertEqual(self.standin.snapshot("messages"), [])

    def test_signed_status_callbacks_sent_then_delivered(self):
        _, body, _ = self.send()
        received = self.receiver.wait_for(2)
        self.assertEqual([r["params"]["MessageStatus"] for r in received], ["sent", "delivered"])
        for r in received:
            self.assertTrue(r["signature_ok"])
            self.assertEqual(r["path"], "/channels/sms/status")
            self.assertEqual(r["params"]["MessageSid"], body["sid"])
            self.assertEqual(r["params"]["AccountSid"], SID)
            self.assertEqual(r["params"]["ApiVersion"], "2010-04-01")
        deadline = time.time() + 30
        while self.standin.snapshot("stats")["callbacks_sent"] < 2 and time.time() < deadline:
            time.sleep(0.01)
        self.assertEqual(self.standin.snapshot("resources")[body["sid"]]["status"], "delivered")

    def test_undelivered_outcome_carries_the_error_code(self):
        self.standin.set_outcome(statuses=["sent", "undelivered"], error_code="30003")
        self.send()
        received = self.receiver.wait_for(2)
        self.assertEqual(received[1]["params"]["MessageStatus"], "undelivered")
        self.assertEqual(received[1]["params"]["ErrorCode"], "30003")
        self.assertNotIn("ErrorCode", received[0]["params"])

    def wait_for_status(self, sid, status):
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.standin.snapshot("resources")[sid]["status"] == status:
                return
            time.sleep(0.01)
        self.fail(f"{sid} never reached {status}")

    def test_list_filters_newest_first_and_pages_like_twilio(self):
        self.standin.set_outcome(callbacks=False, statuses=[])
        sids = []
        for to in ("+14155550100", "+14155550101", "+14155550100", "+14155550100"):
            _, body, _ = self.send([("To", to), ("From", "+18005550199"), ("Body", "x")])
            sids.append(body["sid"])
        ours = [sids[3], sids[2], sids[0]]  # to +14155550100, newest first
        status, page, _ = call("GET", self.api + "?To=%2B14155550100&From=%2B18005550199&PageSize=2")
        self.assertEqual(status, 200)
        self.assertEqual([m["sid"] for m in page["messages"]], ours[:2])
        self.assertEqual((page["page"], page["page_size"], page["start"], page["end"]), (0, 2, 0, 1))
        self.assertIsNone(page["previous_page_uri"])
        self.assertTrue(page["next_page_uri"].startswith(f"/2010-04-01/Accounts/{SID}/Messages.json?"))
        status, second, _ = call("GET", self.standin.base_url + page["next_page_uri"])
        self.assertEqual(status, 200)
        self.assertEqual([m["sid"] for m in second["messages"]], ours[2:])
        self.assertIsNone(second["next_page_uri"])
        self.assertEqual(second["messages"][0]["to"], "+14155550100")

    def test_list_by_date_sent_leaves_out_messages_not_sent_yet(self):
        self.standin.set_outcome(callbacks=False, statuses=[])
        self.send()
        today = time.strftime("%Y-%m-%d", time.gmtime())
        status, page, _ = call("GET", self.api + "?DateSent%3E=" + today)
        self.assertEqual((status, page["messages"]), (200, []))
        status, body, _ = call("GET", self.api + "?DateSent=yesterday")
        self.assertEqual((status, body["code"]), (400, 20001))

    def test_list_needs_credentials(self):
        status, body, _ = call("GET", self.api, auth=(SID, "wrong"))
        self.assertEqual((status, body["code"]), (401, 20003))

    def test_statuses_advance_even_when_callbacks_cannot_be_delivered(self):
        self.standin.set_outcome(callback_target="http://127.0.0.1:1")
        _, body, _ = self.send()
        self.wait_for_status(body["sid"], "delivered")
        status, fetched, _ = call("GET", f"{self.standin.base_url}/2010-04-01/Accounts/{SID}/Messages/{body['sid']}.json")
        self.assertEqual((status, fetched["status"]), (200, "delivered"))
        self.assertIsNotNone(fetched["date_sent"])
        deadline = time.time() + 30
        while self.standin.snapshot("stats")["callbacks_failed"] < 2 and time.time() < deadline:
            time.sleep(0.01)
        self.assertEqual(self.standin.snapshot("stats")["callbacks_sent"], 0)

    def test_ignoring_the_idempotency_key_creates_every_request_like_twilio(self):
        call("POST", f"{self.standin.base_url}/_control/idempotency", '{"honour": false}', auth=None)
        _, first, _ = self.send(key="og-1")
        _, second, headers = self.send(key="og-1")
        self.assertNotEqual(first["sid"], second["sid"])
        self.assertNotIn("Idempotency-Replayed", headers)
        self.assertEqual(self.standin.snapshot("stats")["created"], 2)
        call("POST", f"{self.standin.base_url}/_control/reset", "{}", auth=None)
        _, first, _ = self.send(key="og-1")
        _, again, _ = self.send(key="og-1")
        self.assertEqual(first["sid"], again["sid"])  # reset: honoured again

    def test_delayed_answers_still_create_the_message_at_once(self):
        call("POST", f"{self.standin.base_url}/_control/delay", '{"answer_ms": 3000}', auth=None)
        answers = []
        sender = threading.Thread(target=lambda: answers.append(self.send()))
        sender.start()
        deadline = time.time() + 30
        while not self.standin.snapshot("resources") and time.time() < deadline:
            time.sleep(0.01)
        created = list(self.standin.snapshot("resources"))
        self.assertEqual(len(created), 1)
        self.assertEqual(answers, [], "created before its answer was written")
        sender.join()
        self.assertEqual((answers[0][0], answers[0][1]["sid"]), (201, created[0]))

    def test_send_inbound_signs_like_twilio(self):
        params = twilio.inbound_sms_params(SID, "+14155550100", "+18005550199", "hi",
                                           media=[("https://m.example/0", "image/png")])
        status, _, _ = twilio.send_inbound(self.receiver.url + "/channels/sms/sms",
                                           "https://gw.example.com/channels/sms/sms", TOKEN, params)
        self.assertEqual(status, 200)
        got = self.receiver.wait_for(1)[0]
        self.assertTrue(got["signature_ok"])
        self.assertEqual(got["params"]["NumMedia"], "1")
        self.assertEqual(got["params"]["MediaUrl0"], "https://m.example/0")
        self.assertEqual(got["params"]["MessageSid"], got["params"]["SmsSid"])


if __name__ == "__main__":
    unittest.main(verbosity=1)
