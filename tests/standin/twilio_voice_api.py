"""The Programmable Voice part of the Twilio stand-in (python3 stdlib only): the subset of the
Call and Recording resources omnigate's voice channel uses, and the recordings' media.

TwilioStandin (twilio_standin.py) inherits VoiceApi; the HTTP handler there routes to it:
  POST /2010-04-01/Accounts/{AccountSid}/Calls.json                     create a call
  GET  /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json           fetch it
  POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json           redirect or hang up
  POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings/{Sid|Twilio.CURRENT}.json
                                                                        pause/resume/stop
  GET  /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}[.wav] the audio (WAV)
The stand-in places no calls: a test plays the provider's part of a call with the driver in
twilio_voice.py, which tells the stand-in about the calls it plays (register_call,
start_recording) so that the gateway's REST requests about them find them, as with Twilio.
See README.md, "Voice".
"""

import copy
import re
import struct
import time
import urllib.parse

import twilio

CALLS_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Calls\.json$")
CALL_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Calls/([^/]+)\.json$")
CALL_RECORDING_PATH = re.compile(
    r"^/2010-04-01/Accounts/([^/]+)/Calls/([^/]+)/Recordings/([^/]+)\.json$")
RECORDING_MEDIA_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Recordings/([^/.]+)(\.wav)?$")

CALL_TO = re.compile(r"^(\+[1-9][0-9]{1,14}|client:[A-Za-z0-9_.@-]+|sip:.+)$")
ENDED = ("completed", "canceled", "failed", "busy", "no-answer")
CALLBACK_EVENTS = ("initiated", "ringing", "answered", "completed")
RECORDING_STATUSES = ("paused", "in-progress", "stopped")

# The generated audio: 8 kHz mono 16-bit PCM (what Twilio's mono WAV recordings are), a quiet
# 400 Hz tone so that the file is audibly a recording, not silence.
SAMPLE_RATE = 8000
WAV_HEADER_BYTES = 44
_TONE_PERIOD = b"".join(struct.pack("<h", v) for v in
                        (0, 1545, 2939, 4045, 4755, 5000, 4755, 4045, 2939, 1545,
                         0, -1545, -2939, -4045, -4755, -5000, -4755, -4045, -2939, -1545))


def wav_header(data_bytes):
    """The canonical 44-byte RIFF/WAVE header of SAMPLE_RATE mono 16-bit PCM."""
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
            + b"data" + struct.pack("<I", data_bytes))


def wav_chunks(total_bytes, chunk_bytes=65536):
    """A WAV file of exactly total_bytes (>= 44; an odd data size ends in a padding byte the
    header does not count), as chunks, so that an oversized one is never held in memory."""
    data_bytes = total_bytes - WAV_HEADER_BYTES
    yield wav_header(data_bytes - data_bytes % 2)
    block = _TONE_PERIOD * (chunk_bytes // len(_TONE_PERIOD))
    remaining = data_bytes
    while remaining > 0:
        piece = block[:remaining]
        remaining -= len(piece)
        yield piece


twilio_error = twilio.error_response


def _fields(raw_body):
    form = urllib.parse.parse_qsl(raw_body.decode("utf-8", "replace"), keep_blank_values=True)
    fields = {}
    for name, value in form:
        fields.setdefault(name, []).append(value)
    return form, fields


def _absolute_http_url(url):
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class VoiceApi:
    """Mixed into TwilioStandin, which provides account_sid, base_url, _lock, _authorized(),
    failures, honour_idempotency_key and stats."""

    def reset_voice(self):
        """Called by TwilioStandin.reset() with the lock held."""
        self.calls = []               # every create-Call request, in arrival order
        self.call_updates = []        # every update-Call request (redirects, hang-ups)
        self.call_fetches = []        # every fetch-Call request
        self.recording_updates = []   # every update-Recording request (pause/resume/stop)
        self.recording_fetches = []   # every GET of a recording's media
        self.call_resources = {}      # CallSid -> Call resource (created or registered)
        self.recordings = {}          # RecordingSid -> {"size_bytes", "duration", "call_sid", ...}
        self.current_recording = {}   # CallSid -> RecordingSid being recorded (not stopped)
        self.calls_by_idempotency_key = {}
        self.stats.update({"call_requests": 0, "calls_created": 0, "call_duplicates": 0,
                           "calls_rejected": 0, "call_update_requests": 0,
                           "recording_update_requests": 0, "recording_fetches": 0})

    # ------------------------------------------------------------------ resources
    def _call_resource(self, sid, to, from_, direction, status, parent_call_sid=None,
                       caller_name=None):
        now = twilio.rfc2822_now()
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json"
        return {
            "sid": sid, "account_sid": self.account_sid, "api_version": twilio.API_VERSION,
            "to": to, "to_formatted": to, "from": from_, "from_formatted": from_,
            "status": status, "direction": direction, "parent_call_sid": parent_call_sid,
            "caller_name": caller_name, "answered_by": None, "forwarded_from": None,
            "group_sid": None, "phone_number_sid": None, "trunk_sid": None,
            "date_created": now, "date_updated": now, "start_time": None, "end_time": None,
            "duration": None, "price": None, "price_unit": "USD", "queue_time": "0",
            "uri": uri,
            "subresource_uris": {
                "recordings": uri.replace(".json", "/Recordings.json"),
                "notifications": uri.replace(".json", "/Notifications.json"),
                "events": uri.replace(".json", "/Events.json"),
            },
        }

    def _recording_resource(self, sid):
        recording = self.recordings[sid]
        now = twilio.rfc2822_now()
        return {
            "sid": sid, "account_sid": self.account_sid, "api_version": twilio.API_VERSION,
            "call_sid": recording["call_sid"], "conference_sid": None, "channels": 2,
            "status": recording["status"], "source": "DialVerb", "track": "both",
            "date_created": recording["date_created"], "date_updated": now,
            "start_time": recording["date_created"], "duration": "-1", "price": None,
            "price_unit": "USD", "error_code": None, "encryption_details": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Recordings/{sid}.json",
        }

    def recording_url(self, sid):
        """The RecordingUrl Twilio reports: no extension (fetching it gives WAV; .wav too)."""
        return f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Recordings/{sid}"

    def _new_recording(self, size_bytes, duration_s, call_sid, status):
        sid = twilio.new_sid("RE")
        self.recordings[sid] = {"size_bytes": size_bytes, "duration": duration_s,
                                "call_sid": call_sid, "status": status,
                                "date_created": twilio.rfc2822_now()}
        return sid

    # ------------------------------------------------------------------ control (tests, driver)
    def register_call(self, sid, from_, to, direction="inbound", status="ringing",
                      parent_call_sid=None, caller_name=None):
        """A call the stand-in did not create (an incoming call, a <Dial> leg) that the driver
        plays: REST requests about it then find it. Returns the resource."""
        with self._lock:
            resource = self._call_resource(sid, to, from_, direction, status, parent_call_sid,
                                           caller_name)
            self.call_resources[sid] = resource
            return copy.deepcopy(resource)

    def set_call_status(self, sid, status, duration=None):
        """The call's status as the driver plays it (answered, ended...). Unknown sid: KeyError."""
        with self._lock:
            resource = self.call_resources[sid]
            now = twilio.rfc2822_now()
            resource["status"] = status
            resource["date_updated"] = now
            if status == "in-progress" and not resource["start_time"]:
                resource["start_time"] = now
            if status in ENDED:
                resource["end_time"] = now
                self.current_recording.pop(sid, None)
                if duration is not None:
                    resource["duration"] = str(int(duration))
            return copy.deepcopy(resource)

    def add_recording(self, size_bytes=None, duration_s=3, call_sid=None):
        """A recording whose media the stand-in serves: duration_s seconds of audio, or a file
        of exactly size_bytes (an oversized one is streamed, never held in memory). Returns
        {"sid", "url", "size_bytes", "duration"}."""
        size = int(size_bytes) if size_bytes is not None else \
            WAV_HEADER_BYTES + int(duration_s) * SAMPLE_RATE * 2
        if size < WAV_HEADER_BYTES:
            raise ValueError(f"a WAV file has at least {WAV_HEADER_BYTES} bytes")
        with self._lock:
            sid = self._new_recording(size, int(duration_s), call_sid, "completed")
        return {"sid": sid, "url": self.recording_url(sid), "size_bytes": size,
                "duration": int(duration_s)}

    def start_recording(self, call_sid, duration_s=3):
        """The call is being recorded (a <Dial record=...> answered, Record=true): its
        Twilio.CURRENT recording exists until stopped or the call ends. Returns as add_recording."""
        recording = self.add_recording(duration_s=duration_s, call_sid=call_sid)
        with self._lock:
            self.recordings[recording["sid"]]["status"] = "in-progress"
            self.current_recording[call_sid] = recording["sid"]
        return recording

    # ------------------------------------------------------------------ API
    def create_call(self, path_sid, authorization, headers, raw_body):
        """POST Calls.json. Returns (status, json_body, extra_headers)."""
        form, fields = _fields(raw_body)
        first = lambda name: fields.get(name, [""])[0]  # noqa: E731
        record = {"path_account_sid": path_sid, "form": form,
                  "idempotency_key": headers.get("Idempotency-Key"),
                  "content_type": headers.get("Content-Type"),
                  "user_agent": headers.get("User-Agent"), "outcome": None, "sid": None,
                  "time": time.time()}
        with self._lock:
            self.stats["call_requests"] += 1
            self.calls.append(record)
            if not self._authorized(path_sid, authorization):
                self.stats["unauthorized"] += 1
                record["outcome"] = 401
                return (*twilio_error(401, 20003, "Authenticate"), {})
            key = record["idempotency_key"] if self.honour_idempotency_key else None
            if key and key in self.calls_by_idempotency_key:
                self.stats["call_duplicates"] += 1
                self.calls.pop()
                status, body = self.calls_by_idempotency_key[key]
                return status, copy.deepcopy(body), {"Idempotency-Replayed": "true"}
            if self.failures and self.failures["count"] > 0:
                f = self.failures
                f["count"] -= 1
                self.stats["injected_failures"] += 1
                record["outcome"] = f["status"]
                extra = {"Retry-After": str(f["retry_after"])} if f.get("retry_after") else {}
                return (*twilio_error(f["status"], f["code"], f["message"]), extra)
            error = self._validate_call(first, fields)
            if error:
                self.stats["calls_rejected"] += 1
                record["outcome"] = error[0]
                return (*error, {})
            resource = self._call_resource(twilio.new_sid("CA"), first("To"), first("From"),
                                           "outbound-api", "queued")
            self.call_resources[resource["sid"]] = resource
            self.stats["calls_created"] += 1
            record["outcome"] = 201
            record["sid"] = resource["sid"]
            if first("Record").lower() == "true":
                recording = self._new_recording(WAV_HEADER_BYTES + 3 * SAMPLE_RATE * 2, 3,
                                                resource["sid"], "in-progress")
                self.current_recording[resource["sid"]] = recording
            created = copy.deepcopy(resource)
            if key:
                self.calls_by_idempotency_key[key] = (201, copy.deepcopy(created))
        return 201, created, {}

    @staticmethod
    def _validate_call(first, fields):
        to, sender, url = first("To"), first("From"), first("Url")
        if not to:
            return twilio_error(400, 21201, "No 'To' number is specified")
        if not CALL_TO.match(to):
            return twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not sender:
            return twilio_error(400, 21213, "No 'From' number is specified")
        if not url and not first("Twiml") and not first("ApplicationSid"):
            return twilio_error(400, 21205, "Url parameter is required")
        if url and not _absolute_http_url(url):
            return twilio_error(400, 21205, f"Url is not a valid URL: {url}")
        if first("Method") not in ("", "GET", "POST"):
            return twilio_error(400, 20001, "Method must be GET or POST")
        callback = first("StatusCallback")
        if callback and not _absolute_http_url(callback):
            return twilio_error(400, 21609, f"StatusCallback is not a valid URL: {callback}")
        for event in fields.get("StatusCallbackEvent", []):
            # Twilio's SDKs send one value per event; the form posted by hand joins them with
            # spaces. Both are accepted, as by Twilio.
            for name in event.split():
                if name not in CALLBACK_EVENTS:
                    return twilio_error(400, 20001, f"Invalid StatusCallbackEvent: {name}")
        timeout = first("Timeout")
        if timeout and (not timeout.isdigit() or not 1 <= int(timeout) <= 600):
            return twilio_error(400, 20001, f"Timeout must be 1..600 seconds: {timeout}")
        return None

    def fetch_call(self, path_sid, authorization, call_sid):
        with self._lock:
            self.call_fetches.append({"sid": call_sid, "time": time.time()})
            if not self._authorized(path_sid, authorization):
                self.stats["unauthorized"] += 1
                return twilio_error(401, 20003, "Authenticate")
            if call_sid not in self.call_resources:
                return self._not_found(path_sid, f"Calls/{call_sid}.json")
            return 200, copy.deepcopy(self.call_resources[call_sid])

    def update_call(self, path_sid, authorization, call_sid, raw_body):
        """POST Calls/{CallSid}.json: Url (+Method) redirects the live call to new TwiML;
        Status=completed hangs it up, Status=canceled only a call not yet answered."""
        form, fields = _fields(raw_body)
        first = lambda name: fields.get(name, [""])[0]  # noqa: E731
        record = {"call_sid": call_sid, "form": form, "outcome": None, "url": None,
                  "method": None, "status": None, "time": time.time()}
        with self._lock:
            self.stats["call_update_requests"] += 1
            self.call_updates.append(record)
            if not self._authorized(path_sid, authorization):
                self.stats["unauthorized"] += 1
                record["outcome"] = 401
                return twilio_error(401, 20003, "Authenticate")
            resource = self.call_resources.get(call_sid)
            if resource is None:
                record["outcome"] = 404
                return self._not_found(path_sid, f"Calls/{call_sid}.json")
            error = self._validate_update(first, resource)
            if error:
                record["outcome"] = error[0]
                return error
            now = twilio.rfc2822_now()
            if first("Url"):
                record["url"] = first("Url")
                record["method"] = first("Method") or "POST"
            status = first("Status")
            if status == "completed" or (status == "canceled"
                                         and resource["status"] in ("queued", "ringing")):
                record["status"] = status
                resource["status"] = status
                resource["end_time"] = now
                self.current_recording.pop(call_sid, None)
            resource["date_updated"] = now
            record["outcome"] = 200
            return 200, copy.deepcopy(resource)

    @staticmethod
    def _validate_update(first, resource):
        url, status = first("Url"), first("Status")
        if not url and not status and not first("Twiml"):
            return twilio_error(400, 20001, "Url, Twiml or Status is required")
        if status and status not in ("completed", "canceled"):
            return twilio_error(400, 20001, f"Status must be completed or canceled: {status}")
        if url and not _absolute_http_url(url):
            return twilio_error(400, 21205, f"Url is not a valid URL: {url}")
        if first("Method") not in ("", "GET", "POST"):
            return twilio_error(400, 20001, "Method must be GET or POST")
        if resource["status"] in ENDED:
            return twilio_error(400, 21220, "Call is not in-progress. Cannot redirect.")
        return None

    def update_call_recording(self, path_sid, authorization, call_sid, recording_sid, raw_body):
        """POST Calls/{CallSid}/Recordings/{Sid|Twilio.CURRENT}.json Status=paused|in-progress|
        stopped (PauseBehavior skip|silence)."""
        form, fields = _fields(raw_body)
        status = fields.get("Status", [""])[0]
        record = {"call_sid": call_sid, "recording": recording_sid, "form": form,
                  "status": status, "outcome": None, "time": time.time()}
        resource_path = f"Calls/{call_sid}/Recordings/{recording_sid}.json"
        with self._lock:
            self.stats["recording_update_requests"] += 1
            self.recording_updates.append(record)
            if not self._authorized(path_sid, authorization):
                self.stats["unauthorized"] += 1
                record["outcome"] = 401
                return twilio_error(401, 20003, "Authenticate")
            sid = self.current_recording.get(call_sid) if recording_sid == "Twilio.CURRENT" \
                else recording_sid
            recording = self.recordings.get(sid)
            if call_sid not in self.call_resources or recording is None \
                    or recording["call_sid"] != call_sid:
                record["outcome"] = 404
                return self._not_found(path_sid, resource_path)
            if status not in RECORDING_STATUSES:
                record["outcome"] = 400
                return twilio_error(400, 20001,
                                    f"Status must be paused, in-progress or stopped: {status}")
            behaviour = fields.get("PauseBehavior", ["silence"])[0]
            if behaviour not in ("skip", "silence"):
                record["outcome"] = 400
                return twilio_error(400, 20001, f"PauseBehavior must be skip or silence: "
                                                f"{behaviour}")
            if recording["status"] == "stopped":
                record["outcome"] = 400
                return twilio_error(400, 21220, "The recording is stopped")
            recording["status"] = status
            if status == "stopped":
                self.current_recording.pop(call_sid, None)
            record["outcome"] = 200
            record["recording"] = sid
            return 200, self._recording_resource(sid)

    def recording_media(self, path_sid, authorization, recording_sid):
        """GET Recordings/{Sid}[.wav]. Basic auth is optional (Twilio's default: recordings are
        public unless HTTP auth is enforced), but wrong credentials are refused.
        Returns (status, error_json_or_None, size_bytes)."""
        with self._lock:
            self.stats["recording_fetches"] += 1
            entry = {"sid": recording_sid, "authorization": authorization is not None,
                     "outcome": None, "time": time.time()}
            self.recording_fetches.append(entry)
            if authorization is not None and not self._authorized(path_sid, authorization):
                self.stats["unauthorized"] += 1
                entry["outcome"] = 401
                return (*twilio_error(401, 20003, "Authenticate"), 0)
            recording = self.recordings.get(recording_sid)
            if path_sid != self.account_sid or recording is None:
                entry["outcome"] = 404
                return (*self._not_found(path_sid, f"Recordings/{recording_sid}"), 0)
            entry["outcome"] = 200
            return 200, None, recording["size_bytes"]

    def _not_found(self, path_sid, rest):
        return twilio_error(404, 20404, f"The requested resource /2010-04-01/Accounts/"
                                        f"{path_sid}/{rest} was not found")

