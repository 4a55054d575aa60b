"""Twilio wire-format helpers for tests and benchmarks (python3 stdlib only).

- compute_signature / validate_signature: X-Twilio-Signature, exactly as Twilio computes it
  (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
- inbound_sms_params: the form fields of Twilio's incoming-message webhook
  (https://www.twilio.com/docs/messaging/guides/webhook-request).
- send_inbound / post_signed: POST a signed webhook to a gateway the way Twilio does.

Import from another test:  sys.path.insert(0, "<repo>/tests/standin"); import twilio
"""

import base64
import email.utils
import hashlib
import hmac
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

API_VERSION = "2010-04-01"
USER_AGENT = "TwilioProxy/1.1"


def new_sid(prefix):
    """A Twilio-shaped resource id: two-letter prefix + 32 lower-case hex digits."""
    return prefix + secrets.token_hex(16)


def error_response(status, code, message):
    """(status, body) of a REST API error in Twilio's JSON shape
    (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions)."""
    return status, {"code": code, "message": message,
                    "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}


def rfc2822_now():
    """A resource date as Twilio writes them: RFC 2822 in GMT with a +0000 offset."""
    return email.utils.formatdate(time.time(), usegmt=False).replace("-0000", "+0000")


def _pairs(params):
    """Accept a dict or a list of (name, value) pairs; return a list of pairs."""
    if isinstance(params, dict):
        return list(params.items())
    return list(params)


def compute_signature(auth_token, url, params):
    """base64(HMAC-SHA1(auth_token, url + name1 + value1 + ...)) with the POST parameters sorted
    by name (code point order); a repeated name contributes each of its distinct values once,
    sorted, as Twilio and its SDKs sign (twilio-python: sorted(set(values)))."""
    data = url + "".join(name + value for name, value in sorted(set(_pairs(params))))
    # Values are the decoded form fields; bytes that are not UTF-8 travel as surrogate escapes
    # (bytes.decode("utf-8", "surrogateescape")), so tests can send what a carrier may.
    digest = hmac.new(auth_token.encode(), data.encode("utf-8", "surrogateescape"),
                      hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _alternate_url(url):
    """The URL with the scheme's default port added (if absent) or its port removed (if it has
    one, default or not: Twilio's SDK validators strip any port)."""
    parts = urllib.parse.urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    if default is None:
        return None
    host = parts.netloc.rsplit("@", 1)[-1]
    userinfo = parts.netloc[: len(parts.netloc) - len(host)]
    if parts.port is None:
        netloc = f"{userinfo}{host}:{default}"
    else:
        netloc = userinfo + host[: host.rfind(":")]
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def validate_signature(auth_token, url, params, signature):
    """True when signature matches url as given, with its default port added or its port
    removed."""
    if not signature:
        return False
    candidates = [url]
    other = _alternate_url(url)
    if other:
        candidates.append(other)
    return any(hmac.compare_digest(compute_signature(auth_token, u, params), signature)
               for u in candidates)


def inbound_sms_params(account_sid, from_number, to_number, body, media=(), message_sid=None,
                       extra=None):
    """The fields Twilio posts for an incoming SMS/MMS. `media` is a list of (url, content_type)."""
    sid = message_sid or new_sid("MM" if media else "SM")
    params = [
        ("ToCountry", "US"), ("ToState", "CA"), ("SmsMessageSid", sid),
        ("NumMedia", str(len(media))), ("ToCity", ""), ("FromZip", ""), ("SmsSid", sid),
        ("FromState", ""), ("SmsStatus", "received"), ("FromCity", ""), ("Body", body),
        ("FromCountry", "US"), ("To", to_number), ("ToZip", ""), ("NumSegments", "1"),
        ("MessageSid", sid), ("AccountSid", account_sid), ("From", from_number),
        ("ApiVersion", API_VERSION),
    ]
    for i, (url, content_type) in enumerate(media):
        params.append((f"MediaContentType{i}", content_type))
        params.append((f"MediaUrl{i}", url))
    if extra:
        params.extend(_pairs(extra))
    return params


def post_signed(target_url, signed_url, auth_token, params, headers=None, timeout=10.0):
    """POST params form-encoded to target_url, signed over signed_url (the public URL Twilio
    was given; it differs from target_url behind a proxy). Returns (status, body_bytes, headers)
    and never raises on HTTP error statuses."""
    pairs = _pairs(params)
    body = urllib.parse.urlencode(pairs, errors="surrogateescape").encode()
    all_headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Accept": "*/*",
        "X-Twilio-Signature": compute_signature(auth_token, signed_url, pairs),
        "I-Twilio-Idempotency-Token": secrets.token_hex(16),
    }
    all_headers.update(headers or {})
    request = urllib.request.Request(target_url, data=body, headers=all_headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def send_inbound(gateway_url, public_url, auth_token, params, idempotency_token=None,
                 timeout=10.0):
    """Deliver an incoming-SMS webhook exactly as Twilio does: form-encoded POST to gateway_url,
    X-Twilio-Signature over public_url (= <public_base_url>/channels/<instance>/sms),
    User-Agent TwilioProxy/1.1 and an I-Twilio-Idempotency-Token (pass the same token to
    imitate a Twilio retry). Returns (status, body_bytes, headers)."""
    headers = {}
    if idempotency_token:
        headers["I-Twilio-Idempotency-Token"] = idempotency_token
    return post_signed(gateway_url, public_url, auth_token, params, headers, timeout)
