"""Shared machinery of the integration tests (python3 stdlib only).

The tests drive the REAL `omnigate` binary and the REAL Twilio stand-in (tests/standin), both as
subprocesses on 127.0.0.1 port 0, each test in its own temporary directory with its own TOML
config. Nothing here sleeps to let things happen: `wait_until` polls a condition against a
deadline and fails naming what it waited for.

Usage from a test file:
    import harness
    class MyTest(harness.IntegrationCase):
        def test_x(self):
            standin = self.start_standin()
            gateway = self.start_gateway(self.sms_config(standin))
            ...
    if __name__ == "__main__":
        harness.main()
Command line: test_x.py --omnigate PATH --plugin-dir DIR [--sanitized] [unittest args...]
"""

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STANDIN_DIR = os.path.join(REPO, "tests", "standin")
sys.path.insert(0, STANDIN_DIR)
import twilio  # noqa: E402  (the stand-in's signing and inbound-webhook helpers)

ACCOUNT_SID = "AC" + "1234567890abcdef" * 2
AUTH_TOKEN = "integration-auth-token-0123456789"
# Providers sign the URL they call. Fixing it lets the tests sign before the gateway's port is
# known; the stand-in delivers callbacks to the real address while signing this one (a proxy).
PUBLIC_BASE_URL = "https://gateway.integration.test"
OUR_NUMBER = "+18005550199"


class Settings:
    """Filled from the command line by main()."""
    omnigate = None
    plugin_dir = None
    sanitized = False
    # Startup and shutdown of a sanitizer build are several times slower.
    startup_timeout = 30.0


def sms_plugin_path():
    return os.path.join(Settings.plugin_dir, "libog_sms.so")


def echo_plugin_path():
    """The plugin guide's example (channel kind "echo"), built with the gateway."""
    return os.path.join(Settings.plugin_dir, "libog_echo.so")


def echo_config(workdir, agents=(), users=(), **tables):
    """A gateway config with the echo plugin as instance "echo" and data in <workdir>/data;
    other top-level tables (routing=..., customers=...) as keyword arguments."""
    return {
        "server": {"listen": "127.0.0.1:0", "worker_threads": 2},
        "storage": {"data_dir": os.path.join(workdir, "data")},
        "log": {"level": "info"},
        **tables,
        "plugins": [{"instance": "echo", "file": echo_plugin_path()}],
        "agents": list(agents),
        "users": list(users),
    }


def post_echo(gateway, sender, message_id, text):
    """A customer's message through the echo plugin, as its route takes one: (status, body),
    b"stored\n" once it is stored."""
    return http_request("POST", f"{gateway.url}/channels/echo/messages", text.encode(),
                        {"Content-Type": "text/plain", "X-Echo-From": sender,
                         "X-Echo-Message-Id": message_id})


# ----------------------------------------------------------------------------- polling

def wait_until(condition, timeout, what, interval=0.05):
    """Polls condition() until it returns a truthy value (returned) or the deadline passes
    (AssertionError naming `what` and the last value seen)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = condition()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; "
                                 f"last value: {str(last)[:500]}")
        time.sleep(interval)


# ----------------------------------------------------------------------------- HTTP

def http_request(method, url, body=None, headers=None, timeout=15.0):
    """Returns (status, body_bytes); never raises on an HTTP error status."""
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    all_headers = dict(headers or {})
    if data is not None and "Content-Type" not in all_headers:
        all_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=all_headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def decode_json(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


# ----------------------------------------------------------------------------- TOML

def _toml_key(key):
    """A bare key when TOML allows one, else a quoted one (e.g. a route path "/inbound")."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}"
                                for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")


def _toml_table(lines, header, table):
    lines.append(header)
    nested = []
    for key, value in table.items():
        if isinstance(value, dict) and key in ("config", "limits"):
            nested.append((key, value))
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    return nested


def render_toml(config):
    """config: {"server": {...}, "storage": {...}, "outbox": {...}, ... any other table,
    "plugins": [{..., "config": {...}}], "agents": [...], "users": [...], "webhooks": [...]}.
    A table's dict values are inline tables, except "config" and "limits" (sub-tables)."""
    lines = []
    arrays = ("plugins", "agents", "users", "webhooks")
    for section, table in config.items():
        if section in arrays:
            continue
        if not isinstance(table, dict):
            raise TypeError(f"top-level config key {section!r} must be a table")
        for key, sub in _toml_table(lines, f"[{section}]", table):
            _toml_table(lines, f"[{section}.{key}]", sub)
    for section in arrays:
        for entry in config.get(section, []):
            for key, sub in _toml_table(lines, f"[[{section}]]", entry):
                _toml_table(lines, f"[{section}.{key}]", sub)
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- processes

def _tail(path, limit=6000):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return "(no output)"
    text = data.decode("utf-8", "replace")
    return text if len(text) <= limit else "...\n" + text[-limit:]


class Standin:
    """tests/standin/twilio_standin.py as a subprocess, driven through its control API."""

    def __init__(self, workdir, name="standin"):
        self.workdir = workdir
        self.name = name
        self.process = None
        self.port = None
        self.log_path = os.path.join(workdir, f"{name}.log")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, port=0):
        port_file = os.path.join(self.workdir, f"{self.name}.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(STANDIN_DIR, "twilio_standin.py"), "serve",
             "--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN, "--port", str(port),
             "--port-file", port_file],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.port = int(wait_until(lambda: self._read_port(port_file), Settings.startup_timeout,
                                   f"the stand-in to listen (log {self.log_path})"))
        return self

    def _read_port(self, port_file):
        if self.process.poll() is not None:
            raise AssertionError(f"stand-in exited with {self.process.returncode}:\n"
                                 f"{_tail(self.log_path)}")
        try:
            with open(port_file) as f:
                return f.read().strip()
        except OSError:
            return None

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _control(self, method, what, body=None):
        status, raw = http_request(method, f"{self.url}/_control/{what}", body)
        if status != 200:
            raise AssertionError(f"stand-in control {what}: HTTP {status} {raw[:200]!r}")
        return json.loads(raw)

    def messages(self):
        """Every create-Message request the stand-in recorded (a replayed Idempotency-Key once)."""
        return self._control("GET", "messages")

    def callbacks(self):
        return self._control("GET", "callbacks")

    def stats(self):
        return self._control("GET", "stats")

    def fail(self, status, count):
        self._control("POST", "fail", {"status": status, "count": count})

    def deliver_callbacks_to(self, gateway_url):
        self._control("POST", "outcome", {"callback_target": gateway_url})

    def log_text(self):
        return _tail(self.log_path)


class Gateway:
    """`omnigate serve` as a subprocess. stdout and stderr go to files in the work dir."""

    FAKETIME_LIBRARY = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

    def __init__(self, config_path, workdir, name="gateway", faketime=False):
        """faketime=True runs omnigate under libfaketime (Debian libfaketime): shift_clock()
        moves its wall clock; monotonic time (its timers) runs on untouched."""
        self.config_path = config_path
        self.workdir = workdir
        self.name = name
        self.process = None
        self.port = None
        self.starts = 0
        self.stderr_path = os.path.join(workdir, f"{name}.stderr.log")
        self.stdout_path = os.path.join(workdir, f"{name}.stdout.log")
        self.faketime_path = os.path.join(workdir, "faketime") if faketime else None
        if faketime:
            if not os.path.exists(self.FAKETIME_LIBRARY):
                raise AssertionError(f"{self.FAKETIME_LIBRARY} missing: install libfaketime "
                                     "(scripts/install-deps.sh)")
            self.shift_clock(0)

    def shift_clock(self, seconds):
        """Puts the gateway's wall clock `seconds` ahead of the real one (from the start, not
        cumulative). Read again at every clock call (FAKETIME_NO_CACHE)."""
        if self.faketime_path is None:
            raise AssertionError("shift_clock needs Gateway(..., faketime=True)")
        with open(self.faketime_path + ".tmp", "w") as f:
            f.write(f"+{int(seconds)}s\n")
        os.replace(self.faketime_path + ".tmp", self.faketime_path)

    def _environment(self):
        if self.faketime_path is None:
            return None
        env = dict(os.environ)
        env.update({"LD_PRELOAD": self.FAKETIME_LIBRARY,
                    "FAKETIME_TIMESTAMP_FILE": self.faketime_path,
                    "FAKETIME_NO_CACHE": "1",
                    "FAKETIME_DONT_FAKE_MONOTONIC": "1"})
        if Settings.sanitized:
            # ASan wants to be the first library loaded; libfaketime is preloaded before it.
            options = env.get("ASAN_OPTIONS", "")
            env["ASAN_OPTIONS"] = (options + ":" if options else "") + "verify_asan_link_order=0"
        return env

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.starts += 1
        port_file = os.path.join(self.workdir, f"{self.name}.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        with open(self.stderr_path, "ab") as err, open(self.stdout_path, "wb") as out:
            err.write(f"----- start #{self.starts}\n".encode())
            err.flush()
            self.process = subprocess.Popen(
                [Settings.omnigate, "serve", "--config", self.config_path, "--port-file",
                 port_file], stdout=out, stderr=err, env=self._environment())
        port = wait_until(lambda: self._listening(port_file), Settings.startup_timeout,
                          f"omnigate to write {port_file} and print 'listening on'")
        self.port = int(port)
        return self

    def _listening(self, port_file):
        if self.process.poll() is not None:
            raise AssertionError(f"omnigate exited with {self.process.returncode} before "
                                 f"listening; stderr:\n{_tail(self.stderr_path)}")
        try:
            with open(port_file) as f:
                port = f.read().strip()
            with open(self.stdout_path) as f:
                stdout = f.read()
        except OSError:
            return None
        expected = f"listening on http://127.0.0.1:{port}"
        return port if port and expected in stdout else None

    def kill(self):
        """SIGKILL: no graceful stop, no flush — what a crash or an OOM kill looks like."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout=30):
        """SIGTERM and wait; returns the exit code (SIGKILL and an error if it hangs)."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.terminate()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"omnigate did not stop within {timeout} s of SIGTERM")

    def log_text(self):
        return _tail(self.stderr_path)

    # ---------------------------------------------------------------- API
    def api(self, method, path, token=None, body=None):
        """Calls /api/v1<path>; returns (status, parsed JSON or None)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, raw = http_request(method, f"{self.url}/api/v1{path}", body, headers)
        return status, decode_json(raw)

    def api_ok(self, method, path, token, body=None, expect=(200,)):
        status, data = self.api(method, path, token, body)
        if status not in expect:
            raise AssertionError(f"{method} /api/v1{path}: HTTP {status} {data}")
        return data

    def conversations(self, token, **filters):
        """Every conversation visible to token, following after_id pages."""
        out, after = [], 0
        while True:
            query = "&".join([f"after_id={after}", "limit=100"] +
                             [f"{k}={v}" for k, v in filters.items()])
            page = self.api_ok("GET", f"/conversations?{query}", token)["conversations"]
            out.extend(page)
            if len(page) < 100:
                return out
            after = page[-1]["id"]

    def transcript(self, token, conversation_id):
        return self.api_ok("GET", f"/conversations/{conversation_id}/transcript",
                           token)["transcript"]

    # ---------------------------------------------------------------- webhooks
    def webhook_url(self, instance="sms", route="sms"):
        return f"{self.url}/channels/{instance}/{route}"

    def send_sms(self, params, idempotency_token=None, instance="sms"):
        """A signed incoming-SMS webhook exactly as Twilio sends it; (status, body)."""
        status, body, _ = twilio.send_inbound(
            self.webhook_url(instance), f"{PUBLIC_BASE_URL}/channels/{instance}/sms", AUTH_TOKEN,
            params, idempotency_token=idempotency_token, timeout=30.0)
        return status, body


def inbound_params(from_number, body, message_sid=None):
    return twilio.inbound_sms_params(ACCOUNT_SID, from_number, OUR_NUMBER, body,
                                     message_sid=message_sid)


# ----------------------------------------------------------------------------- database

class Database:
    """The gateway's SQLite file, opened read-only (never through the gateway's code)."""

    def __init__(self, path):
        self.path = path

    def query(self, sql, args=()):
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def scalar(self, sql, args=()):
        return self.query(sql, args)[0][0]


# ----------------------------------------------------------------------------- workspace

class Workspace:
    """A temp dir plus every process started in it. close() stops them all (also after a
    failure) and removes the dir, or keeps it and prints every process's log when failed."""

    def __init__(self, name):
        self.workdir = tempfile.mkdtemp(prefix=f"og-{name}-")
        self._processes = []

    def close(self, failed):
        for process in reversed(self._processes):
            process.stop()
        if failed:
            self.print_logs()
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def print_logs(self):
        for process in self._processes:
            sys.stderr.write(f"\n===== {process.name} log ({self.workdir}) =====\n"
                             f"{process.log_text()}\n")

    def start_standin(self, name="standin"):
        standin = Standin(self.workdir, name)
        self._processes.append(standin)
        return standin.start()

    def write_config(self, config, name="omnigate.toml"):
        path = os.path.join(self.workdir, name)
        with open(path, "w") as f:
            f.write(render_toml(config))
        return path

    def start_gateway(self, config, name="gateway", faketime=False):
        gateway = Gateway(self.write_config(config, f"{name}.toml"), self.workdir, name,
                          faketime=faketime)
        self._processes.append(gateway)
        return gateway.start()

    def database(self):
        return Database(os.path.join(self.workdir, "data", "omnigate.db"))

    def sms_config(self, standin, agents=(), users=(), outbox=None, extra_plugins=(),
                   limits=None, routing=None):
        """A config with the SMS plugin against `standin`, data in <workdir>/data."""
        server = {"listen": "127.0.0.1:0", "public_base_url": PUBLIC_BASE_URL,
                  "worker_threads": 2}
        if limits:
            server["limits"] = limits
        config = {
            "server": server,
            "storage": {"data_dir": os.path.join(self.workdir, "data")},
            "log": {"level": "info"},
            "plugins": [{
                "instance": "sms", "file": sms_plugin_path(), "allow_private_fetch": True,
                "config": {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
                           "public_base_url": PUBLIC_BASE_URL, "api_base": standin.url,
                           "from_number": OUR_NUMBER, "allow_private_api": True,
                           "timeout_ms": 5000},
            }, *extra_plugins],
            "agents": list(agents),
            "users": list(users),
        }
        if outbox:
            config["outbox"] = outbox
        if routing:
            config["routing"] = routing
        return config


def test_failed(test):
    """True when this unittest test has already recorded an error or failure (Python 3.11
    reports them as they happen, before cleanups run)."""
    result = getattr(getattr(test, "_outcome", None), "result", None)
    if result is None:
        return True
    return any(t is test for t, _ in result.errors + result.failures)


class IntegrationCase(unittest.TestCase):
    """Each test gets its own Workspace (self.ws), closed after the test."""

    def setUp(self):
        self.ws = Workspace(self._testMethodName)
        self.addCleanup(lambda: self.ws.close(test_failed(self)))


class SharedWorkspaceCase(unittest.TestCase):
    """One Workspace (cls.ws) for every test of the class, for suites whose gateway is slow to
    start (sanitizer builds): subclasses fill it in `start_workspace()` (a classmethod). It is
    closed after the last test, keeping its logs when any test of the class failed."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(cls.__name__)
        cls.any_failed = False
        try:
            cls.start_workspace()
        except BaseException:
            cls.ws.close(failed=True)
            raise

    @classmethod
    def start_workspace(cls):
        raise NotImplementedError

    @classmethod
    def tearDownClass(cls):
        cls.ws.close(failed=cls.any_failed)

    def setUp(self):
        self.addCleanup(self._note_failure)

    def _note_failure(self):
        if test_failed(self):
            type(self).any_failed = True


def agent(agent_id, skills, sms_capacity):
    return {"id": agent_id, "display_name": agent_id.title(), "team": "support",
            "skills": skills, "capacity": {"sms": sms_capacity}, "presence": "online"}


def user(name, role, token, agent_id=None):
    entry = {"name": name, "role": role, "token": token}
    if agent_id:
        entry["agent"] = agent_id
    return entry


def take_path_option(name):
    """Removes `name PATH` from the command line (before main() parses the rest) and returns
    PATH made absolute; exits with a usage line when the test was started without it."""
    if name not in sys.argv or sys.argv.index(name) + 1 >= len(sys.argv):
        sys.exit(f"usage: {os.path.basename(sys.argv[0])} {name} PATH --omnigate PATH ...")
    at = sys.argv.index(name)
    path = os.path.abspath(sys.argv[at + 1])
    del sys.argv[at:at + 2]
    return path


def main():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--omnigate", required=True, help="the omnigate executable")
    parser.add_argument("--plugin-dir", required=True, help="where libog_sms.so was built")
    parser.add_argument("--sanitized", action="store_true",
                        help="the binary is a sanitizer build (slower: longer start-up timeout)")
    args, rest = parser.parse_known_args()
    Settings.omnigate = os.path.abspath(args.omnigate)
    Settings.plugin_dir = os.path.abspath(args.plugin_dir)
    Settings.sanitized = args.sanitized
    if args.sanitized:
        Settings.startup_timeout = 120.0
    unittest.main(argv=[sys.argv[0], "-v", *rest])
