"""A minimal RFC 6455 WebSocket client (python3 stdlib only) for the integration tests: the
upgrade request, reading text/close frames (answering pings), sending a close. Enough to watch
GET /api/v1/stream the way a console does; not a general-purpose client."""

import base64
import json
import os
import socket
import struct
import time

OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class Closed(Exception):
    """The server closed the stream: `code` and `reason` from its close frame (code None when
    the connection ended without one)."""

    def __init__(self, code, reason):
        super().__init__(f"closed with {code} {reason!r}")
        self.code = code
        self.reason = reason


class WebSocket:
    """Opens ws://127.0.0.1:port<target>. `status` is 101 when the server accepted; otherwise
    `body` holds its refusal (parsed JSON when it is JSON). `timeout` only guards against a
    hang: every read gives up after it."""

    def __init__(self, port, target, headers=None, timeout=30.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self._buffer = b""
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        status_line, *header_lines = head.split("\r\n")
        self.status = int(status_line.split(" ")[1])
        self.headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
        self.body = None
        if self.status != 101:
            raw = self._read_exactly(int(self.headers.get("content-length", "0")))
            try:
                self.body = json.loads(raw)
            except ValueError:
                self.body = raw
            self.sock.close()

    # ------------------------------------------------------------------ reading
    def _read_more(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise Closed(None, "connection ended without a close frame")
        self._buffer += chunk

    def _read_until(self, marker):
        while marker not in self._buffer:
            self._read_more()
        head, _, self._buffer = self._buffer.partition(marker)
        return head

    def _read_exactly(self, n):
        while len(self._buffer) < n:
            self._read_more()
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def _frame(self):
        first, second = self._read_exactly(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read_exactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read_exactly(8))[0]
        mask = self._read_exactly(4) if second & 0x80 else None
        payload = self._read_exactly(length)
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return bool(first & 0x80), first & 0x0F, payload

    def next_message(self):
        """The next text message, parsed as JSON. Raises Closed when the server closes."""
        parts, opcode = [], None
        while True:
            fin, op, payload = self._frame()
            if op == OP_PING:
                self._send(OP_PONG, payload)
                continue
            if op == OP_PONG:
                continue
            if op == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                reason = payload[2:].decode("utf-8", "replace")
                try:
                    self._send(OP_CLOSE, payload[:2])
                except OSError:
                    pass
                self.sock.close()
                raise Closed(code, reason)
            if op != OP_CONTINUATION:
                opcode = op
            parts.append(payload)
            if fin:
                data = b"".join(parts)
                return json.loads(data) if opcode == OP_TEXT else data

    def next_event(self):
        """The next message that is not a heartbeat."""
        while True:
            message = self.next_message()
            if not (isinstance(message, dict) and message.get("type") == "heartbeat"):
                return message

    def until_closed(self, timeout=30.0):
        """Reads (and drops) messages until the server closes; the Closed it raised. Heartbeats
        keep an open stream busy, so an AssertionError after `timeout` s says it stayed open."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise socket.timeout()
                self.sock.settimeout(left)
                try:
                    self.next_message()
                except Closed as closed:
                    return closed
        except socket.timeout:
            self.sock.close()
            raise AssertionError(f"the stream was not closed within {timeout:.0f} s") from None

    # ------------------------------------------------------------------ writing
    def _send(self, opcode, payload):
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send_text(self, text):
        """One text message."""
        self._send(OP_TEXT, text.encode())

    def close(self):
        """A normal close (1000), without waiting for the answer."""
        try:
            self._send(OP_CLOSE, struct.pack("!H", 1000))
        except OSError:
            pass
        self.sock.close()
