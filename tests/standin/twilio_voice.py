"""Plays Twilio's part of a phone call against a gateway (python3 stdlib only).

A VoiceCall posts the webhooks Twilio posts during a call, signed as Twilio signs them, and
follows the TwiML it gets back as Twilio would: the URLs it requests are the ones the TwiML
names (absolute, or relative to the document that named them), mapped from the public base URL
the provider was given to the gateway's real address. It is generic TwiML-following: nothing
in it knows the voice plugin's routes except the two a number is configured with in the console
(`/voice` for incoming calls and `/status` for status changes) and the defaults named below.

    call = VoiceCall(standin, gateway.url, PUBLIC_BASE_URL, AUTH_TOKEN, from_="+447700900123")
    twiml = call.start()                    # incoming call → <Gather>…
    twiml = call.gather(digits="1")         # → <Say/><Enqueue waitUrl=…>
    call.wait_until_leave(timeout=30)       # waitUrl until <Leave/>
    twiml = call.queue_exit("leave")        # → <Dial><Client>alice</Client></Dial>
    call.agent_status("in-progress")        # the agent answered
    call.dial_done("completed", duration=42)
    call.status("completed", duration=60)
    call.recording(); call.transcription("hello")

`standin` (a TwilioStandin, harness.Standin, or the stand-in's base URL; None without one) is
told about the calls played, so that the gateway's REST requests about them (redirects, hang-ups,
recording pauses) find them, and it provides the recordings' media. Every request and answer is
in `call.log` with its time. Wire fields: README.md in this directory, "Voice".
"""

import collections
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree

import twilio

Response = collections.namedtuple("Response", "status body headers")


class TwimlError(AssertionError):
    """The gateway's answer is not what Twilio could follow (status, XML, missing verb)."""


class Verb(collections.namedtuple("Verb", "tag attrs body")):
    """One TwiML verb or noun: body is its text, or the list of its nested Verbs."""

    @property
    def text(self):
        return self.body if isinstance(self.body, str) else ""

    @property
    def children(self):
        return self.body if isinstance(self.body, list) else []


def _verb(element):
    if len(element):
        return Verb(element.tag, dict(element.attrib), [_verb(child) for child in element])
    return Verb(element.tag, dict(element.attrib), (element.text or "").strip())


class Twiml:
    """A parsed TwiML document and the (public) URL it was fetched from."""

    def __init__(self, url, raw):
        self.url = url
        self.raw = raw
        try:
            self.root = ElementTree.fromstring(raw)
        except ElementTree.ParseError as e:
            raise TwimlError(f"TwiML from {url} is not valid XML ({e}): {raw[:300]!r}") from None
        if self.root.tag != "Response":
            raise TwimlError(f"TwiML from {url} has root <{self.root.tag}>, not <Response>")
        self.verbs = [_verb(element) for element in self.root]

    @property
    def tags(self):
        """The top-level verbs' names, in order."""
        return [verb.tag for verb in self.verbs]

    def find(self, tag):
        """The first element named tag at any depth (an ElementTree Element), or None."""
        return next(self.root.iter(tag), None)

    def findall(self, tag):
        return list(self.root.iter(tag))

    def following(self, element):
        """The top-level elements after element (the verbs Twilio executes next)."""
        top = list(self.root)
        return top[top.index(element) + 1:]

    def __repr__(self):
        return f"Twiml({self.url!r}, {self.tags})"


class StandinControl:
    """The stand-in's control API over HTTP, so that an in-process TwilioStandin and one run
    as a subprocess (tests/integration/harness.py) are driven alike."""

    def __init__(self, standin):
        if isinstance(standin, str):
            self.url = standin.rstrip("/")
        else:
            self.url = getattr(standin, "base_url", None) or standin.url

    def _request(self, method, what, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}/_control/{what}", data=data,
                                         headers={"Content-Type": "application/json"},
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as e:
            raise AssertionError(f"stand-in control {what}: HTTP {e.code} {e.read()[:300]!r}") \
                from None

    def snapshot(self, what):
        return self._request("GET", what)

    def register_call(self, sid, from_, to, direction, status, parent_call_sid=None,
                      caller_name=None):
        return self._request("POST", "calls", {
            "sid": sid, "from": from_, "to": to, "direction": direction, "status": status,
            "parent_call_sid": parent_call_sid, "caller_name": caller_name})

    def set_call_status(self, sid, status, duration=None):
        return self._request("POST", "call_status",
                             {"sid": sid, "status": status, "duration": duration})

    def add_recording(self, size_bytes=None, duration_s=3, call_sid=None):
        return self._request("POST", "recordings", {"size_bytes": size_bytes,
                                                    "duration_s": duration_s,
                                                    "call_sid": call_sid})

    def start_recording(self, call_sid, duration_s=3):
        return self._request("POST", "start_recording",
                             {"call_sid": call_sid, "duration_s": duration_s})


class VoiceCall:
    """One call leg as Twilio plays it. See the module's docstring."""

    def __init__(self, standin, gateway_url, public_base_url, auth_token,
                 instance_path="/channels/voice", from_="+447700900123", to="+441632960000",
                 caller_name=None, account_sid=None, call_sid=None, direction="inbound",
                 start_url=None, status_callback=None, parent_call_sid=None, timeout=30.0):
        self.standin = StandinControl(standin) if standin is not None else None
        self.gateway_url = gateway_url.rstrip("/")
        self.public_base_url = public_base_url.rstrip("/")
        self.auth_token = auth_token
        self.instance_path = instance_path
        self.from_, self.to, self.caller_name = from_, to, caller_name
        self.account_sid = account_sid or getattr(standin, "account_sid", None) or "AC" + "0" * 32
        self.sid = call_sid or twilio.new_sid("CA")
        self.direction = direction
        self.parent_call_sid = parent_call_sid
        self.start_url = start_url or self.url("/voice")
        self.status_callback = status_callback or self.url("/status")
        self.timeout = timeout
        self.call_status = "ringing"
        self.twiml = None          # the document the call is executing
        self.wait_twiml = None     # the last waitUrl document (played while queued)
        self.documents = []        # every TwiML document fetched, in order
        self.log = []              # every request: time, method, url, target, params, answer
        self.ended = False
        self.enqueue = None        # (document, <Enqueue> element) while the caller is queued
        self.queued_at = None
        self.queue_sid = twilio.new_sid("QU")
        self.agent_leg_sid = None  # the <Dial> leg of the current document's <Dial>
        self.active_recording = None  # {"sid", "url", "duration"} started by <Dial record>
        self.last_recording = None    # the recording the callbacks speak of
        self._sequence = 0
        self._followed_updates = 0

    @classmethod
    def outbound(cls, standin, gateway_url, public_base_url, auth_token, create_request,
                 **options):
        """The leg of a call the gateway created through the REST API: create_request is the
        stand-in's record of the create-Call request (snapshot("calls") entry). start() then
        fetches its Url as Twilio does when the callee answers, and status() posts to its
        StatusCallback."""
        form = {}
        for name, value in create_request["form"]:
            form.setdefault(name, value)
        return cls(standin, gateway_url, public_base_url, auth_token, from_=form.get("From", ""),
                   to=form.get("To", ""), call_sid=create_request["sid"],
                   direction="outbound-api", start_url=form["Url"],
                   status_callback=form.get("StatusCallback") or None, **options)

    # ------------------------------------------------------------------ URLs and requests
    def url(self, route):
        """The public URL of one of the instance's routes ("/voice")."""
        return f"{self.public_base_url}{self.instance_path}{route}"

    def _resolve(self, url, document=None):
        """An absolute public URL: url as TwiML gave it, relative to the document's URL."""
        base = (document or self.twiml).url if (document or self.twiml) else self.start_url
        return urllib.parse.urljoin(base, url)

    def _target(self, public_url):
        """Where a request for public_url really goes: the gateway behind the public base URL."""
        if public_url != self.public_base_url and \
                not public_url.startswith(self.public_base_url + "/"):
            raise TwimlError(f"the TwiML sends the provider to {public_url}, outside the "
                             f"gateway's public base URL {self.public_base_url}")
        return self.gateway_url + public_url[len(self.public_base_url):]

    def base_params(self):
        """The parameters Twilio sends with every request about the call
        (https://www.twilio.com/docs/voice/twiml#request-parameters)."""
        params = [("AccountSid", self.account_sid), ("ApiVersion", twilio.API_VERSION),
                  ("CallSid", self.sid), ("CallStatus", self.call_status),
                  ("Called", self.to), ("Caller", self.from_), ("Direction", self.direction),
                  ("From", self.from_), ("To", self.to)]
        if self.caller_name is not None:
            params.append(("CallerName", self.caller_name))
        if self.parent_call_sid:
            params.append(("ParentCallSid", self.parent_call_sid))
        return params

    def post(self, url, params, method="POST", signature=None, auth_token=None, body=None,
             content_type="application/x-www-form-urlencoded", headers=None):
        """One request as Twilio makes it, to the public URL url (made absolute against the
        current document): form-encoded params (a GET carries them in the query), signed with
        X-Twilio-Signature over the public URL. signature overrides the header ("" leaves it
        out), auth_token signs with another key, body replaces the encoded params. Returns a
        Response and never raises on an HTTP error status."""
        public_url = self._resolve(url)
        pairs = list(params)
        if method == "GET":
            if pairs:
                public_url += ("&" if urllib.parse.urlsplit(public_url).query else "?") + \
                    urllib.parse.urlencode(pairs)
            signed_pairs, data = [], None
        else:
            signed_pairs = pairs
            data = body if body is not None else urllib.parse.urlencode(pairs).encode()
        all_headers = {"User-Agent": twilio.USER_AGENT, "Accept": "*/*",
                       "I-Twilio-Idempotency-Token": secrets.token_hex(16)}
        if data is not None:
            all_headers["Content-Type"] = content_type
        if signature is None:
            signature = twilio.compute_signature(auth_token or self.auth_token, public_url,
                                                 signed_pairs)
        if signature:
            all_headers["X-Twilio-Signature"] = signature
        all_headers.update(headers or {})
        target = self._target(public_url)
        request = urllib.request.Request(target, data=data, headers=all_headers, method=method)
        entry = {"time": time.time(), "method": method, "url": public_url, "target": target,
                 "params": pairs}
        self.log.append(entry)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                response = Response(answer.status, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as e:
            response = Response(e.code, e.read(), dict(e.headers))
        entry.update({"answered": time.time(), "status": response.status,
                      "body": response.body.decode("utf-8", "replace")})
        return response

    def _callback(self, url, params, method="POST"):
        """A callback whose answer Twilio ignores but for its status (status, recording...)."""
        return self.post(url, params, method or "POST")

    def _navigate(self, url, params, method="POST", document=None):
        """Requests url (relative to document, or the current one) and makes the TwiML
        answer the call's current document."""
        public_url = self._resolve(url, document)
        response = self.post(public_url, params, method or "POST")
        if response.status != 200:
            raise TwimlError(f"{method} {public_url}: HTTP {response.status} "
                             f"{response.body[:300]!r}")
        twiml = Twiml(public_url, response.body)
        self.log[-1]["verbs"] = twiml.tags
        self.documents.append(twiml)
        self.twiml = twiml
        self._entered(twiml)
        return twiml

    def _entered(self, twiml):
        """What executing a new document starts: the queue, an agent leg, a hang-up."""
        enqueue = twiml.find("Enqueue")
        if enqueue is not None:
            self.enqueue = (twiml, enqueue)
            self.queued_at = time.monotonic()
        dial = twiml.find("Dial")
        if dial is not None:
            self.agent_leg_sid = twilio.new_sid("CA")
            noun = self._dial_noun(dial)
            if self.standin and noun is not None and noun.tag in ("Client", "Sip", "Number"):
                self.standin.register_call(self.agent_leg_sid, self.from_, _dialled(noun),
                                           "outbound-dial", "queued", self.sid)
        if twiml.tags and twiml.tags[-1] in ("Hangup", "Reject") and \
                not any(t in twiml.tags for t in ("Enqueue", "Dial", "Gather", "Record")):
            self.ended = True

    @staticmethod
    def _dial_noun(dial):
        return next((child for child in dial if child.tag in ("Client", "Sip", "Number",
                                                              "Conference", "Queue")), None)

    def _require(self, tag, twiml=None):
        twiml = twiml or self.twiml
        element = twiml.find(tag) if twiml else None
        if element is None:
            raise TwimlError(f"no <{tag}> in the current TwiML {twiml}")
        return element

    def _continue(self, twiml, element):
        """Twilio goes on with the verbs after element: plays what needs no request, follows
        a <Redirect>, hangs up at <Hangup>/<Reject> or at the end of the document, and stops at
        a verb that needs the test to say how it ends (the driver's methods)."""
        for verb in twiml.following(element):
            if verb.tag in ("Say", "Play", "Pause"):
                continue
            if verb.tag == "Redirect":
                return self._navigate((verb.text or "").strip(), self.base_params(),
                                      verb.get("method", "POST"), twiml)
            if verb.tag in ("Hangup", "Reject"):
                self.ended = True
                return None
            return twiml
        self.ended = True
        return None

    def _timestamped(self, params):
        self._sequence += 1
        return params + [("Timestamp", twilio.rfc2822_now()),
                         ("CallbackSource", "call-progress-events"),
                         ("SequenceNumber", str(self._sequence - 1))]

    # ------------------------------------------------------------------ the call
    def start(self):
        """The call reaches the gateway: Twilio requests the number's voice URL (an incoming
        call: CallStatus ringing) or the created call's Url (answered: in-progress)."""
        if self.standin:
            self.standin.register_call(self.sid, self.from_, self.to, self.direction,
                                       self.call_status, self.parent_call_sid, self.caller_name)
        if self.direction != "inbound":
            self._set_status("in-progress")
        twiml = self._navigate(self.start_url, self.base_params())
        if self.call_status == "ringing":
            self._set_status("in-progress")  # TwiML executing: the call is answered
        return twiml

    def _set_status(self, status, duration=None):
        self.call_status = status
        if self.standin:
            self.standin.set_call_status(self.sid, status, duration)

    def redirect(self):
        """Follows the current document's <Redirect>."""
        element = self._require("Redirect")
        return self._navigate(element.text.strip(), self.base_params(),
                              element.get("method", "POST"))

    def gather(self, digits=None, speech=None, confidence="0.92"):
        """The caller answers the <Gather>: Digits and/or SpeechResult+Confidence to its action
        (default: the document's own URL). Without either the Gather times out: its action
        when actionOnEmptyResult="true", else the verbs after it (e.g. its <Redirect>)."""
        gather = self._require("Gather")
        params = self.base_params()
        if digits is not None:
            params += [("Digits", str(digits)), ("FinishedOnKey", "")]
        if speech is not None:
            params += [("SpeechResult", speech), ("Confidence", str(confidence))]
        if digits is None and speech is None and gather.get("actionOnEmptyResult") != "true":
            return self._continue(self.twiml, gather)
        return self._navigate(gather.get("action") or self.twiml.url, params,
                              gather.get("method", "POST"))

    def _queue_params(self, extra):
        waited = int(time.monotonic() - self.queued_at) if self.queued_at else 0
        return [("QueueSid", self.queue_sid), ("QueueTime", str(waited))] + extra

    def wait(self, position=1, size=None, avg_queue_time=0):
        """Twilio requests the <Enqueue>'s waitUrl while the caller waits: returns its TwiML
        (played to the caller; the call's document stays the one with the <Enqueue>)."""
        if self.enqueue is None:
            raise TwimlError("the caller is not in a queue")
        document, enqueue = self.enqueue
        wait_url = enqueue.get("waitUrl")
        if not wait_url:
            raise TwimlError(f"<Enqueue> without waitUrl in {document}")
        public_url = self._resolve(wait_url, document)
        method = enqueue.get("waitUrlMethod", "POST")
        params = self.base_params() + self._queue_params([
            ("QueuePosition", str(position)), ("AvgQueueTime", str(avg_queue_time)),
            ("CurrentQueueSize", str(size if size is not None else position)),
            ("MaxQueueSize", "100")])
        response = self.post(public_url, params, method)
        if response.status != 200:
            raise TwimlError(f"{method} {public_url}: HTTP {response.status} "
                             f"{response.body[:300]!r}")
        twiml = Twiml(public_url, response.body)
        self.log[-1]["verbs"] = twiml.tags
        self.documents.append(twiml)
        self.wait_twiml = twiml
        return twiml

    def wait_until_leave(self, timeout=30.0, pause=0.2, position=1):
        """wait() until a waitUrl document holds <Leave/>; returns it. Every document seen on
        the way is in self.documents."""
        deadline = time.monotonic() + timeout
        while True:
            twiml = self.wait(position=position)
            if twiml.find("Leave") is not None:
                return twiml
            if time.monotonic() > deadline:
                raise TwimlError(f"no <Leave/> within {timeout} s; last wait TwiML "
                                 f"{twiml.raw[:300]!r}")
            time.sleep(pause)

    def queue_exit(self, result="leave"):
        """The caller left the queue (QueueResult leave, hangup, redirected, bridged, error,
        system-error): Twilio requests the <Enqueue>'s action, or goes on after it."""
        if self.enqueue is None:
            raise TwimlError("the caller is not in a queue")
        document, enqueue = self.enqueue
        if result == "hangup":
            self._set_status("completed")
        params = self.base_params() + self._queue_params([("QueueResult", result)])
        self.enqueue, self.queued_at = None, None
        if not enqueue.get("action"):
            return self._continue(document, enqueue)
        return self._navigate(enqueue.get("action"), params, enqueue.get("method", "POST"),
                              document)

    def agent_status(self, status, leg_sid=None, duration=None):
        """A status of the <Dial>ed agent's leg (CallStatus initiated, ringing, in-progress
        for "answered", completed, busy, no-answer...) to its noun's statusCallback, with the
        leg's CallSid and ParentCallSid = this call. Returns the Response."""
        dial = self._require("Dial")
        noun = self._dial_noun(dial)
        if noun is None or not noun.get("statusCallback"):
            raise TwimlError(f"the <Dial> in {self.twiml} has no noun with a statusCallback")
        leg = leg_sid or self.agent_leg_sid
        params = [("AccountSid", self.account_sid), ("ApiVersion", twilio.API_VERSION),
                  ("CallSid", leg), ("ParentCallSid", self.sid), ("CallStatus", status),
                  ("Called", _dialled(noun)), ("Caller", self.from_),
                  ("Direction", "outbound-dial"), ("From", self.from_), ("To", _dialled(noun))]
        if duration is not None:
            params.append(("CallDuration", str(int(duration))))
        if self.standin:
            self.standin.set_call_status(leg, status, duration)
            record = dial.get("record", "")
            if status == "in-progress" and record.startswith("record-from-answer") \
                    and self.active_recording is None:
                self.active_recording = self.standin.start_recording(self.sid)
        return self._callback(noun.get("statusCallback"), self._timestamped(params),
                              noun.get("statusCallbackMethod", "POST"))

    def dial_done(self, status="completed", duration=None, dial_call_sid=None):
        """The <Dial> ended (DialCallStatus completed, answered, busy, no-answer, failed,
        canceled): Twilio requests its action, or goes on after it."""
        dial = self._require("Dial")
        leg = dial_call_sid or self.agent_leg_sid
        params = self.base_params() + [("DialCallStatus", status), ("DialCallSid", leg)]
        if status in ("completed", "answered"):
            params += [("DialCallDuration", str(int(duration or 0))), ("DialBridged", "true")]
            if self.active_recording:
                params += [("RecordingUrl", self.active_recording["url"]),
                           ("RecordingSid", self.active_recording["sid"])]
        if self.standin and leg:
            self.standin.set_call_status(leg, "completed" if status == "answered" else status,
                                         duration)
        if not dial.get("action"):
            return self._continue(self.twiml, dial)
        return self._navigate(dial.get("action"), params, dial.get("method", "POST"))

    def status(self, status, duration=None):
        """The call's status changed (the number's "call status changes" URL, or the created
        call's StatusCallback): CallStatus, and CallDuration once it ended. Returns the
        Response."""
        self._set_status(status, duration)
        params = self.base_params()
        if duration is not None:
            params.append(("CallDuration", str(int(duration))))
        if status in ("completed", "busy", "no-answer", "failed", "canceled"):
            self.ended = True
        return self._callback(self.status_callback, self._timestamped(params))

    def _latest(self, attribute, tags):
        """The newest document element named in tags that has attribute (e.g. the
        recordingStatusCallback of the <Dial> or <Record> that recorded)."""
        for document in reversed(self.documents):
            for tag in tags:
                for element in document.findall(tag):
                    if element.get(attribute):
                        return document, element
        return None, None

    def _recording_for(self, recording_sid, recording_url, duration, size_bytes):
        if recording_sid:
            recording = {"sid": recording_sid, "url": recording_url, "duration": duration}
        elif size_bytes is None and self.active_recording:
            recording = dict(self.active_recording)
        elif size_bytes is None and self.last_recording:
            recording = dict(self.last_recording)
        elif self.standin:
            recording = self.standin.add_recording(size_bytes, duration, self.sid)
        else:
            raise TwimlError("no recording: give recording_sid and url, or a stand-in")
        if duration is not None:
            recording["duration"] = duration
        self.last_recording = recording
        return recording

    def recording(self, recording_sid=None, url=None, duration=None, status="completed",
                  size_bytes=None):
        """A recording is ready: Twilio posts the recordingStatusCallback of the <Dial> or
        <Record> that made it (default: the instance's /recording). Without recording_sid/url
        the recording the call made (or a new one at the stand-in, size_bytes long) is used.
        Returns the Response."""
        recording = self._recording_for(recording_sid, url, duration, size_bytes)
        document, element = self._latest("recordingStatusCallback", ("Dial", "Record"))
        target = self._resolve(element.get("recordingStatusCallback"), document) \
            if element is not None else self.url("/recording")
        method = element.get("recordingStatusCallbackMethod", "POST") if element is not None \
            else "POST"
        voicemail = element is not None and element.tag == "Record"
        params = [("AccountSid", self.account_sid), ("CallSid", self.sid),
                  ("RecordingSid", recording["sid"]), ("RecordingUrl", recording["url"]),
                  ("RecordingStatus", status),
                  ("RecordingDuration", str(recording.get("duration") or 0)),
                  ("RecordingChannels", "1" if voicemail else "2"),
                  ("RecordingStartTime", twilio.rfc2822_now()),
                  ("RecordingSource", "RecordVerb" if voicemail else "DialVerb"),
                  ("RecordingTrack", "both"), ("ErrorCode", "0")]
        return self._callback(target, params, method)

    def transcription(self, text, status="completed", recording_sid=None, recording_url=None,
                      transcription_sid=None):
        """A transcription is ready: Twilio posts the <Record>'s transcribeCallback (default:
        the instance's /transcription). Returns the Response."""
        recording = self.last_recording or {}
        recording_sid = recording_sid or recording.get("sid")
        recording_url = recording_url or recording.get("url")
        sid = transcription_sid or twilio.new_sid("TR")
        document, element = self._latest("transcribeCallback", ("Record",))
        target = self._resolve(element.get("transcribeCallback"), document) \
            if element is not None else self.url("/transcription")
        params = self.base_params() + [
            ("TranscriptionSid", sid), ("TranscriptionText", text),
            ("TranscriptionStatus", status), ("TranscriptionType", "fast"),
            ("TranscriptionUrl", f"https://api.twilio.com/2010-04-01/Accounts/"
                                 f"{self.account_sid}/Transcriptions/{sid}"),
            ("RecordingSid", recording_sid or ""), ("RecordingUrl", recording_url or ""),
            ("url", target)]
        return self._callback(target, params)

    def voicemail_done(self, recording_sid=None, url=None, duration=7, digits="hangup",
                       size_bytes=None):
        """The <Record> ended (the caller hung up, pressed a key, or it timed out): Twilio
        requests its action (default: the document's own URL) with the recording."""
        record = self._require("Record")
        recording = self._recording_for(recording_sid, url, duration, size_bytes)
        params = self.base_params() + [("RecordingUrl", recording["url"]),
                                       ("RecordingSid", recording["sid"]),
                                       ("RecordingDuration", str(duration)),
                                       ("Digits", digits)]
        return self._navigate(record.get("action") or self.twiml.url, params,
                              record.get("method", "POST"))

    def updates(self):
        """The stand-in's record of the REST update requests about this call."""
        return [u for u in self.standin.snapshot("call_updates") if u["call_sid"] == self.sid]

    def pending_redirects(self):
        """The REST redirects of this call the stand-in accepted that were not followed yet."""
        redirects = [u for u in self.updates() if u["url"] and u["outcome"] == 200]
        return redirects[self._followed_updates:]

    def follow_redirect(self, url=None, method="POST", timeout=15.0):
        """The gateway redirected the call through the REST API (update Url): Twilio fetches
        the new Url at once. url=None takes the next redirect the stand-in recorded for this
        call, waiting up to timeout for it."""
        if url is None:
            deadline = time.monotonic() + timeout
            while True:
                pending = self.pending_redirects()
                if pending:
                    url, method = pending[0]["url"], pending[0]["method"]
                    self._followed_updates += 1
                    break
                if time.monotonic() > deadline:
                    raise TwimlError(f"no REST redirect of {self.sid} within {timeout} s")
                time.sleep(0.05)
        if self.enqueue is not None:
            self.enqueue, self.queued_at = None, None  # a redirect takes the caller out
        return self._navigate(url, self.base_params(), method)


def _dialled(noun):
    """The To of a <Dial> noun's leg as Twilio reports it."""
    text = (noun.text or "").strip()
    if noun.tag == "Client":
        return "client:" + text
    return text
