#!/usr/bin/env python3
"""The voice channel (plugins/voice_webhook/README.md) through the real binary: the call driver
(tests/standin/twilio_voice.py) plays Twilio's part of each call against the gateway, the Twilio
stand-in answers the plugin's REST requests and serves the recordings.

Checks of issue 16: a full call (IVR → queue → agent dialled → answered → completed, recorded
and transcribed) with the transcript in order and every TwiML valid with the expected verbs;
403 for unsigned or wrongly signed webhooks and duplicates stored once; bad input (unknown
CallSid, recordings on private addresses or too large, malformed bodies); abandoned calls (and
the KPIs), voicemail, no answer → next agent, warm transfer, wrap-up, and the P1 target of 15
minutes for a call in the queue.
"""

import datetime
import os
import time
import urllib.parse

import harness
import twilio
from twilio_voice import StandinControl, Twiml, VoiceCall

ADMIN_TOKEN = "admin-token-voice-0123456789abcdef"
INSTANCE = "voice"
INSTANCE_PATH = f"/channels/{INSTANCE}"
OUR_NUMBER = "+441632960000"
RING_TIMEOUT_S = 10
HOLD_POLL_MS = 500
MAX_RECORDING_BYTES = 1_000_000

IVR = {"timeout_s": 5, "attempts": 2, "speech": True, "options": [
    {"digit": "1", "speech": ["billing", "invoice"], "label": "Billing",
     "skills": [{"skill": "billing", "min_level": 1}]},
    {"digit": "2", "speech": ["outage", "down"], "label": "Service down", "priority": 1},
    {"digit": "9", "label": "Voicemail", "action": "voicemail"},
]}


def caller_number(n):
    return f"+4477009001{n:02d}"


def route(twiml, url):
    """(route under the instance, query dict) of a URL a TwiML document named, resolved against
    the document as Twilio resolves it; the URL must lie under the instance's public base."""
    absolute = urllib.parse.urljoin(twiml.url, url)
    prefix = harness.PUBLIC_BASE_URL + INSTANCE_PATH
    if not absolute.startswith(prefix + "/"):
        raise AssertionError(f"{url} (in {twiml}) is not under {prefix}")
    parts = urllib.parse.urlsplit(absolute[len(prefix):])
    return parts.path, dict(urllib.parse.parse_qsl(parts.query))


class VoiceCallsTest(harness.IntegrationCase):

    # ------------------------------------------------------------------ system
    def start_system(self, routing=None, instance=None, **plugin):
        standin = self.ws.start_standin()
        settings = {"account_sid": harness.ACCOUNT_SID, "auth_token": harness.AUTH_TOKEN,
                    "public_base_url": harness.PUBLIC_BASE_URL, "api_base": standin.url,
                    "allow_private_api": True, "hold_poll_ms": HOLD_POLL_MS,
                    "ring_timeout_s": RING_TIMEOUT_S, "max_recording_bytes": MAX_RECORDING_BYTES,
                    "timeout_ms": 5000, "ivr": IVR}
        settings.update(plugin)
        config = {
            "server": {"listen": "127.0.0.1:0", "public_base_url": harness.PUBLIC_BASE_URL,
                       "worker_threads": 2},
            "storage": {"data_dir": os.path.join(self.ws.workdir, "data")},
            "log": {"level": "info"},
            "plugins": [{"instance": INSTANCE,
                         "file": os.path.join(harness.Settings.plugin_dir,
                                              "libog_voice_webhook.so"),
                         "allow_private_fetch": True, "config": settings, **(instance or {})}],
            "users": [harness.user("ada", "admin", ADMIN_TOKEN)],
        }
        if routing:
            config["routing"] = routing
        gateway = self.ws.start_gateway(config)
        return standin, gateway

    def add_agent(self, gateway, agent_id, online=True):
        """An agent with the voice and billing skills, dialled as <Client>agent_id</Client>;
        returns their token."""
        gateway.api_ok("POST", "/admin/agents", ADMIN_TOKEN, {
            "id": agent_id, "display_name": agent_id.title(), "team": "support",
            "skills": [{"skill": "voice", "level": 3}, {"skill": "billing", "level": 3}],
            "capacity": {"voice": 1}, "contact": {"client": agent_id}}, expect=(201,))
        token = gateway.api_ok("POST", "/admin/users", ADMIN_TOKEN, {
            "name": agent_id, "role": "agent", "agent_id": agent_id}, expect=(201,))["token"]
        if online:
            self.set_presence(gateway, token, "online")
        return token

    def set_presence(self, gateway, token, presence):
        gateway.api_ok("PUT", "/agents/me/presence", token, {"presence": presence})

    def new_call(self, standin, gateway, n=1, caller_name="Ada Lovelace"):
        return VoiceCall(standin, gateway.url, harness.PUBLIC_BASE_URL, harness.AUTH_TOKEN,
                         instance_path=INSTANCE_PATH, from_=caller_number(n), to=OUR_NUMBER,
                         caller_name=caller_name, account_sid=harness.ACCOUNT_SID)

    # ------------------------------------------------------------------ reading the gateway
    def conversation_of(self, gateway, call, timeout=30):
        """The conversation whose call message has this CallSid (thread key = CallSid)."""
        def find():
            for c in gateway.conversations(ADMIN_TOKEN, channel=INSTANCE):
                if c["customer_address"] != call.from_:
                    continue
                for e in gateway.transcript(ADMIN_TOKEN, c["id"]):
                    if e["type"] == "message" and \
                            e["message"]["metadata"].get("CallSid") == call.sid:
                        return c
            return None
        return harness.wait_until(find, timeout, f"the conversation of call {call.sid}")

    def conversation(self, gateway, conversation_id):
        return gateway.api_ok("GET", f"/conversations/{conversation_id}",
                              ADMIN_TOKEN)["conversation"]

    def events(self, gateway, conversation_id, kind=None):
        return [e for e in gateway.transcript(ADMIN_TOKEN, conversation_id)
                if e["type"] == "event" and (kind is None or e["event"]["kind"] == kind)]

    def wait_for_event(self, gateway, conversation_id, kind, timeout=30):
        return harness.wait_until(lambda: self.events(gateway, conversation_id, kind), timeout,
                                  f"a {kind} event in conversation {conversation_id}")

    def wait_for_status(self, gateway, conversation_id, status, timeout=30):
        return harness.wait_until(
            lambda: (lambda c: c if c["status"] == status else None)(
                self.conversation(gateway, conversation_id)),
            timeout, f"conversation {conversation_id} {status}")

    def agent_entry(self, gateway, agent_id):
        return next(a for a in gateway.api_ok("GET", "/agents", ADMIN_TOKEN)["agents"]
                    if a["id"] == agent_id)

    # ------------------------------------------------------------------ playing the call
    def assert_menu(self, twiml):
        self.assertEqual(twiml.tags, ["Say", "Gather", "Redirect"], twiml.raw)
        gather = twiml.find("Gather")
        self.assertEqual(set(gather.get("input").split()), {"dtmf", "speech"})
        self.assertEqual(gather.get("numDigits"), "1")
        self.assertEqual(route(twiml, gather.get("action")), ("/ivr", {"attempt": "1"}))
        self.assertEqual([v.tag for v in twiml.verbs[1].children], ["Say"])
        self.assertEqual(route(twiml, twiml.find("Redirect").text.strip()),
                         ("/ivr", {"attempt": "1", "timeout": "1"}))

    def assert_enqueued(self, twiml):
        self.assertEqual(twiml.tags[-1], "Enqueue", twiml.raw)
        enqueue = twiml.find("Enqueue")
        self.assertEqual(enqueue.text.strip(), f"og-{INSTANCE}")
        self.assertEqual(route(twiml, enqueue.get("action"))[0], "/queue-exit")
        self.assertEqual(route(twiml, enqueue.get("waitUrl"))[0], "/wait")
        self.assertEqual(enqueue.get("waitUrlMethod"), "POST")

    def assert_dials(self, twiml, agent_id, recorded=False):
        self.assertEqual(twiml.tags, ["Say", "Dial"] if recorded else ["Dial"], twiml.raw)
        dial = twiml.find("Dial")
        self.assertEqual(route(twiml, dial.get("action"))[0], "/dial-done")
        self.assertEqual(dial.get("timeout"), str(RING_TIMEOUT_S))
        self.assertEqual(dial.get("answerOnBridge"), "true")
        client = twiml.verbs[-1].children
        self.assertEqual([(c.tag, c.text) for c in client], [("Client", agent_id)])
        self.assertEqual(route(twiml, client[0].attrs["statusCallback"])[0], "/agent-status")
        self.assertEqual(set(client[0].attrs["statusCallbackEvent"].split()),
                         {"initiated", "ringing", "answered", "completed"})
        if recorded:
            self.assertEqual(dial.get("record"), "record-from-answer-dual")
            self.assertEqual(route(twiml, dial.get("recordingStatusCallback"))[0], "/recording")

    def enter_queue(self, call, digits="1"):
        self.assert_menu(call.start())
        twiml = call.gather(digits=digits)
        self.assert_enqueued(twiml)
        return twiml

    def until_dialled(self, call, timeout=30):
        """Plays the waiting caller until the gateway takes them out of the queue, either way
        the README allows: <Leave/> from the waitUrl (then the Enqueue action), or a REST
        redirect (the assignment came while no wait request was open). Returns the TwiML with
        the agent's <Dial>."""
        deadline = time.monotonic() + timeout
        while True:
            if call.pending_redirects():
                return call.follow_redirect()
            wait = call.wait()
            if wait.find("Leave") is not None:
                return call.queue_exit("leave")
            self.assertTrue(set(wait.tags) <= {"Say", "Play", "Pause"}, wait.raw)
            if time.monotonic() > deadline:
                raise AssertionError(f"call {call.sid} never left the queue; last {wait.raw!r}")

    def answered_call(self, standin, gateway, n=1, agent_id="alice", recorded=False):
        call = self.new_call(standin, gateway, n)
        self.enter_queue(call)
        self.assert_dials(self.until_dialled(call), agent_id, recorded)
        for status in ("initiated", "ringing", "in-progress"):
            self.assertEqual(call.agent_status(status).status, 200, status)
        return call

    # ================================================================== (a) a full call
    def test_a_full_call_is_in_the_transcript_step_by_step(self):
        standin, gateway = self.start_system(record_calls=True)
        self.add_agent(gateway, "alice")
        call = self.new_call(standin, gateway)
        self.enter_queue(call)
        conversation = self.conversation_of(gateway, call)
        self.assertEqual((conversation["channel_kind"], conversation["customer_address"],
                          conversation["our_address"]), ("voice", call.from_, OUR_NUMBER))
        self.assertIn("billing", [s["skill"] for s in conversation["skills"]])

        dial = self.until_dialled(call)
        self.assert_dials(dial, "alice", recorded=True)
        self.assertEqual(self.conversation(gateway, conversation["id"])["assigned_agent"],
                         "alice")
        for status in ("initiated", "ringing", "in-progress"):
            self.assertEqual(call.agent_status(status).status, 200, status)
        self.assertEqual(call.dial_done("completed", duration=42).tags, ["Hangup"])
        self.assertEqual(call.status("completed", duration=75).status, 200)
        self.assertEqual(call.recording().status, 200)
        recording = call.last_recording
        self.assertEqual(call.transcription("I have a question about my invoice").status, 200)

        cid = conversation["id"]
        self.wait_for_event(gateway, cid, "call.recording")
        self.wait_for_event(gateway, cid, "call.transcription")
        self.wait_for_status(gateway, cid, "resolved")
        transcript = gateway.transcript(ADMIN_TOKEN, cid)
        kinds = [e["event"]["kind"] if e["type"] == "event" else "message" for e in transcript]
        steps = ["message", "conversation.assigned", "call.agent_dialled", "call.agent_answered",
                 "call.completed", "call.recording", "call.transcription"]
        positions = [kinds.index(step) for step in steps]
        self.assertEqual(positions, sorted(positions), f"steps out of order: {kinds}")
        at = [e["at"] for e in transcript]
        self.assertEqual(at, sorted(at), "timestamps must follow the commit order")
        self.assertTrue(all(isinstance(t, int) and t > 1_700_000_000_000 for t in at))

        message = transcript[kinds.index("message")]["message"]
        self.assertEqual(message["direction"], "in")
        self.assertIn(call.from_, message["body_text"])
        self.assertIn("Ada Lovelace", message["body_text"])
        self.assertIn("Billing", message["body_text"])
        self.assertEqual({k: message["metadata"].get(k) for k in (
            "CallSid", "From", "To", "Direction", "CallerName", "ivr_digits")},
            {"CallSid": call.sid, "From": call.from_, "To": OUR_NUMBER, "Direction": "inbound",
             "CallerName": "Ada Lovelace", "ivr_digits": "1"})

        data = {k: transcript[kinds.index(k)]["event"]["data"] for k in steps[2:]}
        self.assertEqual(data["call.agent_dialled"]["agent"], "alice")
        self.assertEqual(data["call.agent_answered"]["agent"], "alice")
        self.assertEqual(data["call.completed"]["duration_s"], 75)
        self.assertEqual(data["call.recording"]["recording_sid"], recording["sid"])
        self.assertEqual(data["call.recording"]["bytes"], recording["size_bytes"])
        self.assertEqual((data["call.transcription"]["recording_sid"],
                          data["call.transcription"]["text"],
                          data["call.transcription"]["status"]),
                         (recording["sid"], "I have a question about my invoice", "completed"))

        # The recording was fetched from the stand-in and stored like any attachment.
        fetches = [f for f in StandinControl(standin).snapshot("recording_fetches")
                   if f["sid"] == recording["sid"]]
        self.assertEqual([f["outcome"] for f in fetches], [200])
        event_id = transcript[kinds.index("call.recording")]["event"]["id"]
        rows = self.ws.database().query(
            "SELECT content_type, size, sha256 FROM attachments WHERE event_id = ?", (event_id,))
        self.assertEqual(len(rows), 1, rows)
        self.assertTrue(rows[0][0].startswith("audio/"), rows)
        self.assertEqual(rows[0][1], recording["size_bytes"])
        self.assertRegex(rows[0][2] or "", r"^[0-9a-f]{64}$")

        # Every request was answered, every TwiML document is valid and was followed.
        self.assertEqual([(e["url"], e["status"]) for e in call.log if e["status"] != 200], [])
        self.assertGreaterEqual(len(call.documents), 4)
        self.assertEqual(call.log[0]["verbs"], ["Say", "Gather", "Redirect"])

    # ================================================================== (b) signatures
    def test_unsigned_or_wrongly_signed_webhooks_are_refused_and_nothing_is_stored(self):
        # The driver signs as Twilio does: its signer reproduces Twilio's published example
        # (https://www.twilio.com/docs/usage/webhooks/webhooks-security), so every webhook the
        # gateway accepts in these tests carries a signature made Twilio's way. (The gateway's
        # validator is checked against the same vectors in tests/plugins/sms.)
        published = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"),
                     ("Digits", "1234"), ("From", "+14158675309"), ("To", "+18005551212")]
        self.assertEqual(twilio.compute_signature(
            "12345", "https://mycompany.com/myapp.php?foo=1&bar=2", published),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        standin, gateway = self.start_system()
        call = self.new_call(standin, gateway)
        params = call.base_params()
        voice = call.url("/voice")
        self.assertEqual(call.post(voice, params, signature="").status, 403, "unsigned")
        self.assertEqual(call.post(voice, params, auth_token="another-token").status, 403)
        over_gateway_url = twilio.compute_signature(harness.AUTH_TOKEN,
                                                    f"{gateway.url}{INSTANCE_PATH}/voice", params)
        self.assertEqual(call.post(voice, params, signature=over_gateway_url).status, 403,
                         "signed over the gateway's address, not the public URL")
        tampered = twilio.compute_signature(harness.AUTH_TOKEN, voice, params)
        forged = [(n, "+447700900999" if n == "From" else v) for n, v in params]
        self.assertEqual(call.post(voice, forged, signature=tampered).status, 403, "tampered")
        for route_name in ("/ivr", "/status", "/wait", "/recording", "/transcription"):
            self.assertEqual(call.post(call.url(route_name), params, signature="").status, 403,
                             route_name)
        self.assertEqual(gateway.conversations(ADMIN_TOKEN), [])
        db = self.ws.database()
        self.assertEqual(db.scalar("SELECT COUNT(*) FROM messages"), 0)
        self.assertEqual(db.scalar("SELECT COUNT(*) FROM events"), 0)
        self.assertEqual(StandinControl(standin).snapshot("calls"), [])

        # The same call correctly signed is taken: the refusals were about the signatures.
        self.enter_queue(call)
        cid = self.conversation_of(gateway, call)["id"]
        before = len(gateway.transcript(ADMIN_TOKEN, cid))
        self.assertEqual(call.post(call.url("/status"),
                                   call.base_params() + [("CallDuration", "3")],
                                   signature="").status, 403)
        self.assertEqual(len(gateway.transcript(ADMIN_TOKEN, cid)), before)
        self.assertEqual(self.conversation(gateway, cid)["status"], "queued")

    def test_repeated_callbacks_are_answered_alike_and_stored_once(self):
        standin, gateway = self.start_system(record_calls=True)
        self.add_agent(gateway, "alice")
        call = self.answered_call(standin, gateway, recorded=True)
        self.assertEqual(call.agent_status("in-progress").status, 200)  # answered, again
        call.dial_done("completed", duration=30)
        for _ in range(2):
            self.assertEqual(call.status("completed", duration=31).status, 200)
        for _ in range(2):
            self.assertEqual(call.recording().status, 200)
        for _ in range(2):
            self.assertEqual(call.transcription("twice", transcription_sid="TR" + "5" * 32).status,
                             200)
        cid = self.conversation_of(gateway, call)["id"]
        self.wait_for_event(gateway, cid, "call.recording")
        self.wait_for_event(gateway, cid, "call.transcription")
        # One more callback after the others: when it is stored, the duplicates had their turn.
        call.status("completed", duration=31)
        kinds = [e["event"]["kind"] for e in self.events(gateway, cid)]
        for kind in ("call.agent_answered", "call.completed", "call.recording",
                     "call.transcription", "conversation.resolved"):
            self.assertEqual(kinds.count(kind), 1, f"{kind} in {kinds}")
        recording_events = [e["event"]["id"] for e in self.events(gateway, cid, "call.recording")]
        self.assertEqual(self.ws.database().scalar(
            "SELECT COUNT(*) FROM attachments WHERE event_id = ?", (recording_events[0],)), 1)

    # ================================================================== (c) bad input
    def test_callbacks_for_an_unknown_call_are_404_and_store_nothing(self):
        standin, gateway = self.start_system()
        stranger = self.new_call(standin, gateway, n=7)  # never started: the gateway never saw it
        self.assertEqual(stranger.post(stranger.url("/status"), stranger.base_params() + [
            ("CallStatus", "completed"), ("CallDuration", "5")]).status, 404)
        self.assertEqual(stranger.post(stranger.url("/dial-done"), stranger.base_params() + [
            ("DialCallStatus", "completed"), ("DialCallSid", twilio.new_sid("CA"))]).status, 404)
        self.assertEqual(stranger.post(stranger.url("/agent-status"), stranger.base_params()
                                       + [("ParentCallSid", twilio.new_sid("CA"))]).status, 404)
        self.assertEqual(stranger.recording(size_bytes=2000).status, 404)
        self.assertEqual(stranger.transcription("who am I").status, 404)
        self.assertEqual(stranger.post(stranger.url("/wait"), stranger.base_params()).status, 404)
        self.assertEqual(gateway.conversations(ADMIN_TOKEN), [])
        self.assertEqual(self.ws.database().scalar("SELECT COUNT(*) FROM events"), 0)
        self.assertEqual([f for f in StandinControl(standin).snapshot("recording_fetches")], [])

    def test_recordings_on_private_addresses_are_refused_by_the_ssrf_guard(self):
        standin, gateway = self.start_system()
        call = self.new_call(standin, gateway)
        self.enter_queue(call)
        cid = self.conversation_of(gateway, call)["id"]
        private = {
            "RE" + "a" * 32: "http://10.0.0.1/recording.wav",
            "RE" + "b" * 32: "http://169.254.169.254/latest/meta-data/",
            # Loopback, but not the stand-in's origin (api_base): the gateway itself.
            "RE" + "c" * 32: f"http://127.0.0.1:{gateway.port}/healthz",
        }
        for sid, url in private.items():
            self.assertEqual(call.recording(recording_sid=sid, url=url, duration=4).status, 200,
                             url)
        failed = harness.wait_until(
            lambda: (lambda e: e if len(e) == len(private) else None)(
                self.events(gateway, cid, "call.recording_failed")),
            30, "a call.recording_failed event per private URL")
        self.assertEqual({e["event"]["data"]["recording_sid"] for e in failed}, set(private))
        for e in failed:
            self.assertTrue(e["event"]["data"].get("reason"), e)
        self.assertEqual(self.events(gateway, cid, "call.recording"), [])
        self.assertEqual(self.ws.database().scalar(
            "SELECT COUNT(*) FROM attachments WHERE size > 0"), 0)

    def test_an_oversized_recording_is_not_stored(self):
        standin, gateway = self.start_system()
        call = self.new_call(standin, gateway)
        self.enter_queue(call)
        cid = self.conversation_of(gateway, call)["id"]
        self.assertEqual(call.recording(size_bytes=2 * MAX_RECORDING_BYTES).status, 200)
        oversized = call.last_recording["sid"]
        failed = self.wait_for_event(gateway, cid, "call.recording_failed")
        self.assertEqual(failed[0]["event"]["data"]["recording_sid"], oversized)
        self.assertTrue(failed[0]["event"]["data"].get("reason"), failed)
        self.assertEqual(self.events(gateway, cid, "call.recording"), [])
        # A recording under the cap on the same call is stored: the cap, not the call, refused.
        self.assertEqual(call.recording(size_bytes=MAX_RECORDING_BYTES // 2).status, 200)
        stored = self.wait_for_event(gateway, cid, "call.recording")
        self.assertEqual(stored[0]["event"]["data"]["bytes"], MAX_RECORDING_BYTES // 2)

    def test_the_instances_fetch_limit_bounds_recordings(self):
        """A recording over the gateway's default fetch limit (4 MiB) is stored when the
        operator raised the instance's max_fetch_bytes; one over that limit is refused by the
        host's HTTP client, not read whole, and named as such."""
        mib = 1024 * 1024
        standin, gateway = self.start_system(instance={"max_fetch_bytes": 6 * mib},
                                             max_recording_bytes=64 * mib)
        call = self.new_call(standin, gateway)
        self.enter_queue(call)
        cid = self.conversation_of(gateway, call)["id"]
        self.assertEqual(call.recording(size_bytes=5 * mib).status, 200)
        stored = self.wait_for_event(gateway, cid, "call.recording")
        self.assertEqual(stored[0]["event"]["data"]["bytes"], 5 * mib)
        self.assertEqual(call.recording(size_bytes=7 * mib).status, 200)
        failed = self.wait_for_event(gateway, cid, "call.recording_failed")
        self.assertIn("larger than", failed[0]["event"]["data"]["reason"])

    def test_malformed_form_bodies_are_400_and_store_nothing(self):
        standin, gateway = self.start_system()
        call = self.new_call(standin, gateway)
        voice = call.url("/voice")
        without_sid = [(n, v) for n, v in call.base_params() if n != "CallSid"]
        answer = call.post(voice, without_sid)
        self.assertEqual((answer.status, answer.body.startswith(b"CallSid")), (400, True),
                         answer.body)
        # Signed, but nothing a call webhook carries (an XML document as a field name).
        self.assertEqual(call.post(voice, [("<Response><Hangup/></Response>", "")]).status, 400)
        # Over the routes' body limit (64 KiB).
        big = call.base_params() + [("Padding", "x" * (65 * 1024))]
        self.assertEqual(call.post(voice, big).status, 413)
        self.assertEqual(gateway.conversations(ADMIN_TOKEN), [])
        self.assertEqual(self.ws.database().scalar("SELECT COUNT(*) FROM messages"), 0)
        # A broken percent-escape in a field (signed as a lenient parser keeps it): a caller is on
        # the line, so the call is answered, and its message is kept flagged with the raw body.
        without_to = [(n, v) for n, v in call.base_params() if n != "To"]
        broken = without_to + [("To", "%ZZ1")]
        raw = urllib.parse.urlencode(without_to).encode() + b"&To=%ZZ1"
        answer = call.post(voice, broken, body=raw)
        self.assertEqual(answer.status, 200, answer.body)
        call.twiml = Twiml(voice, answer.body)  # the menu: the caller goes on from there
        self.assertEqual(call.gather(digits="1").tags[-1], "Enqueue")
        cid = self.conversation_of(gateway, call)["id"]
        message = next(e["message"] for e in gateway.transcript(ADMIN_TOKEN, cid)
                       if e["type"] == "message")
        self.assertTrue(message["malformed"], message)

    # ================================================================== (d) the paths
    def test_a_caller_who_hangs_up_in_the_queue_is_abandoned_and_counted(self):
        standin, gateway = self.start_system()  # nobody online: the call waits
        call = self.new_call(standin, gateway)
        self.enter_queue(call)
        cid = self.conversation_of(gateway, call)["id"]
        queued_at = time.time()
        # The first wait request tells the caller their place at once; the next is held (a
        # deferred reply) until routing has news or hold_poll_ms has passed, then hold music.
        first = call.wait()
        self.assertEqual(first.tags[0], "Say", first.raw)
        self.assertIn("number 1", first.find("Say").text)
        held_from = time.monotonic()
        hold = call.wait()
        self.assertGreaterEqual((time.monotonic() - held_from) * 1000, HOLD_POLL_MS * 0.9)
        self.assertTrue(hold.tags and set(hold.tags) <= {"Play", "Pause"}, hold.raw)
        self.assertEqual(call.queue_exit("hangup").tags, [])
        self.assertEqual(call.status("completed", duration=9).status, 200)
        waited_ms = (time.time() - queued_at) * 1000

        abandoned = self.wait_for_event(gateway, cid, "conversation.abandoned")
        self.wait_for_status(gateway, cid, "closed")
        wait_ms = abandoned[0]["event"]["data"]["wait_ms"]
        self.assertGreaterEqual(wait_ms, HOLD_POLL_MS / 2)
        self.assertLessEqual(wait_ms, waited_ms + 5000)
        self.assertEqual(self.wait_for_event(gateway, cid, "call.abandoned")[0]["event"]["data"]
                         ["wait_ms"], wait_ms)
        self.assertEqual(self.events(gateway, cid, "call.completed"), [])
        kpis = gateway.api_ok("GET", "/kpis", ADMIN_TOKEN)
        voice = [c for c in kpis["by_channel"] if c["channel"] == INSTANCE]
        self.assertEqual(len(voice), 1, kpis)
        self.assertEqual((voice[0]["contacts"], voice[0]["answered"], voice[0]["abandoned"]),
                         (1, 0, 1), voice)

    def assert_voicemail_record(self, twiml):
        self.assertEqual(twiml.tags[-1], "Record", twiml.raw)
        record = twiml.find("Record")
        self.assertEqual(route(twiml, record.get("action"))[0], "/voicemail-done")
        self.assertEqual(route(twiml, record.get("recordingStatusCallback"))[0], "/recording")
        self.assertEqual(record.get("transcribe"), "true")
        self.assertEqual(route(twiml, record.get("transcribeCallback"))[0], "/transcription")
        self.assertEqual(record.get("maxLength"), "60")

    def leave_voicemail(self, gateway, call, text):
        self.assertEqual(call.voicemail_done(duration=9).tags, ["Say", "Hangup"])
        self.assertEqual(call.status("completed", duration=25).status, 200)
        self.assertEqual(call.recording().status, 200)
        self.assertEqual(call.transcription(text).status, 200)
        cid = self.conversation_of(gateway, call)["id"]

        def voicemail():
            messages = [e["message"] for e in gateway.transcript(ADMIN_TOKEN, cid)
                        if e["type"] == "message"]
            done = [m for m in messages if m["attachments"]]
            return done[0] if done else None
        # The voicemail is the conversation's message, its recording attached; the
        # transcription, which the provider sends later, is an event beside it.
        message = harness.wait_until(voicemail, 30, "the voicemail with its recording")
        self.assertTrue(message["body_text"].startswith("Voicemail from " + call.from_),
                        message["body_text"])
        self.assertEqual(message["metadata"]["CallSid"], call.sid)
        self.assertEqual(len(message["attachments"]), 1)
        attachment = message["attachments"][0]
        self.assertTrue(attachment["content_type"].startswith("audio/"), attachment)
        self.assertEqual(attachment["size"], call.last_recording["size_bytes"])
        transcription = self.wait_for_event(gateway, cid, "call.transcription")
        self.assertEqual(transcription[0]["event"]["data"]["text"], text)
        return cid

    def test_option_9_leaves_a_voicemail_with_its_recording_and_transcription(self):
        standin, gateway = self.start_system(voicemail_max_s=60)
        call = self.new_call(standin, gateway)
        self.assert_menu(call.start())
        self.assert_voicemail_record(call.gather(digits="9"))
        self.leave_voicemail(gateway, call, "Please call me back about my bill")

    def test_outside_service_hours_callers_go_to_voicemail(self):
        today = datetime.datetime.now(datetime.timezone.utc).date()
        closed = [str(today + datetime.timedelta(days=d)) for d in (-1, 0, 1)]
        standin, gateway = self.start_system(voicemail_max_s=60, service_hours={
            "time_zone": "UTC", "weekly": ["mon-sun 00:00-23:59"], "closed": closed})
        call = self.new_call(standin, gateway)
        twiml = call.start()
        self.assertNotIn("Gather", twiml.tags)
        self.assertNotIn("Enqueue", twiml.tags)
        self.assert_voicemail_record(twiml)
        self.leave_voicemail(gateway, call, "It is late, call me tomorrow")

    def test_an_agent_who_does_not_answer_gives_the_call_to_the_next(self):
        standin, gateway = self.start_system()
        self.add_agent(gateway, "alice")
        bob = self.add_agent(gateway, "bob", online=False)
        call = self.new_call(standin, gateway)
        self.enter_queue(call)
        cid = self.conversation_of(gateway, call)["id"]
        self.assert_dials(self.until_dialled(call), "alice")
        self.assertEqual(call.agent_status("ringing").status, 200)
        self.assertEqual(call.agent_status("no-answer").status, 200)
        back = call.dial_done("no-answer")
        self.assert_enqueued(back)  # the caller waits again, at their place

        no_answer = self.wait_for_event(gateway, cid, "call.agent_no_answer")
        self.assertEqual(no_answer[0]["event"]["data"]["agent"], "alice")
        self.wait_for_event(gateway, cid, "conversation.requeued")
        self.wait_for_status(gateway, cid, "queued")
        hold = call.wait()  # alice is online and free, but is not offered it again
        self.assertIsNone(hold.find("Leave"), hold.raw)
        self.assertIsNone(self.conversation(gateway, cid)["assigned_agent"])
        self.assertEqual(call.pending_redirects(), [])

        self.set_presence(gateway, bob, "online")
        self.assert_dials(self.until_dialled(call), "bob")
        self.assertEqual(call.agent_status("in-progress").status, 200)
        self.assertEqual(self.conversation(gateway, cid)["assigned_agent"], "bob")
        answered = self.wait_for_event(gateway, cid, "call.agent_answered")
        self.assertEqual([e["event"]["data"]["agent"] for e in answered], ["bob"])
        assigned = [e["event"]["data"]["agent"]
                    for e in self.events(gateway, cid, "conversation.assigned")]
        self.assertEqual(assigned, ["alice", "bob"])

    def test_a_warm_transfer_brings_the_second_agent_into_a_conference(self):
        standin, gateway = self.start_system()
        self.add_agent(gateway, "alice")
        call = self.answered_call(standin, gateway)
        cid = self.conversation_of(gateway, call)["id"]
        self.add_agent(gateway, "bob")
        answer = gateway.api_ok("POST", f"/conversations/{cid}/transfer", ADMIN_TOKEN,
                                {"agent_id": "bob", "mode": "warm"})
        self.assertEqual(answer["status"], "transferred")

        # The provider is asked to create bob's leg into the conference ...
        created = harness.wait_until(
            lambda: [c for c in StandinControl(standin).snapshot("calls") if c["outcome"] == 201], 30,
            "the REST create of bob's leg")
        self.assertEqual(len(created), 1, created)
        form = dict(created[0]["form"])
        self.assertEqual(form["To"], "client:bob")
        self.assertEqual(form["Timeout"], str(RING_TIMEOUT_S))
        leg_url = urllib.parse.urlsplit(form["Url"])
        self.assertEqual(leg_url.path, f"{INSTANCE_PATH}/conference")
        self.assertEqual(dict(urllib.parse.parse_qsl(leg_url.query)).get("role"), "agent")
        self.assertTrue(form["StatusCallback"].endswith(f"{INSTANCE_PATH}/agent-status"))
        events = " ".join(v for n, v in created[0]["form"] if n == "StatusCallbackEvent").split()
        self.assertEqual(set(events), {"initiated", "ringing", "answered", "completed"})
        # ... alice's leg is moved into it by a REST redirect (Twilio's hold-by-conference
        # pattern) — which ends the caller's <Dial>, whose action then puts the caller in too.
        alice_leg = call.agent_leg_sid
        moved = harness.wait_until(
            lambda: [u for u in StandinControl(standin).snapshot("call_updates")
                     if u["call_sid"] == alice_leg and u["outcome"] == 200], 30,
            "the REST redirect of alice's leg")
        agent_url = urllib.parse.urlsplit(dict(moved[0]["form"])["Url"])
        self.assertEqual(agent_url.path, f"{INSTANCE_PATH}/conference")
        self.assertEqual(dict(urllib.parse.parse_qsl(agent_url.query)).get("role"), "agent")
        conference = call.dial_done("completed", duration=30)
        self.assertEqual(conference.tags, ["Dial"], conference.raw)
        room = conference.find("Conference")
        self.assertIsNotNone(room, conference.raw)
        self.assertEqual(room.text.strip(), f"og-{call.sid}")
        self.assertEqual(room.get("endConferenceOnExit"), "true")  # the caller ends it

        bob_leg = VoiceCall.outbound(standin, gateway.url, harness.PUBLIC_BASE_URL,
                                     harness.AUTH_TOKEN, created[0], instance_path=INSTANCE_PATH,
                                     account_sid=harness.ACCOUNT_SID)
        self.assertEqual(bob_leg.status("ringing").status, 200)
        joined = bob_leg.start()
        self.assertEqual(joined.find("Conference").text.strip(), f"og-{call.sid}")
        self.assertEqual(bob_leg.status("in-progress").status, 200)

        transfer = self.wait_for_event(gateway, cid, "call.transfer")
        self.assertEqual({k: transfer[0]["event"]["data"][k] for k in ("mode", "from", "to")},
                         {"mode": "warm", "from": "alice", "to": "bob"})
        self.wait_for_event(gateway, cid, "call.transfer_joined")
        harness.wait_until(lambda: self.conversation(gateway, cid)["assigned_agent"] == "bob",
                           30, "bob holds the conversation")
        # When alice has left, the call goes on with bob; the caller hanging up ends it.
        self.assertEqual(call.status("completed", duration=95).status, 200)
        self.wait_for_status(gateway, cid, "resolved")

    def test_wrap_up_holds_the_next_call_until_it_has_passed(self):
        standin, gateway = self.start_system(routing={"wrap_up": {"voice": 2}})
        self.add_agent(gateway, "alice")
        first = self.answered_call(standin, gateway, n=1)
        first.dial_done("completed", duration=20)
        self.assertEqual(first.status("completed", duration=22).status, 200)
        first_id = self.conversation_of(gateway, first)["id"]
        self.wait_for_status(gateway, first_id, "resolved")
        alice = harness.wait_until(
            lambda: (lambda a: a if a.get("wrap_up_until") else None)(
                self.agent_entry(gateway, "alice")),
            10, "alice's wrap_up_until")
        wrap_up_until = alice["wrap_up_until"]
        self.assertEqual(alice["routing_presence"], "wrap_up")
        now_ms = int(time.time() * 1000)
        self.assertGreater(wrap_up_until, now_ms - 1000)
        self.assertLessEqual(wrap_up_until, now_ms + 2000 + 1000)

        second = self.new_call(standin, gateway, n=2)
        self.enter_queue(second)
        second_id = self.conversation_of(gateway, second)["id"]
        if time.time() * 1000 < wrap_up_until - 300:
            self.assertIsNone(self.conversation(gateway, second_id)["assigned_agent"],
                              "offered during alice's wrap-up")
        self.assert_dials(self.until_dialled(second), "alice")
        assigned = self.events(gateway, second_id, "conversation.assigned")
        self.assertEqual(assigned[0]["event"]["data"]["agent"], "alice")
        self.assertGreaterEqual(assigned[0]["at"], wrap_up_until)
        self.assertIsNone(self.agent_entry(gateway, "alice").get("wrap_up_until"))

    def test_a_p1_call_in_the_queue_is_measured_against_15_minutes(self):
        # Tier C's office calendar would move the deadline outside office hours: this test
        # wants the plain 15 minutes of the P1 phone target, so C is served around the clock.
        standin, gateway = self.start_system(routing={"tiers": {"C": {"calendar": "24x7"}}})
        call = self.new_call(standin, gateway)
        self.enter_queue(call, digits="2")
        cid = self.conversation_of(gateway, call)["id"]
        # The deadline is stored just after the call joins the queue.
        conversation = harness.wait_until(
            lambda: (c := self.conversation(gateway, cid))["first_response_due"] and c, 10,
            "the stored first-response deadline")
        self.assertEqual(conversation["priority"], 1)
        queue = gateway.api_ok("GET", "/queue", ADMIN_TOKEN)
        entry = next(q for q in queue["queued"] if q["conversation_id"] == cid)
        self.assertEqual((entry["priority"], entry["channel_kind"]), (1, "voice"))
        self.assertEqual(entry["first_response_due"] - entry["queued_at"], 15 * 60 * 1000)
        self.assertEqual(conversation["first_response_due"], entry["first_response_due"])
        self.assertLessEqual(entry["first_response_ms_left"], 15 * 60 * 1000)


if __name__ == "__main__":
    harness.main()
