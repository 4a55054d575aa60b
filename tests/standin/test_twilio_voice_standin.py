#!/usr/bin/env python3
"""Tests of the stand-in's Voice API and of the call driver (twilio_voice.py), run by ctest
(test_voice_standin). The driver is tried against a tiny fake gateway that answers canned TwiML
and checks every signature, so what is proven here is the driver's own part: URL resolution,
signing, parsing, and following the TwiML as Twilio would."""

import base64
import io
import json
import os
import sys
import threading
import unittest
import urllib.error
import urllib.parse
import urllib.request
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twilio  # noqa: E402
import twilio_voice  # noqa: E402
from twilio_standin import TwilioStandin  # noqa: E402

SID = "AC" + "2" * 32
TOKEN = "voice-standin-test-token"
PUBLIC = "https://gw.example.com"


def request(method, url, fields=None, auth=(SID, TOKEN), raw=False):
    headers = {}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(
            f"{auth[0]}:{auth[1]}".encode()).decode()
    data = None
    if fields is not None:
        data = urllib.parse.urlencode(fields).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
            return r.status, (body if raw else json.loads(body or b"null")), dict(r.headers)
    except urllib.error.HTTPError as e:
        body = e.read()
        return e.code, (body if raw else json.loads(body or b"null")), dict(e.headers)


class VoiceApiTest(unittest.TestCase):
    def setUp(self):
        self.standin = TwilioStandin(SID, TOKEN).start()
        self.base = f"{self.standin.base_url}/2010-04-01/Accounts/{SID}"

    def tearDown(self):
        self.standin.stop()

    def create(self, fields=None, auth=(SID, TOKEN)):
        fields = fields if fields is not None else [
            ("To", "client:bob"), ("From", "+441632960000"),
            ("Url", f"{PUBLIC}/channels/voice/conference?conversation=7&role=agent"),
            ("Timeout", "20"), ("StatusCallback", f"{PUBLIC}/channels/voice/agent-status"),
            ("StatusCallbackEvent", "initiated"), ("StatusCallbackEvent", "ringing"),
            ("StatusCallbackEvent", "answered"), ("StatusCallbackEvent", "completed")]
        return request("POST", f"{self.base}/Calls.json", fields, auth)

    def test_create_answers_a_queued_call_resource_and_records_the_request(self):
        status, body, _ = self.create()
        self.assertEqual(status, 201)
        self.assertRegex(body["sid"], r"^CA[0-9a-f]{32}$")
        self.assertEqual((body["status"], body["direction"], body["to"], body["from"]),
                         ("queued", "outbound-api", "client:bob", "+441632960000"))
        self.assertEqual(body["account_sid"], SID)
        self.assertEqual(body["uri"], f"/2010-04-01/Accounts/{SID}/Calls/{body['sid']}.json")
        self.assertTrue(body["date_created"].endswith("+0000"))
        calls = self.standin.snapshot("calls")
        self.assertEqual([(c["sid"], c["outcome"]) for c in calls], [(body["sid"], 201)])
        self.assertEqual([v for n, v in calls[0]["form"] if n == "StatusCallbackEvent"],
                         ["initiated", "ringing", "answered", "completed"])
        status, fetched, _ = request("GET", f"{self.base}/Calls/{body['sid']}.json")
        self.assertEqual((status, fetched["sid"], fetched["status"]),
                         (200, body["sid"], "queued"))

    def test_create_refuses_what_twilio_refuses(self):
        url = ("Url", f"{PUBLIC}/x")
        cases = [([("From", "+441632960000"), url], 21201),
                 ([("To", "+447700900123"), ("From", "+441632960000")], 21205),
                 ([("To", "+447700900123"), ("From", "+441632960000"), ("Url", "/relative")],
                  21205),
                 ([("To", "+447700900123"), url], 21213),
                 ([("To", "07700 900123"), ("From", "+441632960000"), url], 21211),
                 ([("To", "+447700900123"), ("From", "+441632960000"), url,
                   ("StatusCallbackEvent", "picked-up")], 20001)]
        for fields, code in cases:
            status, body, _ = self.create(fields)
            self.assertEqual((status, body["code"], body["status"]), (400, code, 400), fields)
            self.assertEqual(body["more_info"], f"https://www.twilio.com/docs/errors/{code}")
        self.assertEqual(self.standin.snapshot("stats")["calls_rejected"], len(cases))
        self.assertEqual(self.standin.snapshot("call_resources"), {})

    def test_every_voice_route_needs_the_account_credentials(self):
        _, created, _ = self.create()
        call = f"{self.base}/Calls/{created['sid']}"
        for method, url, fields in [
                ("POST", f"{self.base}/Calls.json", [("To", "+447700900123")]),
                ("GET", f"{call}.json", None),
                ("POST", f"{call}.json", [("Status", "completed")]),
                ("POST", f"{call}/Recordings/Twilio.CURRENT.json", [("Status", "paused")])]:
            for auth in [(SID, "wrong"), None, ("AC" + "3" * 32, TOKEN)]:
                status, body, _ = request(method, url, fields, auth)
                self.assertEqual((status, body["code"], body["message"]),
                                 (401, 20003, "Authenticate"), (method, url, auth))
        # The account in the path must be the caller's own, too.
        other = url.replace(SID, "AC" + "3" * 32)
        self.assertEqual(request("GET", other.replace("/Recordings/Twilio.CURRENT", ""))[0], 401)
        self.assertEqual(self.standin.snapshot("call_resources")[created["sid"]]["status"],
                         "queued")

    def test_update_redirects_or_hangs_up_and_refuses_an_ended_call(self):
        _, created, _ = self.create()
        call = f"{self.base}/Calls/{created['sid']}.json"
        status, body, _ = request("POST", call, [("Url", f"{PUBLIC}/channels/voice/connect"),
                                                 ("Method", "POST")])
        self.assertEqual((status, body["sid"]), (200, created["sid"]))
        # canceled only ends a call that was not answered yet.
        self.standin.set_call_status(created["sid"], "in-progress")
        status, body, _ = request("POST", call, [("Status", "canceled")])
        self.assertEqual((status, body["status"]), (200, "in-progress"))
        status, body, _ = request("POST", call, [("Status", "completed")])
        self.assertEqual((status, body["status"]), (200, "completed"))
        status, body, _ = request("POST", call, [("Url", f"{PUBLIC}/channels/voice/connect")])
        self.assertEqual((status, body["code"]), (400, 21220))
        status, body, _ = request("POST", f"{self.base}/Calls/CA{'0' * 32}.json",
                                  [("Status", "completed")])
        self.assertEqual((status, body["code"]), (404, 20404))
        status, body, _ = request("GET", f"{self.base}/Calls/CA{'0' * 32}.json")
        self.assertEqual((status, body["code"]), (404, 20404))
        self.assertEqual(request("POST", call, [("Method", "GET")])[1]["code"], 20001)
        updates = self.standin.snapshot("call_updates")
        self.assertEqual([(u["url"], u["method"], u["status"], u["outcome"]) for u in updates], [
            (f"{PUBLIC}/channels/voice/connect", "POST", None, 200),
            (None, None, None, 200), (None, None, "completed", 200),
            (None, None, None, 400), (None, None, None, 404), (None, None, None, 400)])

    def test_the_current_recording_pauses_resumes_and_stops(self):
        _, plain, _ = self.create()
        recording_path = f"{self.base}/Calls/{plain['sid']}/Recordings/Twilio.CURRENT.json"
        status, body, _ = request("POST", recording_path, [("Status", "paused")])
        self.assertEqual((status, body["code"]), (404, 20404), "a call without a recording")
        _, recorded, _ = self.create([("To", "+447700900123"), ("From", "+441632960000"),
                                      ("Url", f"{PUBLIC}/x"), ("Record", "true")])
        recording_path = recording_path.replace(plain["sid"], recorded["sid"])
        status, body, _ = request("POST", recording_path, [("Status", "paused"),
                                                           ("PauseBehavior", "skip")])
        self.assertEqual((status, body["status"], body["call_sid"]),
                         (200, "paused", recorded["sid"]))
        self.assertRegex(body["sid"], r"^RE[0-9a-f]{32}$")
        self.assertEqual(request("POST", recording_path, [("Status", "on-hold")])[0], 400)
        self.assertEqual(request("POST", recording_path, [("Status", "in-progress")])[1]["status"],
                         "in-progress")
        self.assertEqual(request("POST", recording_path, [("Status", "stopped")])[0], 200)
        self.assertEqual(request("POST", recording_path, [("Status", "in-progress")])[0], 404)
        self.assertEqual([(u["status"], u["outcome"])
                          for u in self.standin.snapshot("recording_updates")],
                         [("paused", 404), ("paused", 200), ("on-hold", 400),
                          ("in-progress", 200), ("stopped", 200), ("in-progress", 404)])

    def test_a_recording_is_served_as_wav_with_or_without_credentials(self):
        recording = self.standin.add_recording(duration_s=2)
        self.assertTrue(recording["url"].startswith(f"{self.base}/Recordings/RE"))
        for url, auth in [(recording["url"], None), (recording["url"] + ".wav", (SID, TOKEN))]:
            status, body, headers = request("GET", url, auth=auth, raw=True)
            self.assertEqual((status, headers["Content-Type"]), (200, "audio/x-wav"))
            with wave.open(io.BytesIO(body)) as audio:
                self.assertEqual((audio.getnchannels(), audio.getframerate(),
                                  audio.getsampwidth(), audio.getnframes()), (1, 8000, 2, 16000))
            self.assertEqual(len(body), recording["size_bytes"])
        status, body, _ = request("GET", recording["url"], auth=(SID, "wrong"))
        self.assertEqual((status, body["code"]), (401, 20003))
        status, body, _ = request("GET", f"{self.base}/Recordings/RE{'0' * 32}.wav", auth=None)
        self.assertEqual((status, body["code"]), (404, 20404))
        self.assertEqual([(f["authorization"], f["outcome"])
                          for f in self.standin.snapshot("recording_fetches")],
                         [(False, 200), (True, 200), (True, 401), (False, 404)])

    def test_an_oversized_recording_has_exactly_the_size_asked_for(self):
        size = 3 * 1024 * 1024 + 1
        recording = self.standin.add_recording(size_bytes=size)
        status, body, headers = request("GET", recording["url"], auth=None, raw=True)
        self.assertEqual((status, int(headers["Content-Length"]), len(body)), (200, size, size))
        with wave.open(io.BytesIO(body)) as audio:
            self.assertEqual(audio.getnframes(), (size - 44) // 2)
        # A reader that stops early (a size cap) leaves the stand-in serving others.
        with urllib.request.urlopen(recording["url"], timeout=30) as r:
            r.read(1000)
        self.assertEqual(request("GET", recording["url"], auth=None, raw=True)[0], 200)


class FakeGateway:
    """Canned TwiML per route; every request's signature checked over the public URL."""

    def __init__(self, routes):
        self.routes = routes      # path (no query) -> TwiML text, or a list used in turn
        self.requests = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def handle_any(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                query = urllib.parse.urlsplit(self.path).query
                params = urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True)
                signed = params if method == "POST" else []
                ok = twilio.validate_signature(TOKEN, PUBLIC + self.path, signed,
                                               self.headers.get("X-Twilio-Signature"))
                path = urllib.parse.urlsplit(self.path).path
                gateway.requests.append({"method": method, "path": path, "query": query,
                                         "params": dict(params), "signature_ok": ok,
                                         "user_agent": self.headers.get("User-Agent")})
                answer = gateway.routes.get(path)
                if isinstance(answer, list):
                    answer = answer.pop(0) if len(answer) > 1 else answer[0]
                status = 403 if not ok else 404 if answer is None else 200
                data = (answer or "").encode() if status == 200 else b""
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                self.handle_any("POST")

            def do_GET(self):
                self.handle_any("GET")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


XML = '<?xml version="1.0" encoding="UTF-8"?>'
V = "/channels/voice"
ROUTES = {
    f"{V}/voice": XML + '<Response><Say>Welcome</Say><Gather input="dtmf speech" numDigits="1" '
                  'action="ivr?attempt=1"><Say>Press 1</Say></Gather>'
                  f'<Redirect>{V}/ivr?attempt=1&amp;timeout=1</Redirect></Response>',
    f"{V}/ivr": XML + f'<Response><Say>Connecting</Say><Enqueue action="{PUBLIC}{V}/queue-exit"'
                ' waitUrl="wait" waitUrlMethod="POST">og-voice</Enqueue></Response>',
    f"{V}/wait": [XML + '<Response><Say>You are number 1 in the queue.</Say>'
                  '<Pause length="1"/></Response>', XML + "<Response><Leave/></Response>"],
    f"{V}/queue-exit": XML + f'<Response><Dial action="{V}/dial-done" timeout="20" '
                       'answerOnBridge="true" record="record-from-answer-dual" '
                       f'recordingStatusCallback="{V}/recording"><Client '
                       f'statusCallback="{V}/agent-status" statusCallbackEvent="initiated '
                       'ringing answered completed">alice</Client></Dial></Response>',
    f"{V}/dial-done": XML + "<Response><Hangup/></Response>",
    f"{V}/agent-status": "", f"{V}/status": "", f"{V}/recording": "",
    f"{V}/transcription": "",
    f"{V}/voicemail": XML + f'<Response><Say>Leave a message</Say><Record action="{V}/vm-done" '
                      'maxLength="120" transcribe="true" '
                      f'transcribeCallback="{PUBLIC}{V}/transcription" '
                      f'recordingStatusCallback="{V}/recording"/></Response>',
    f"{V}/vm-done": XML + "<Response><Say>Thanks</Say><Hangup/></Response>",
    f"{V}/connect": XML + f'<Response><Redirect method="GET">{V}/hold?music=1</Redirect>'
                    '</Response>',
    f"{V}/hold": XML + "<Response><Play>https://cdn.example.com/hold.mp3</Play></Response>",
    f"{V}/conference": XML + "<Response><Dial><Conference>og-7</Conference></Dial></Response>",
    f"{V}/bad-xml": "<Response><Say>unclosed</Response>",
    f"{V}/not-twiml": XML + "<html><body>hello</body></html>",
    f"{V}/outside": XML + "<Response><Redirect>http://169.254.169.254/latest</Redirect>"
                    "</Response>",
}


class VoiceDriverTest(unittest.TestCase):
    def setUp(self):
        self.standin = TwilioStandin(SID, TOKEN).start()
        self.gateway = FakeGateway({k: (list(v) if isinstance(v, list) else v)
                                    for k, v in ROUTES.items()})

    def tearDown(self):
        self.gateway.close()
        self.standin.stop()

    def new_call(self, **options):
        return twilio_voice.VoiceCall(self.standin, self.gateway.url, PUBLIC, TOKEN,
                                      from_="+447700900123", to="+441632960000",
                                      caller_name="Ada Lovelace", **options)

    def assert_all_signed(self):
        self.assertTrue(self.gateway.requests)
        self.assertEqual([r for r in self.gateway.requests if not r["signature_ok"]], [])
        self.assertEqual({r["user_agent"] for r in self.gateway.requests}, {"TwilioProxy/1.1"})

    def test_a_whole_call_follows_the_twiml_like_twilio(self):
        call = self.new_call()
        twiml = call.start()
        self.assertEqual(twiml.tags, ["Say", "Gather", "Redirect"])
        self.assertEqual(twiml.verbs[1].children[0], ("Say", {}, "Press 1"))
        first = self.gateway.requests[0]
        self.assertEqual(first["path"], f"{V}/voice")
        self.assertEqual({k: first["params"][k] for k in (
            "CallSid", "AccountSid", "From", "To", "CallStatus", "Direction", "CallerName",
            "ApiVersion")}, {"CallSid": call.sid, "AccountSid": SID, "From": "+447700900123",
                             "To": "+441632960000", "CallStatus": "ringing",
                             "Direction": "inbound", "CallerName": "Ada Lovelace",
                             "ApiVersion": "2010-04-01"})
        self.assertEqual(self.standin.snapshot("call_resources")[call.sid]["status"],
                         "in-progress")

        twiml = call.gather(digits="1")  # the relative action, against /channels/voice/voice
        self.assertEqual(twiml.tags, ["Say", "Enqueue"])
        ivr = self.gateway.requests[-1]
        self.assertEqual((ivr["path"], ivr["query"], ivr["params"]["Digits"],
                          ivr["params"]["CallStatus"]),
                         (f"{V}/ivr", "attempt=1", "1", "in-progress"))

        leave = call.wait_until_leave(timeout=10, pause=0)
        self.assertEqual(leave.tags, ["Leave"])
        waits = [r for r in self.gateway.requests if r["path"] == f"{V}/wait"]
        self.assertEqual(len(waits), 2)
        self.assertEqual({w["params"]["QueuePosition"] for w in waits}, {"1"})
        self.assertTrue(all(w["params"]["QueueSid"].startswith("QU") for w in waits))
        self.assertEqual(call.twiml.tags, ["Say", "Enqueue"], "wait TwiML is not the call's")

        twiml = call.queue_exit("leave")
        self.assertEqual(twiml.tags, ["Dial"])
        self.assertEqual(twiml.verbs[0].children[0].tag, "Client")
        self.assertEqual(twiml.verbs[0].children[0].text, "alice")
        self.assertEqual(self.gateway.requests[-1]["params"]["QueueResult"], "leave")

        self.assertEqual(call.agent_status("ringing").status, 200)
        self.assertEqual(call.agent_status("in-progress").status, 200)
        leg = self.gateway.requests[-1]["params"]
        self.assertEqual((leg["CallSid"], leg["ParentCallSid"], leg["To"], leg["Direction"],
                          leg["CallStatus"]),
                         (call.agent_leg_sid, call.sid, "client:alice", "outbound-dial",
                          "in-progress"))
        self.assertEqual(leg["SequenceNumber"], "1")
        # <Dial record=…> answered: the call has a current recording the gateway can pause.
        status, body, _ = request("POST", f"{self.standin.base_url}/2010-04-01/Accounts/{SID}"
                                  f"/Calls/{call.sid}/Recordings/Twilio.CURRENT.json",
                                  [("Status", "paused")])
        self.assertEqual((status, body["sid"]), (200, call.active_recording["sid"]))

        twiml = call.dial_done("completed", duration=42)
        self.assertEqual(twiml.tags, ["Hangup"])
        done = self.gateway.requests[-1]["params"]
        self.assertEqual((done["DialCallStatus"], done["DialCallSid"], done["DialCallDuration"]),
                         ("completed", call.agent_leg_sid, "42"))
        self.assertTrue(call.ended)
        self.assertEqual(call.status("completed", duration=60).status, 200)
        self.assertEqual(self.gateway.requests[-1]["params"]["CallDuration"], "60")

        self.assertEqual(call.recording().status, 200)
        rec = self.gateway.requests[-1]
        self.assertEqual((rec["path"], rec["params"]["RecordingSid"],
                          rec["params"]["RecordingSource"]),
                         (f"{V}/recording", call.active_recording["sid"], "DialVerb"))
        status, audio, _ = request("GET", rec["params"]["RecordingUrl"], auth=None, raw=True)
        self.assertEqual((status, audio[:4]), (200, b"RIFF"))
        self.assertEqual(call.transcription("I have a billing question").status, 200)
        text = self.gateway.requests[-1]
        self.assertEqual((text["path"], text["params"]["TranscriptionText"],
                          text["params"]["RecordingSid"]),
                         (f"{V}/transcription", "I have a billing question",
                          call.active_recording["sid"]))
        self.assert_all_signed()
        self.assertEqual(len(call.log), len(self.gateway.requests))
        self.assertTrue(all(e["time"] <= e["answered"] for e in call.log))
        self.assertEqual([e["time"] for e in call.log], sorted(e["time"] for e in call.log))

    def test_a_gather_without_input_follows_the_redirect_after_it(self):
        call = self.new_call()
        call.start()
        self.assertEqual(call.gather().tags, ["Say", "Enqueue"])
        last = self.gateway.requests[-1]
        self.assertEqual((last["path"], last["query"]), (f"{V}/ivr", "attempt=1&timeout=1"))
        self.assertNotIn("Digits", last["params"])
        with self.assertRaises(twilio_voice.TwimlError):
            call.gather(digits="2")

    def test_speech_results_are_posted_with_their_confidence(self):
        call = self.new_call()
        call.start()
        call.gather(speech="billing please", confidence="0.87")
        params = self.gateway.requests[-1]["params"]
        self.assertEqual((params["SpeechResult"], params["Confidence"]),
                         ("billing please", "0.87"))
        self.assertNotIn("Digits", params)

    def test_voicemail_record_action_and_callbacks_named_by_the_record(self):
        call = self.new_call(start_url=f"{PUBLIC}{V}/voicemail")
        self.assertEqual(call.start().tags, ["Say", "Record"])
        twiml = call.voicemail_done(duration=9)
        self.assertEqual(twiml.tags, ["Say", "Hangup"])
        self.assertTrue(call.ended)
        done = self.gateway.requests[-1]
        self.assertEqual((done["path"], done["params"]["RecordingDuration"],
                          done["params"]["Digits"]), (f"{V}/vm-done", "9", "hangup"))
        sid = done["params"]["RecordingSid"]
        call.recording()
        call.transcription("call me back")
        rec, text = self.gateway.requests[-2:]
        self.assertEqual((rec["path"], rec["params"]["RecordingSid"],
                          rec["params"]["RecordingSource"], rec["params"]["RecordingChannels"]),
                         (f"{V}/recording", sid, "RecordVerb", "1"))
        self.assertEqual((text["path"], text["params"]["RecordingSid"]),
                         (f"{V}/transcription", sid))
        self.assertIn(sid, self.standin.snapshot("recordings"))
        self.assert_all_signed()

    def test_an_oversized_recording_is_registered_at_the_standin(self):
        call = self.new_call()
        call.start()
        call.recording(size_bytes=1024 * 1024)
        params = self.gateway.requests[-1]["params"]
        self.assertEqual(self.standin.snapshot("recordings")[params["RecordingSid"]]["size_bytes"],
                         1024 * 1024)

    def test_a_rest_redirect_is_fetched_and_a_get_redirect_signed_over_its_query(self):
        call = self.new_call()
        call.start()
        call.gather(digits="1")
        status, _, _ = request("POST", f"{self.standin.base_url}/2010-04-01/Accounts/{SID}/Calls/"
                               f"{call.sid}.json", [("Url", f"{PUBLIC}{V}/connect"),
                                                    ("Method", "POST")])
        self.assertEqual(status, 200)
        self.assertEqual(len(call.pending_redirects()), 1)
        self.assertEqual(call.follow_redirect().tags, ["Redirect"])
        self.assertEqual(call.pending_redirects(), [])
        self.assertIsNone(call.enqueue, "a redirect takes the caller out of the queue")
        self.assertEqual(call.redirect().tags, ["Play"])
        hold = self.gateway.requests[-1]
        self.assertEqual((hold["method"], hold["path"]), ("GET", f"{V}/hold"))
        self.assertIn("music=1", hold["query"])
        self.assertIn(f"CallSid={call.sid}", hold["query"])
        self.assert_all_signed()
        with self.assertRaises(twilio_voice.TwimlError):
            call.follow_redirect(timeout=0.2)  # no second redirect

    def test_created_calls_are_played_as_outbound_legs(self):
        _, created, _ = request("POST", f"{self.standin.base_url}/2010-04-01/Accounts/{SID}/"
                                "Calls.json", [("To", "client:bob"), ("From", "+441632960000"),
                                               ("Url", f"{PUBLIC}{V}/conference?conversation=7"),
                                               ("StatusCallback", f"{PUBLIC}{V}/agent-status")])
        record = self.standin.snapshot("calls")[0]
        leg = twilio_voice.VoiceCall.outbound(self.standin, self.gateway.url, PUBLIC, TOKEN,
                                              record)
        self.assertEqual(leg.sid, created["sid"])
        self.assertEqual(leg.start().tags, ["Dial"])
        fetched = self.gateway.requests[-1]
        self.assertEqual((fetched["path"], fetched["query"], fetched["params"]["Direction"],
                          fetched["params"]["CallStatus"], fetched["params"]["To"]),
                         (f"{V}/conference", "conversation=7", "outbound-api", "in-progress",
                          "client:bob"))
        leg.status("completed", duration=5)
        self.assertEqual(self.gateway.requests[-1]["path"], f"{V}/agent-status")
        self.assertEqual(self.standin.snapshot("call_resources")[leg.sid]["status"], "completed")
        self.assert_all_signed()

    def test_what_twilio_could_not_follow_is_an_error(self):
        for route in ("bad-xml", "not-twiml", "missing", "outside"):
            call = self.new_call(start_url=f"{PUBLIC}{V}/{route}")
            with self.assertRaises(twilio_voice.TwimlError, msg=route):
                twiml = call.start()
                call.redirect()  # "outside": the redirect leaves the gateway
            if route == "outside":
                self.assertEqual(twiml.tags, ["Redirect"])

    def test_wrong_signatures_can_be_sent_on_purpose(self):
        call = self.new_call()
        self.assertEqual(call.post(call.url("/status"), call.base_params(),
                                   signature="").status, 403)
        self.assertEqual(call.post(call.url("/status"), call.base_params(),
                                   auth_token="not-the-token").status, 403)
        self.assertEqual(call.post(call.url("/status"), call.base_params()).status, 200)
        self.assertEqual([r["signature_ok"] for r in self.gateway.requests],
                         [False, False, True])

    def test_the_driver_works_with_the_standin_run_as_a_process_url(self):
        call = twilio_voice.VoiceCall(self.standin.base_url, self.gateway.url, PUBLIC, TOKEN,
                                      account_sid=SID)
        call.start()
        self.assertEqual(self.standin.snapshot("call_resources")[call.sid]["direction"],
                         "inbound")


if __name__ == "__main__":
    unittest.main(verbosity=1)
