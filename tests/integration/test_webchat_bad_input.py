#!/usr/bin/env python3
"""Bad input to the web chat, against the real binary: each kind gets the answer
plugins/webchat/README.md defines (403 before the upgrade, an `error` frame on an open
connection, a close with 1003/1007/1008/1009, 401/403/404/413/415/400 over HTTP) — and the
database shows that nothing reached the store that should not have. Every violation is named in
the gateway's log, which never holds a secret or the text of a refused frame.
"""

import hashlib
import hmac
import json
import urllib.parse

import harness
import webchat_client as wc
import ws_client

EVIL_ORIGIN = "https://evil.integration.test"
OTHER_SECRET = "another-webchat-secret-0123456789"


def flip_last(hex_text):
    """The same text with its last hex digit changed."""
    return hex_text[:-1] + ("0" if hex_text[-1] != "0" else "1")


def frame_text(frame):
    return frame if isinstance(frame, str) else json.dumps(frame)


class WebchatBadInputTest(harness.IntegrationCase):

    def start(self, server_limits=None, **webchat):
        server = {"listen": "127.0.0.1:0", "worker_threads": 2}
        if server_limits:
            server["limits"] = server_limits
        # A second instance with a secret of its own: its tokens mean nothing to the first.
        elsewhere = wc.webchat_plugin(instance="elsewhere",
                                      secret=OTHER_SECRET)
        self.gateway = self.ws.start_gateway({
            "server": server,
            "storage": {"data_dir": self.ws.workdir + "/data"},
            "log": {"level": "info"},
            "plugins": [wc.webchat_plugin(**webchat), elsewhere],
        })
        self.db = self.ws.database()
        return self.gateway

    # ------------------------------------------------------------------ helpers

    def visitor(self, token="", **kwargs):
        """A visitor connected with `token` (a new one for "")."""
        visitor = wc.Visitor(self.gateway.port, **kwargs)
        visitor.token = token
        visitor.connect()
        self.addCleanup(lambda: visitor.ws and visitor.ws.sock.close())
        return visitor

    def raw_socket(self, origin=wc.ORIGIN, instance="webchat"):
        headers = {"Origin": origin} if origin is not None else {}
        sock = ws_client.WebSocket(self.gateway.port, f"/channels/{instance}/ws", headers)
        self.addCleanup(sock.sock.close)
        return sock

    def expect_error(self, visitor, frame, code, client_id=None):
        visitor.ws.send_text(frame_text(frame))
        error = visitor.read_until(lambda m: m.get("type") == "error")
        self.assertEqual(error["code"], code, f"answer to {frame_text(frame)[:80]}: {error}")
        if client_id is not None:
            self.assertEqual(error.get("id"), client_id)
        return error

    def expect_close(self, sock, code):
        closed = sock.until_closed(timeout=15)
        self.assertEqual(closed.code, code, f"closed with {closed.code} {closed.reason!r}")
        return closed

    def acked(self, visitor, client_id, text):
        visitor.say(client_id, text)
        visitor.read_until(lambda m: m.get("type") == "ack" and m["id"] == client_id)

    def http(self, method, route, body=None, origin=wc.ORIGIN, content_type=None, **query):
        headers = {}
        if origin is not None:
            headers["Origin"] = origin
        if content_type is not None:
            headers["Content-Type"] = content_type
        url = f"{self.gateway.url}/channels/webchat{route}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        status, raw = harness.http_request(method, url, body, headers)
        return status, harness.decode_json(raw)

    def count(self, sql, args=()):
        return self.db.scalar(f"SELECT count(*) FROM {sql}", args)

    def texts_stored(self):
        return [row[0] for row in self.db.query("SELECT body_text FROM messages ORDER BY id")]

    def kv_keys(self, prefix, instance="webchat"):
        return [row[0] for row in self.db.query(
            "SELECT key FROM plugin_kv WHERE instance = ? AND key LIKE ? ORDER BY key",
            (instance, prefix + "%"))]

    def log_messages(self):
        """The "msg" of every line of the gateway's JSON log."""
        with open(self.gateway.stderr_path, encoding="utf-8", errors="replace") as f:
            lines = [line for line in f if line.startswith("{")]
        return [json.loads(line)["msg"] for line in lines]

    def assert_logged(self, *phrases):
        for phrase in phrases:
            harness.wait_until(lambda: any(phrase in m for m in self.log_messages()), 10,
                               f"{phrase!r} in the log")

    def assert_log_clean(self, *refused_texts):
        with open(self.gateway.stderr_path, encoding="utf-8", errors="replace") as f:
            raw = f.read()
        messages = "\n".join(self.log_messages())
        for secret in (wc.SECRET, wc.IDENTITY_SECRET, OTHER_SECRET, *refused_texts):
            self.assertNotIn(secret, raw)
            self.assertNotIn(secret, messages)

    def durable_session(self):
        """A new visitor's session once its state is in plugin_kv. The instance's kv writes
        become durable in the order they were made, so anything written before is there too:
        what is missing now was never written."""
        session = self.visitor().welcome["session"]
        harness.wait_until(lambda: self.kv_keys("s/" + session), 30, "the session's state")
        return session

    def barrier(self, visitor):
        """Everything the server sent this visitor before now has been read (pong comes
        after it: one connection's frames are answered in order)."""
        visitor.send({"type": "ping"})
        visitor.read_until(lambda m: m.get("type") == "pong")

    # ------------------------------------------------------------------ origins

    def test_a_wrong_or_missing_origin_is_refused_before_the_upgrade_and_over_http(self):
        self.start()
        for origin in (EVIL_ORIGIN, None, "http://shop.integration.test",
                       wc.ORIGIN + ".evil.test", "null"):
            sock = self.raw_socket(origin=origin)
            self.assertEqual(sock.status, 403, f"upgrade with Origin {origin!r}")
        visitor = self.visitor()
        for origin in (EVIL_ORIGIN, None):
            status, _ = self.http("POST", "/uploads", b"file body", origin=origin,
                                  content_type="text/plain", token=visitor.token, name="a.txt")
            self.assertEqual(status, 403)
            status, _ = self.http("POST", "/offline", {
                "name": "Eve", "email": "eve@example.com", "message": "let me in",
                "token": visitor.token}, origin=origin)
            self.assertEqual(status, 403)
        for route in ("/status", "/files", "/uploads", "/offline"):
            status, _ = self.http("OPTIONS", route, origin=EVIL_ORIGIN)
            self.assertEqual(status, 403, f"preflight of {route}")
            status, _ = self.http("OPTIONS", route, origin=wc.ORIGIN)
            self.assertEqual(status, 204, f"preflight of {route} from the allowed origin")

        last = self.durable_session()
        self.assertEqual(self.kv_keys("s/"), sorted(["s/" + visitor.welcome["session"],
                                                     "s/" + last]))
        self.assertEqual(self.kv_keys("f/"), [])
        self.assertEqual(self.kv_keys("x/"), [])
        self.assertEqual(self.count("messages"), 0)
        self.assertEqual(self.count("conversations"), 0)
        self.assert_logged(f'origin "{EVIL_ORIGIN}" is not allowed', "origin missing")
        self.assert_log_clean("let me in")

    # ------------------------------------------------------------------ frames on an open chat

    def test_malformed_frames_get_an_error_frame_and_the_chat_goes_on(self):
        self.start(max_message_bytes=1000)
        visitor = self.visitor()
        refused = [
            ("{not json REFUSED-1", "bad_json", None),
            ('["message", "REFUSED-2"]', "bad_json", None),
            ({"type": "dance", "id": "d1", "text": "REFUSED-3"}, "unknown_type", "d1"),
            ({"type": "message", "text": "REFUSED-4 without an id"}, "bad_field", None),
            ({"type": "message", "id": "../x", "text": "REFUSED-5"}, "bad_field", None),
            ({"type": "message", "id": "a" * 65, "text": "REFUSED-6"}, "bad_field", None),
            ({"type": "message", "id": "t1", "text": ["REFUSED-7"]}, "bad_field", "t1"),
            ({"type": "message", "id": "t2", "text": "   "}, "bad_field", "t2"),
            ({"type": "message", "id": "big", "text": "REFUSED-8" + "x" * 1000}, "too_large",
             "big"),
            ({"type": "seen", "seq": -1}, "bad_field", None),
            ({"type": "csat", "score": 9, "comment": "REFUSED-9"}, "bad_field", None),
            ({"type": "typing", "on": "yes"}, "bad_field", None),
            ({"type": "transcript", "email": "not an address"}, "bad_field", None),
            ({"type": "hello", "identity": {"kind": "bogus", "id": "x", "hash": "00"}},
             "bad_field", None),
            ({"type": "hello", "token": ""}, "bad_field", None),  # said already
        ]
        for frame, code, client_id in refused:
            self.expect_error(visitor, frame, code, client_id)
        self.barrier(visitor)  # still open after all of them
        self.acked(visitor, "ok1", "the one message that counts")

        self.assertEqual(self.texts_stored(), ["the one message that counts"])
        self.assertEqual(len(self.kv_keys(f"e/{visitor.welcome['session']}/")), 1)
        self.assertEqual(self.count("events WHERE kind LIKE 'csat%'"), 0)
        self.assert_log_clean(*[f"REFUSED-{i}" for i in range(1, 10)])

    def test_a_bad_first_hello_gets_an_error_and_a_good_one_may_follow(self):
        self.start()
        visitor = wc.Visitor(self.gateway.port)  # its hello comes by hand
        visitor.ws = self.raw_socket()
        self.expect_error(visitor, {"type": "hello", "identity": {"kind": "bogus", "id": "x",
                                                                  "hash": "00"}}, "bad_field")
        self.expect_error(visitor, {"type": "hello", "last_seq": -5}, "bad_field")
        self.expect_error(visitor, "not json", "bad_json")
        visitor.send({"type": "hello", "token": "", "epoch": "", "last_seq": 0})
        welcome = visitor.read_until(lambda m: m.get("type") == "welcome")
        harness.wait_until(lambda: self.kv_keys("s/"), 30, "the session's state")
        self.assertEqual(self.kv_keys("s/"), ["s/" + welcome["session"]])

    def test_invalid_utf8_in_a_text_frame_closes_with_1007_and_stores_nothing(self):
        self.start()
        visitor = self.visitor()
        payload = b'{"type":"message","id":"u1","text":"REFUSED-UTF8 \xc3\x28 \xff"}'
        visitor.ws._send(ws_client.OP_TEXT, payload)
        self.expect_close(visitor.ws, 1007)
        self.durable_session()  # the gateway still serves others
        self.assertEqual(self.count("messages"), 0)
        self.assertEqual(self.kv_keys(f"e/{visitor.welcome['session']}/"), [])
        self.assertEqual(self.kv_keys(f"c/{visitor.welcome['session']}/"), [])
        self.assert_logged("closed by the server")
        self.assert_log_clean("REFUSED-UTF8")

    def test_a_first_frame_that_is_not_hello_closes_with_1008(self):
        self.start()
        for frame in ({"type": "ping"}, {"type": "message", "id": "m1", "text": "REFUSED-EARLY"}):
            sock = self.raw_socket()
            sock.send_text(json.dumps(frame))
            self.expect_close(sock, 1008)
        last = self.durable_session()
        self.assertEqual(self.kv_keys("s/"), ["s/" + last])
        self.assertEqual(self.count("messages"), 0)
        self.assert_logged("the first frame must be hello")
        self.assert_log_clean("REFUSED-EARLY")

    def test_no_hello_within_the_timeout_closes_with_1008(self):
        self.start(hello_timeout_ms=300)
        silent = self.raw_socket()
        closed = self.expect_close(silent, 1008)
        self.assertIn("no hello", closed.reason)
        # A visitor who says hello in time is not touched by the sweep.
        visitor = self.visitor()
        self.acked(visitor, "m1", "said hello in time")
        self.assert_logged("no hello within 300 ms")

    # ------------------------------------------------------------------ sizes

    def test_oversize_frames_close_with_1009_and_long_text_is_refused(self):
        # Three limits: the message text (an error frame), the instance's frame limit (the
        # plugin closes) and the server-wide WebSocket message limit (Beast closes).
        self.start(server_limits={"max_ws_message_bytes": 8192},
                   max_message_bytes=1000, max_frame_bytes=4096)
        visitor = self.visitor()
        self.expect_error(visitor, {"type": "message", "id": "long",
                                    "text": "REFUSED-LONG" + "x" * 989}, "too_large", "long")
        self.acked(visitor, "fits", "y" * 1000)

        visitor.send({"type": "message", "id": "frame", "text": "REFUSED-FRAME",
                      "padding": "p" * 5000})
        closed = self.expect_close(visitor.ws, 1009)
        self.assertIn("limit 4096", closed.reason)
        self.assert_logged("(1009): frame of ")

        huge = self.visitor()
        huge.send({"type": "message", "id": "huge", "text": "REFUSED-HUGE",
                   "padding": "p" * 20000})
        self.expect_close(huge.ws, 1009)
        self.assert_logged("closed by the server: The WebSocket message exceeded")

        self.assertEqual(self.texts_stored(), ["y" * 1000])
        self.assert_log_clean("REFUSED-LONG", "REFUSED-FRAME", "REFUSED-HUGE")

    # ------------------------------------------------------------------ floods and crowds

    def test_a_flood_closes_with_1008_and_only_what_came_before_the_limit_is_stored(self):
        # A budget of 5 frames (hello takes one) that practically never refills.
        self.start(messages_per_second=0.01, burst=5)
        visitor = self.visitor()
        texts = [f"flood {i}" for i in range(12)]
        for i, text in enumerate(texts):
            visitor.send({"type": "message", "id": f"f{i}", "text": text})
        closed = self.expect_close(visitor.ws, 1008)
        self.assertIn("messages per second", closed.reason)
        harness.wait_until(lambda: len(self.texts_stored()) >= 4, 30, "the first four stored")

        # The store takes submissions in order: once a later visitor's message is stored, any
        # frame of the flood that had got through would be too.
        later = self.visitor()
        self.acked(later, "after", "after the flood")
        self.assertEqual(self.texts_stored(), texts[:4] + ["after the flood"])
        self.assert_logged("more than the allowed messages per second")

    def test_more_connections_from_one_address_than_allowed_are_closed_with_1008(self):
        self.start(max_connections_per_ip=2)
        first, second = self.visitor(), self.visitor()
        extra = self.raw_socket()
        self.assertEqual(extra.status, 101)
        closed = self.expect_close(extra, 1008)
        self.assertIn("connections from 127.0.0.1", closed.reason)
        self.assert_logged("more than 2 connections from 127.0.0.1")
        # The two that were there go on; once one leaves, a newcomer is let in.
        self.acked(first, "a", "first still here")
        self.barrier(second)
        first.ws.close()
        harness.wait_until(lambda: self.try_connect(), 15, "a connection after one left")

    def try_connect(self):
        try:
            visitor = self.visitor()
            self.barrier(visitor)
            return True
        except ws_client.Closed:
            return False

    def test_a_binary_frame_closes_with_1003(self):
        self.start()
        visitor = self.visitor()
        frame = {"type": "message", "id": "b1", "text": "REFUSED-BIN"}
        visitor.ws._send(ws_client.OP_BINARY, json.dumps(frame).encode())
        self.expect_close(visitor.ws, 1003)
        self.assertEqual(self.count("messages"), 0)
        self.assert_logged("(1003): binary frame")
        self.assert_log_clean("REFUSED-BIN")

    # ------------------------------------------------------------------ identity and tokens

    def test_a_forged_identity_hash_is_refused_and_creates_nobody(self):
        self.start()
        victim = "victim@example.com"
        forgeries = [
            hmac.new(b"a guessed secret 0123456789", victim.encode(), hashlib.sha256).hexdigest(),
            wc.identity_hash("eve@example.com"),  # a real hash, of another identifier
            flip_last(wc.identity_hash(victim)),
            hashlib.sha256(victim.encode()).hexdigest(),
            "",
        ]
        for forged in forgeries:
            sock = self.raw_socket()
            sock.send_text(json.dumps({"type": "hello", "token": "", "identity": {
                "kind": "email", "id": victim, "hash": forged}}))
            sock.sock.settimeout(10)
            error = sock.next_message()
            self.assertEqual((error["type"], error["code"]), ("error", "bad_identity"))
            self.expect_close(sock, 1008)
        last = self.durable_session()
        self.assertEqual(self.kv_keys("s/"), ["s/" + last])
        self.assertEqual(self.count("identities WHERE address = ?", (victim,)), 0)
        self.assertEqual(self.count("customers"), 0)
        self.assert_logged("identity hash does not verify")

        # The genuine hash is accepted: the refusals above were about the hash alone.
        genuine = self.visitor(identity={"kind": "email", "id": victim,
                                         "hash": wc.identity_hash(victim)})
        self.acked(genuine, "g1", "signed in for real")
        self.assertEqual(self.count("identities WHERE kind = 'email' AND address = ?",
                                    (victim,)), 1)
        self.assert_log_clean()

    def test_a_forged_or_foreign_token_gets_a_new_session_never_another_ones_entries(self):
        self.start()
        owner = self.visitor()
        self.acked(owner, "p1", "PRIVATE to the owner")
        owner_session = owner.welcome["session"]
        foreign = self.visitor(instance="elsewhere")

        token = owner.token
        candidates = {
            "tampered MAC": flip_last(token),
            "tampered session": ("0" if token[0] != "0" else "1") + token[1:],
            "session id alone": owner_session,
            "upper case": token.upper(),
            "another instance's token": foreign.token,
            "garbage": "../../etc/passwd",
        }
        for what, candidate in candidates.items():
            stranger = self.visitor(token=candidate)
            welcome = stranger.welcome
            self.barrier(stranger)
            self.assertNotEqual(welcome["session"], owner_session, what)
            self.assertNotEqual(welcome["token"], candidate, what)
            self.assertEqual(welcome["last_seq"], 0, what)
            self.assertEqual(stranger.entries, {}, what)
            stranger.ws.close()
        # The owner's own token still resumes the owner's session.
        self.assertEqual(self.visitor(token=owner.token).welcome["session"], owner_session)

    # ------------------------------------------------------------------ uploads and files

    def upload(self, token, body, content_type="text/plain", name="note.txt"):
        return self.http("POST", "/uploads", body, content_type=content_type, token=token,
                         name=name)

    def test_uploads_and_files_are_limited_to_the_session_that_made_them(self):
        self.start(max_upload_bytes=1000)
        alice, bob = self.visitor(), self.visitor()
        forged = flip_last(alice.token)

        self.assertEqual(self.upload(forged, b"hello")[0], 401)
        self.assertEqual(self.upload("", b"hello")[0], 401)
        self.assertEqual(self.upload(alice.token, b"MZ...", "application/x-msdownload")[0], 415)
        self.assertEqual(self.upload(alice.token, b"<svg/>", "image/svg+xml")[0], 415)
        self.assertEqual(self.upload(alice.token, b"x" * 1001)[0], 413)
        self.durable_session()
        self.assertEqual(self.kv_keys("f/"), [])

        status, stored = self.upload(alice.token, b"alice's file", name="../../etc/passwd")
        self.assertEqual(status, 201, stored)
        self.assertEqual(stored["name"], "passwd")
        self.assertEqual((stored["content_type"], stored["size"]), ("text/plain", 12))
        sha = stored["upload"].split(":", 1)[1]

        status, _ = harness.http_request(
            "GET", f"{self.gateway.url}/channels/webchat/files?sha256={sha}&token={alice.token}")
        self.assertEqual(status, 200)
        for token in (bob.token, forged, ""):
            status, _ = self.http("GET", "/files", sha256=sha, token=token)
            self.assertEqual(status, 404, f"the file with token {token!r}")

        # Bob cannot attach Alice's upload (nor one that was never made).
        for ref in (stored["upload"], "sha256:" + "0" * 64):
            self.expect_error(bob, {"type": "message", "id": "steal", "text": "REFUSED-STEAL",
                                    "attachments": [{"upload": ref}]}, "bad_field", "steal")
        self.durable_session()
        self.assertEqual(self.kv_keys(f"e/{bob.welcome['session']}/"), [])
        self.assertEqual(self.kv_keys(f"c/{bob.welcome['session']}/"), [])

        # Alice can: the file is stored under its display name only.
        alice.send({"type": "message", "id": "mine", "text": "my file",
                    "attachments": [{"upload": stored["upload"]}]})
        alice.read_until(lambda m: m.get("type") == "ack")
        self.assertEqual(self.texts_stored(), ["my file"])
        self.assertEqual(self.db.query("SELECT filename, sha256 FROM attachments"),
                         [("passwd", sha)])
        self.assertEqual(self.kv_keys("f/"), [f"f/{alice.welcome['session']}/{sha}"])
        self.assert_log_clean("REFUSED-STEAL")

    # ------------------------------------------------------------------ the offline form

    def offline(self, body, content_type=None):
        return self.http("POST", "/offline", body, content_type=content_type)

    def test_the_offline_form_refuses_bad_fields_and_never_makes_the_email_an_identity(self):
        self.start(max_message_bytes=1000)
        good = {"name": "Olga", "email": "olga@example.com", "message": "call me back",
                "topic": "", "token": ""}
        bad = [
            (b"name=Olga&email=olga%40example.com", "application/x-www-form-urlencoded"),
            (b"{not json", "application/json"),
            (json.dumps([good]).encode(), "application/json"),
            (json.dumps({**good, "email": None}).encode(), None),
            (json.dumps({k: v for k, v in good.items() if k != "email"}).encode(), None),
            (json.dumps({**good, "email": "olga"}).encode(), None),
            (json.dumps({**good, "email": "olga@example.com\r\nBcc: x@y.z"}).encode(), None),
            (json.dumps({**good, "email": "o" * 250 + "@example.com"}).encode(), None),
            (json.dumps({**good, "message": " \n\t "}).encode(), None),
            (json.dumps({**good, "message": ""}).encode(), None),
            (json.dumps({**good, "message": "m" * 1001}).encode(), None),
            (json.dumps({**good, "name": "n" * 201}).encode(), None),
            (json.dumps({**good, "name": 7}).encode(), None),
            (json.dumps({**good, "topic": "t" * 65}).encode(), None),
            (json.dumps({**good, "id": "i" * 65}).encode(), None),
        ]
        for body, content_type in bad:
            status, answer = self.offline(body, content_type or "application/json")
            self.assertEqual((status, (answer or {}).get("error")), (400, "invalid_field"),
                             body[:80])
        self.durable_session()
        self.assertEqual(self.count("messages"), 0)
        self.assertEqual(self.count("conversations"), 0)
        self.assertEqual(self.kv_keys("x/"), [])

        status, answer = self.offline(good)
        self.assertEqual((status, answer["ok"]), (202, True))
        self.assertEqual(self.count("conversations"), 1)
        self.assertEqual(self.texts_stored(), ["call me back"])
        customer = self.db.scalar("SELECT customer_id FROM conversations")
        identities = [tuple(i) for i in self.db.query(
            "SELECT kind, address FROM identities WHERE customer_id = ?", (customer,))]
        self.assertTrue(identities)
        self.assertNotIn("olga@example.com", [address for _, address in identities])
        self.assertEqual(self.count("identities WHERE address LIKE '%olga@example.com%'"), 0)


if __name__ == "__main__":
    harness.main()
