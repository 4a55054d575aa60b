"""A web-chat visitor for the integration tests, speaking the protocol of plugins/webchat/README.md
the way the widget does: hello with token/epoch/last_seq, messages with client ids re-sent until
acknowledged, entries de-duplicated by seq. Built on ws_client (python3 stdlib only)."""

import hashlib
import hmac
import json
import select
import socket

import ws_client

ORIGIN = "https://shop.integration.test"
SECRET = "webchat-secret-0123456789abcdef"
IDENTITY_SECRET = "identity-secret-0123456789abcdef"


def identity_hash(identifier):
    """What the embedding site computes on its server for a signed-in user."""
    return hmac.new(IDENTITY_SECRET.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def webchat_plugin(instance="webchat", isolation=None, **config):
    """The [[plugins]] entry of a web-chat instance that lets ORIGIN embed it. The file is named
    as an operator names it (relative to the gateway's plugin dir, <exe dir>/../plugins), so a
    bundled plugin: it runs inside the gateway unless `isolation` says "process"."""
    settings = {"allowed_origins": [ORIGIN], "secret": SECRET,
                "identity_secret": IDENTITY_SECRET, "site_name": "Shop"}
    settings.update(config)
    entry = {"instance": instance, "file": "libog_webchat.so", "config": settings}
    if isolation:
        entry["isolation"] = isolation
    return entry


class Visitor:
    """One browser's state (token, epoch, entries by seq, messages not yet acknowledged) across
    any number of connections."""

    def __init__(self, port, instance="webchat", origin=ORIGIN, profile=None, identity=None):
        self.port, self.instance, self.origin = port, instance, origin
        self.profile, self.identity = profile, identity
        self.token, self.epoch = "", ""
        self.entries = {}     # seq → entry
        self.unacked = {}     # client id → text, in sending order
        self.acks = {}        # client id → seq
        self.signals = []     # frames without seq (queue, typing, errors …)
        self.ws = None
        self.welcome = None

    @property
    def last_seq(self):
        seq = 0
        while seq + 1 in self.entries:
            seq += 1
        return seq

    def connect(self, resend=True):
        if self.ws is not None:
            self.ws.sock.close()
        self.ws = ws_client.WebSocket(self.port, f"/channels/{self.instance}/ws",
                                      {"Origin": self.origin})
        if self.ws.status != 101:
            raise AssertionError(f"upgrade refused: {self.ws.status} {self.ws.body}")
        hello = {"type": "hello", "token": self.token, "epoch": self.epoch,
                 "last_seq": self.last_seq}
        if self.profile:
            hello["profile"] = self.profile
        if self.identity:
            hello["identity"] = self.identity
        self.send(hello)
        self.welcome = self.read_until(lambda m: m.get("type") == "welcome")
        if self.welcome["epoch"] != self.epoch:
            self.entries = {}
        self.token, self.epoch = self.welcome["token"], self.welcome["epoch"]
        if resend:
            for client_id, text in list(self.unacked.items()):
                self.send({"type": "message", "id": client_id, "text": text})
        return self.welcome

    def drop(self):
        """The connection dies without a close frame (a lost network, a killed tab)."""
        try:
            self.ws.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.ws.sock.close()
        self.ws = None

    def send(self, frame):
        self.ws.send_text(json.dumps(frame))

    def say(self, client_id, text):
        self.unacked[client_id] = text
        self.send({"type": "message", "id": client_id, "text": text})

    def handle(self, message):
        if not isinstance(message, dict):
            return message
        if "seq" in message and message.get("type") in ("message", "event"):
            seq = message["seq"]
            if seq in self.entries:
                assert self.entries[seq] == message, f"seq {seq} came twice, differently"
            self.entries[seq] = message
        elif message.get("type") == "ack":
            self.unacked.pop(message["id"], None)
            self.acks[message["id"]] = message["seq"]
        elif message.get("type") != "welcome":
            self.signals.append(message)
        return message

    def read(self, timeout=10.0):
        self.ws.sock.settimeout(timeout)
        return self.handle(self.ws.next_message())

    def pump(self, quiet=0.005):
        """Reads whatever arrives until the connection is quiet for `quiet` seconds (a frame
        that has begun to arrive is read whole)."""
        while True:
            if not self.ws._buffer:
                readable, _, _ = select.select([self.ws.sock], [], [], quiet)
                if not readable:
                    return
            try:
                self.read(timeout=10)
            except (OSError, ws_client.Closed):
                return

    def read_until(self, predicate, timeout=10.0):
        while True:
            message = self.read(timeout)
            if isinstance(message, dict) and predicate(message):
                return message

    def messages(self, author=None):
        """The message entries in seq order (optionally of one author)."""
        return [e for _, e in sorted(self.entries.items())
                if e["type"] == "message" and (author is None or e["author"] == author)]
