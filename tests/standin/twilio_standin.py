#!/usr/bin/env python3
"""A stand-in for Twilio's Programmable Messaging API, for tests and benchmarks (stdlib only).

Speaks Twilio's wire format (see README.md in this directory):
  POST /2010-04-01/Accounts/{AccountSid}/Messages.json   create (send) a message
  GET  /2010-04-01/Accounts/{AccountSid}/Messages.json   list messages (To, From, DateSent,
                                                         PageSize, Page, PageToken)
  GET  /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json
and the Programmable Voice subset of twilio_voice_api.py (Calls.json create/fetch/update, the
current recording's pause/resume/stop, recordings' WAV media; control: POST /_control/calls,
/_control/call_status, /_control/recordings, /_control/start_recording, and GET
/_control/<calls|call_updates|call_fetches|recording_updates|recording_fetches|call_resources|
recordings>).
Every accepted message moves through its statuses ("sent" then "delivered" by default), and
when it has a StatusCallback the stand-in POSTs a signed callback for each status (the status
changes even when a callback cannot be delivered, as with Twilio).

Control API for tests (JSON):
  POST /_control/fail     {"status": 500|429|400..., "count": N, "code": 21211,
                           "message": "...", "retry_after": seconds}   next N sends fail
  POST /_control/outcome  {"statuses": ["sent", "undelivered"], "error_code": "30003",
                           "callbacks": true, "callback_target": "http://127.0.0.1:8080"}
  GET  /_control/messages  recorded create-Message requests (accepted or not)
  GET  /_control/callbacks status callbacks sent and the answers they got
  GET  /_control/stats     counters
  POST /_control/idempotency {"honour": false}   treat Idempotency-Key like real Twilio: ignore it
  POST /_control/delay    {"answer_ms": 4000}   answer creates this late (the message exists at once)
  POST /_control/reset     forget everything (failure injection and outcome included)

Run:    twilio_standin.py serve --account-sid AC... --auth-token ... [--port 0] [--port-file F]
Client: twilio_standin.py send-inbound --gateway-url URL --public-url URL --auth-token T
                                       --from +1... --to +1... --body "..." [--account-sid AC...]
In-process: TwilioStandin(account_sid, auth_token).start() ... .stop()
"""

import argparse
import base64
import copy
import email.utils
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twilio  # noqa: E402  (sibling module, found through the path set above)
import twilio_voice_api  # noqa: E402
from twilio_voice_api import VoiceApi  # noqa: E402

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$")
MESSAGE_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\.json$")
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
MAX_BODY_CHARS = 1600


twilio_error = twilio.error_response
rfc2822_now = twilio.rfc2822_now


class TwilioStandin(VoiceApi):
    def __init__(self, account_sid, auth_token, host="127.0.0.1", port=0, callbacks=True,
                 callback_target=None, honour_idempotency_key=True):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._lock = threading.Lock()
        self._callback_threads = []  # joined by stop()
        # What reset() returns to: the behaviour the stand-in was started with.
        self._default_outcome = {"statuses": ["sent", "delivered"], "error_code": None,
                                 "callbacks": callbacks, "callback_target": callback_target}
        self._default_honour_idempotency_key = honour_idempotency_key
        self.reset()
        standin = self

        class Handler(_Handler):
            owner = standin

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def base_url(self):
        return f"http://{self._server.server_address[0]}:{self.port}"

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        # Callbacks still on their way finish (or time out) before stop() returns: a callback
        # receiver started next, which the OS may give the same port, must never get them.
        with self._lock:
            threads, self._callback_threads = self._callback_threads, []
        for thread in threads:
            thread.join(timeout=30)

    def serve_forever(self):
        self._server.serve_forever()

    # ------------------------------------------------------------------ control
    def reset(self):
        with self._lock:
            self.messages = []        # every create-Message request, in arrival order
            self.callbacks = []       # every status callback attempt
            self.resources = {}       # sid -> message resource, in creation order
            self.by_idempotency_key = {}  # key -> (status, json)
            self.failures = None      # {"status", "count", "code", "message", "retry_after"}
            self.outcome = dict(self._default_outcome)
            # Real Twilio ignores Idempotency-Key; False makes the stand-in do the same.
            self.honour_idempotency_key = self._default_honour_idempotency_key
            self.answer_delay_ms = 0  # create answers held back: "accepted, answer not seen yet"
            self.stats = {"requests": 0, "created": 0, "duplicates": 0, "injected_failures": 0,
                          "rejected": 0, "unauthorized": 0, "callbacks_sent": 0,
                          "callbacks_failed": 0, "list_requests": 0, "fetch_requests": 0}
            self.reset_voice()

    def delay_answers(self, answer_ms):
        with self._lock:
            self.answer_delay_ms = max(0, int(answer_ms))

    def honour_idempotency(self, honour):
        with self._lock:
            self.honour_idempotency_key = bool(honour)

    def fail(self, status, count=1, code=None, message=None, retry_after=None):
        with self._lock:
            self.failures = {"status": int(status), "count": int(count),
                             "code": code if code is not None else (20429 if status == 429 else 20500),
                             "message": message or "Injected failure", "retry_after": retry_after}

    def set_outcome(self, **changes):
        with self._lock:
            unknown = set(changes) - set(self.outcome)
            if unknown:
                raise ValueError(f"unknown outcome keys: {sorted(unknown)}")
            self.outcome.update(changes)

    def snapshot(self, what):
        with self._lock:
            return json.loads(json.dumps(getattr(self, what)))

    # ------------------------------------------------------------------ API
    def create_message(self, path_sid, authorization, headers, raw_body):
        """Returns (status, json_body, extra_headers)."""
        form = urllib.parse.parse_qsl(raw_body.decode("utf-8", "replace"), keep_blank_values=True)
        fields = {}
        for name, value in form:
            fields.setdefault(name, []).append(value)
        first = lambda name: fields.get(name, [""])[0]  # noqa: E731
        record = {"path_account_sid": path_sid, "form": form,
                  "idempotency_key": headers.get("Idempotency-Key"),
                  "content_type": headers.get("Content-Type"),
                  "user_agent": headers.get("User-Agent"), "outcome": None}
        with self._lock:
            self.stats["requests"] += 1
            self.messages.append(record)
            if not self._authorized(path_sid, authorization):
                self.stats["unauthorized"] += 1
                record["outcome"] = 401
                return (*twilio_error(401, 20003, "Authenticate"), {})
            key = record["idempotency_key"] if self.honour_idempotency_key else None
            if key and key in self.by_idempotency_key:
                self.stats["duplicates"] += 1
                self.messages.pop()  # recorded once: the first request with this key
                status, body = self.by_idempotency_key[key]
                return status, body, {"Idempotency-Replayed": "true"}
            if self.failures and self.failures["count"] > 0:
                f = self.failures
                f["count"] -= 1
                self.stats["injected_failures"] += 1
                record["outcome"] = f["status"]
                extra = {"Retry-After": str(f["retry_after"])} if f.get("retry_after") else {}
                return (*twilio_error(f["status"], f["code"], f["message"]), extra)
            error = self._validate(first, fields)
            if error:
                self.stats["rejected"] += 1
                record["outcome"] = error[0]
                return (*error, {})
            resource = self._resource(first, fields)
            self.resources[resource["sid"]] = resource
            self.stats["created"] += 1
            record["outcome"] = 201
            record["sid"] = resource["sid"]
            # The answer is the resource as created ("queued"): the callback thread started
            # below changes the stored one, possibly before this answer is written out.
            created = copy.deepcopy(resource)
            if key:
                # A replay answers what the first request got, not the resource as status
                # callbacks have since changed it (the same rule as Stripe-style idempotency).
                self.by_idempotency_key[key] = (201, copy.deepcopy(resource))
            outcome = dict(self.outcome)
        callback = first("StatusCallback") if outcome["callbacks"] else ""
        if outcome["statuses"]:
            thread = threading.Thread(target=self._advance,
                                      args=(resource, callback, outcome), daemon=True)
            with self._lock:
                self._callback_threads = [t for t in self._callback_threads if t.is_alive()]
                self._callback_threads.append(thread)
            thread.start()
        return 201, created, {}

    def list_messages(self, path_sid, authorization, query):
        """Read multiple Message resources: newest first, filtered by To, From and DateSent
        (YYYY-MM-DD; `DateSent<` on or before, `DateSent>` on or after that day, by date_sent,
        so messages not sent yet are left out), paged by PageSize/Page/PageToken."""
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        with self._lock:
            self.stats["list_requests"] += 1
            if not self._authorized(path_sid, authorization):
                return twilio_error(401, 20003, "Authenticate")
            try:
                page_size = int(params.get("PageSize", "50"))
                page = int(params.get("Page", "0"))
            except ValueError:
                return twilio_error(400, 20001, "Invalid paging parameter")
            if not 1 <= page_size <= 1000 or page < 0:
                return twilio_error(400, 20001, "PageSize must be 1..1000 and Page >= 0")
            day_filters = []
            for name, test in (("DateSent", lambda d, v: d == v), ("DateSent<", lambda d, v: d <= v),
                               ("DateSent>", lambda d, v: d >= v)):
                if name in params:
                    if not re.match(r"^\d{4}-\d{2}-\d{2}$", params[name]):
                        return twilio_error(400, 20001, f"Invalid {name}: use YYYY-MM-DD")
                    day_filters.append((test, params[name]))
            selected = []
            for resource in reversed(list(self.resources.values())):
                if params.get("To") and resource["to"] != params["To"]:
                    continue
                if params.get("From") and resource["from"] != params["From"]:
                    continue
                if day_filters:
                    if not resource["date_sent"]:
                        continue
                    day = time.strftime("%Y-%m-%d", email.utils.parsedate(resource["date_sent"]))
                    if not all(test(day, value) for test, value in day_filters):
                        continue
                selected.append(copy.deepcopy(resource))
        start = 0
        token = params.get("PageToken", "")
        if token.startswith("PA"):  # the sid of the last message of the previous page
            sids = [m["sid"] for m in selected]
            start = sids.index(token[2:]) + 1 if token[2:] in sids else len(sids)
        messages = selected[start:start + page_size]
        base = f"/2010-04-01/Accounts/{path_sid}/Messages.json"
        filters = [(k, v) for k, v in params.items() if k not in ("Page", "PageSize", "PageToken")]

        def uri(page_number, token=None):
            q = filters + [("PageSize", str(page_size)), ("Page", str(page_number))]
            if token:
                q.append(("PageToken", token))
            return base + "?" + urllib.parse.urlencode(q)

        more = start + page_size < len(selected)
        return 200, {
            "messages": messages, "page": page, "page_size": page_size,
            "start": start, "end": start + max(len(messages) - 1, 0),
            "uri": uri(page, token or None), "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1, "PA" + messages[-1]["sid"]) if more else None,
            "previous_page_uri": uri(page - 1) if page > 0 else None,
        }

    def get_message(self, path_sid, authorization, sid):
        with self._lock:
            self.stats["fetch_requests"] += 1
            if not self._authorized(path_sid, authorization):
                return twilio_error(401, 20003, "Authenticate")
            if sid not in self.resources:
                return twilio_error(404, 20404,
                                    f"The requested resource /2010-04-01/Accounts/{path_sid}"
                                    f"/Messages/{sid}.json was not found")
            return 200, self.resources[sid]

    def _authorized(self, path_sid, authorization):
        expected = "Basic " + base64.b64encode(
            f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return path_sid == self.account_sid and authorization == expected

    @staticmethod
    def _validate(first, fields):
        to, sender, body = first("To"), first("From"), first("Body")
        media = [u for u in fields.get("MediaUrl", []) if u]
        if not to:
            return twilio_error(400, 21604, "A 'To' phone number is required.")
        if not E164.match(to):
            return twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not sender and not first("MessagingServiceSid"):
            return twilio_error(400, 21603, "A 'From' phone number is required.")
        if not body and not media:
            return twilio_error(400, 21602, "Message body is required.")
        if len(body) > MAX_BODY_CHARS:
            return twilio_error(400, 21617,
                                "The concatenated message body exceeds the 1600 character limit.")
        if len(media) > 10:
            return twilio_error(400, 21623, "Number of media files exceeds allowed limit.")
        return None

    def _resource(self, first, fields):
        sid = twilio.new_sid("MM" if fields.get("MediaUrl") else "SM")
        now = rfc2822_now()
        body = first("Body")
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json"
        return {
            "account_sid": self.account_sid, "api_version": twilio.API_VERSION, "body": body,
            "date_created": now, "date_sent": None, "date_updated": now,
            "direction": "outbound-api", "error_code": None, "error_message": None,
            "from": first("From") or None,
            "messaging_service_sid": first("MessagingServiceSid") or None,
            "num_media": str(len(fields.get("MediaUrl", []))),
            # GSM-7 segmentation: 160 characters fit one SMS, longer bodies go in 153-character parts.
            "num_segments": str(1 if len(body) <= 160 else -(-len(body) // 153)),
            "price": None, "price_unit": "USD", "sid": sid, "status": "queued",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": first("To"), "uri": uri,
        }

    def _advance(self, resource, callback_url, outcome):
        """Moves the message through its statuses, each with a callback when it has a URL."""
        for status in outcome["statuses"]:
            with self._lock:
                stored = self.resources.get(resource["sid"])
                if stored is not None:
                    stored["status"] = status
                    stored["date_updated"] = rfc2822_now()
                    if status == "sent" and not stored["date_sent"]:
                        stored["date_sent"] = stored["date_updated"]
                    if status in ("undelivered", "failed") and outcome.get("error_code"):
                        stored["error_code"] = int(outcome["error_code"])
            if callback_url:
                self._send_callback(resource, callback_url, outcome, status)

    def _send_callback(self, resource, callback_url, outcome, status):
        params = [("MessageSid", resource["sid"]), ("SmsSid", resource["sid"]),
                  ("AccountSid", self.account_sid), ("From", resource["from"] or ""),
                  ("To", resource["to"]), ("MessageStatus", status), ("SmsStatus", status),
                  ("ApiVersion", twilio.API_VERSION)]
        if status in ("undelivered", "failed") and outcome.get("error_code"):
            params.append(("ErrorCode", str(outcome["error_code"])))
        target = callback_url
        if outcome.get("callback_target"):
            # Deliver to where the gateway really listens, but sign the public URL, as a
            # reverse proxy in front of the gateway would make Twilio do.
            parts = urllib.parse.urlsplit(callback_url)
            target = outcome["callback_target"].rstrip("/") + parts.path + (
                "?" + parts.query if parts.query else "")
        entry = {"sid": resource["sid"], "status": status, "url": callback_url,
                 "target": target, "params": params}
        try:
            code, body, _ = twilio.post_signed(target, callback_url, self.auth_token, params)
            entry["response_status"] = code
            entry["response_body"] = body.decode("utf-8", "replace")
        except OSError as e:
            entry["response_status"] = 0
            entry["error"] = str(e)
        with self._lock:
            self.callbacks.append(entry)
            ok = 200 <= entry["response_status"] < 300
            self.stats["callbacks_sent" if ok else "callbacks_failed"] += 1


# What GET /_control/<name> returns (TwilioStandin.snapshot(<name>)).
SNAPSHOTS = ("messages", "callbacks", "stats", "calls", "call_updates", "call_fetches",
             "recording_updates", "recording_fetches", "call_resources", "recordings")


class _Handler(BaseHTTPRequestHandler):
    owner = None  # set by TwilioStandin
    protocol_version = "HTTP/1.1"
    server_version = "twilio-standin/1.0"

    def log_message(self, fmt, *args):  # quiet: tests read /_control/messages instead
        pass

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send_json(self, status, payload, extra_headers=None):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/_control/") and path[len("/_control/"):] in SNAPSHOTS:
            return self._send_json(200, self.owner.snapshot(path[len("/_control/"):]))
        authorization = self.headers.get("Authorization")
        m = twilio_voice_api.CALL_PATH.match(path)
        if m:
            return self._send_json(*self.owner.fetch_call(m.group(1), authorization, m.group(2)))
        m = twilio_voice_api.RECORDING_MEDIA_PATH.match(path)
        if m:
            return self._send_recording(m.group(1), authorization, m.group(2))
        m = MESSAGES_PATH.match(path)
        if m:
            return self._send_json(*self.owner.list_messages(
                m.group(1), self.headers.get("Authorization"), urllib.parse.urlsplit(self.path).query))
        m = MESSAGE_PATH.match(path)
        if m:
            return self._send_json(*self.owner.get_message(
                m.group(1), self.headers.get("Authorization"), m.group(2)))
        self._send_json(*twilio_error(404, 20404, "The requested resource was not found"))

    def _send_recording(self, path_sid, authorization, recording_sid):
        status, error, size = self.owner.recording_media(path_sid, authorization, recording_sid)
        if error is not None:
            return self._send_json(status, error)
        self.send_response(200)
        self.send_header("Content-Type", "audio/x-wav")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        try:
            for chunk in twilio_voice_api.wav_chunks(size):
                self.wfile.write(chunk)
        except OSError:
            self.close_connection = True  # the client stopped reading (e.g. a size cap)

    def _voice_post(self, path, raw):
        """The Voice API's POST routes; None when path is none of them."""
        authorization = self.headers.get("Authorization")
        m = twilio_voice_api.CALLS_PATH.match(path)
        if m:
            return self.owner.create_call(m.group(1), authorization, self.headers, raw)
        m = twilio_voice_api.CALL_RECORDING_PATH.match(path)
        if m:
            return (*self.owner.update_call_recording(m.group(1), authorization, m.group(2),
                                                      m.group(3), raw), {})
        m = twilio_voice_api.CALL_PATH.match(path)
        if m:
            return (*self.owner.update_call(m.group(1), authorization, m.group(2), raw), {})
        return None

    def _voice_control(self, path, args):
        """The voice control routes (JSON in, JSON out); None when path is none of them."""
        if path == "/_control/calls":
            return self.owner.register_call(
                args["sid"], args["from"], args["to"], args.get("direction", "inbound"),
                args.get("status", "ringing"), args.get("parent_call_sid"),
                args.get("caller_name"))
        if path == "/_control/call_status":
            return self.owner.set_call_status(args["sid"], args["status"], args.get("duration"))
        if path == "/_control/recordings":
            return self.owner.add_recording(args.get("size_bytes"), args.get("duration_s") or 3,
                                            args.get("call_sid"))
        if path == "/_control/start_recording":
            return self.owner.start_recording(args["call_sid"], args.get("duration_s") or 3)
        return None

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        raw = self._body()
        m = MESSAGES_PATH.match(path)
        if m:
            status, body, extra = self.owner.create_message(
                m.group(1), self.headers.get("Authorization"), self.headers, raw)
            delay = self.owner.snapshot("answer_delay_ms")
            if delay:
                time.sleep(delay / 1000)
            try:
                return self._send_json(status, body, extra)
            except OSError:
                return None  # the client is gone (e.g. killed while waiting for this answer)
        answer = self._voice_post(path, raw)
        if answer is not None:
            return self._send_json(*answer)
        try:
            args = json.loads(raw or b"{}")
            result = self._voice_control(path, args)
            if result is not None:
                return self._send_json(200, result)
            if path == "/_control/fail":
                self.owner.fail(args.get("status", 500), args.get("count", 1), args.get("code"),
                                args.get("message"), args.get("retry_after"))
            elif path == "/_control/outcome":
                self.owner.set_outcome(**args)
            elif path == "/_control/delay":
                self.owner.delay_answers(args.get("answer_ms", 0))
            elif path == "/_control/idempotency":
                self.owner.honour_idempotency(args.get("honour", True))
            elif path == "/_control/reset":
                self.owner.reset()
            else:
                return self._send_json(*twilio_error(404, 20404, "The requested resource was not found"))
        except (ValueError, TypeError, KeyError) as e:
            return self._send_json(400, {"error": f"{type(e).__name__}: {e}"})
        self._send_json(200, {"ok": True})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the stand-in provider (default)")
    serve.add_argument("--account-sid", default="AC" + "0" * 32)
    serve.add_argument("--auth-token", default="standin-auth-token")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--port-file", help="write the listening port to this file")
    serve.add_argument("--no-callbacks", action="store_true", help="never send status callbacks")
    serve.add_argument("--ignore-idempotency-key", action="store_true",
                       help="ignore Idempotency-Key, as real Twilio does")
    serve.add_argument("--callback-target",
                       help="deliver callbacks to this base URL (signing the original URL)")
    inbound = sub.add_parser("send-inbound", help="send one signed incoming-SMS webhook")
    inbound.add_argument("--gateway-url", required=True, help="where to POST")
    inbound.add_argument("--public-url", help="URL to sign (default: --gateway-url)")
    inbound.add_argument("--auth-token", required=True)
    inbound.add_argument("--account-sid", default="AC" + "0" * 32)
    inbound.add_argument("--from", dest="from_number", required=True)
    inbound.add_argument("--to", required=True)
    inbound.add_argument("--body", default="")
    inbound.add_argument("--message-sid")
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("serve", "send-inbound", "-h", "--help"):
        argv.insert(0, "serve")
    args = parser.parse_args(argv)

    if args.command == "send-inbound":
        params = twilio.inbound_sms_params(args.account_sid, args.from_number, args.to,
                                           args.body, message_sid=args.message_sid)
        status, body, _ = twilio.send_inbound(args.gateway_url, args.public_url or args.gateway_url,
                                              args.auth_token, params)
        print(status)
        sys.stdout.write(body.decode("utf-8", "replace") + "\n")
        return 0 if 200 <= status < 300 else 1

    standin = TwilioStandin(args.account_sid, args.auth_token, args.host, args.port,
                            callbacks=not args.no_callbacks, callback_target=args.callback_target,
                            honour_idempotency_key=not args.ignore_idempotency_key)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{standin.port}\n")
        os.replace(tmp, args.port_file)  # readers never see a half-written file
    print(f"twilio stand-in listening on {standin.base_url}", flush=True)
    try:
        standin.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
