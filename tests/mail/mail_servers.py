#!/usr/bin/env python3
"""Real mail servers on 127.0.0.1 for the e-mail channel's tests: Dovecot (IMAP, with IDLE) and
an aiosmtpd sink (SMTP, optional AUTH and STARTTLS). Each server lives in its own work
directory and on its own free port, so tests run in parallel.

As a module (Python tests):
    with Dovecot({"support": "secret"}) as imap:
        imap.append("support", raw_bytes)
    with SmtpSink(workdir) as smtp:
        smtp.messages  # [(envelope_from, rcpt_tos, data), ...]

As a command (C++ tests start it with a pipe):
    mail_servers.py dovecot --workdir D --user support:secret [--tls] [--capability "..."]
    mail_servers.py smtp --workdir D [--user u:p] [--starttls]
prints one JSON line ({"port": N, ...}), then answers one JSON request per stdin line with one
JSON line (see Commands below) until stdin closes or SIGTERM. Message bytes travel in base64.

Nothing is ever skipped: a missing Dovecot or aiosmtpd raises MailServerMissing, which says to
run scripts/install-deps.sh.
"""

import argparse
import base64
import imaplib
import json
import logging
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"


class MailServerMissing(RuntimeError):
    pass


class MailServerError(RuntimeError):
    pass


def free_port():
    """A port that was free a moment ago (servers that cannot bind port 0 retry on a clash)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _work_dir(workdir, prefix):
    """(path, owned): a fresh temp dir unless the caller gave one."""
    if workdir:
        os.makedirs(workdir, exist_ok=True)
        return os.path.abspath(workdir), False
    # Short paths: Dovecot's unix sockets live below it (sun_path holds 108 bytes).
    return tempfile.mkdtemp(prefix=prefix, dir="/tmp"), True


def make_certificate(workdir, name):
    """(cert, key): a self-signed certificate for localhost and 127.0.0.1, made by openssl."""
    cert = os.path.join(workdir, f"{name}-cert.pem")
    key = os.path.join(workdir, f"{name}-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=60)
    os.chmod(key, 0o644)  # Dovecot reads it as root, but keep it readable for its helpers
    return cert, key


class _Server:
    """A server as a context manager: started on entry; stopped on exit, and its work dir
    removed when it made that dir itself."""

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        if self._owned_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


class Dovecot(_Server):
    """A Dovecot IMAP server with its own config, users, maildirs and port. With tls=True it
    also offers STARTTLS on .port and implicit TLS on .tls_port, with a self-signed certificate
    (.cert_file, the CA file for clients). `capability` replaces the CAPABILITY list it
    announces (e.g. without MOVE or IDLE, to exercise a client's fallbacks)."""

    def __init__(self, users, workdir=None, tls=False, capability=None, start_attempts=5):
        if not os.access(DOVECOT, os.X_OK):
            raise MailServerMissing(
                f"{DOVECOT} not found: run scripts/install-deps.sh (Debian dovecot-imapd)")
        self.users = dict(users)
        self.workdir, self._owned_workdir = _work_dir(workdir, "og-imap-")
        self.port = None
        self.tls_port = None
        self.capability = capability
        self.cert_file, self._key_file = (make_certificate(self.workdir, "imap") if tls
                                          else (None, None))
        self._process = None
        self._start_attempts = start_attempts
        self._write_users()

    # --- lifecycle -------------------------------------------------------------------------
    def start(self):
        """Starts on self.port if set (restart), else on a free port, retrying on a clash."""
        last_error = None
        for _ in range(self._start_attempts if self.port is None else 1):
            port = self.port or free_port()
            tls_port = self.tls_port or (free_port() if self.cert_file else 0)
            try:
                self._start_on(port, tls_port)
                self.port, self.tls_port = port, tls_port or None
                return
            except MailServerError as error:
                last_error = error
        raise last_error

    def stop(self):
        """SIGTERM: Dovecot ends its IMAP processes (clients see the connection close)."""
        if self._process is None:
            return
        try:
            os.killpg(self._process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
            return
        self._release_process()
        self._wait_port_closed()

    def kill(self):
        """SIGKILL to Dovecot and every process it started (its process group)."""
        if self._process is None:
            return
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._process.wait()
        self._release_process()
        self._wait_port_closed()


    def _release_process(self):
        self._process.stderr.close()
        self._process = None
    def restart(self):
        self.stop()
        self.start()

    # --- mailbox access (through IMAP, as another client would) ----------------------------
    def append(self, user, raw, folder="INBOX", flags=()):
        with self._login(user) as imap:
            flag_list = "(" + " ".join(flags) + ")" if flags else None
            typ, data = imap.append(_quote(folder), flag_list, None, raw)
            _check(typ, data, "APPEND")

    def append_many(self, user, raws, folder="INBOX"):
        """APPEND every message in order over one connection (fills a large folder fast)."""
        with self._login(user) as imap:
            for raw in raws:
                typ, data = imap.append(_quote(folder), None, None, raw)
                _check(typ, data, "APPEND")

    def messages(self, user, folder="INBOX"):
        """[(uid, [flags], raw bytes)] in UID order."""
        with self._login(user) as imap:
            typ, data = imap.select(_quote(folder), readonly=True)
            _check(typ, data, "EXAMINE")
            if int(data[0]) == 0:
                return []
            typ, data = imap.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            _check(typ, data, "UID FETCH")
            result = []
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head, raw = item
                uid = int(re.search(rb"UID (\d+)", head).group(1))
                flags = re.search(rb"FLAGS \(([^)]*)\)", head).group(1).decode().split()
                # \Recent belongs to this session, not to the message.
                flags = [flag for flag in flags if flag != "\\Recent"]
                result.append((uid, flags, raw))
            return sorted(result)

    def create_folder(self, user, folder):
        with self._login(user) as imap:
            typ, data = imap.create(_quote(folder))
            _check(typ, data, "CREATE")

    def uid_validity(self, user, folder="INBOX"):
        with self._login(user) as imap:
            typ, data = imap.status(_quote(folder), "(UIDVALIDITY)")
            _check(typ, data, "STATUS")
            return int(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1))

    def set_uid_validity(self, user, value, folder="INBOX"):
        """Gives the folder a new UIDVALIDITY, as a server does after rebuilding its index.
        Needs the server running (doveadm asks its auth service for the user); clients that
        have the folder selected notice on their next connection (see restart())."""
        done = subprocess.run([DOVEADM, "-c", self._conf_path, "mailbox", "update", "-u", user,
                               "--uid-validity", str(value), folder],
                              capture_output=True, timeout=30)
        if done.returncode != 0:
            raise MailServerError(f"doveadm mailbox update: {done.stderr.decode().strip()}")

    # --- internals -------------------------------------------------------------------------
    @property
    def _conf_path(self):
        return os.path.join(self.workdir, "dovecot.conf")

    @property
    def log_path(self):
        return os.path.join(self.workdir, "dovecot.log")

    def _login(self, user):
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        imap.login(user, self.users[user])
        return _LoggedIn(imap)

    def _write_users(self):
        # Dovecot's processes (not root) must reach the homes below the work dir.
        os.chmod(self.workdir, 0o755)
        if os.geteuid() == 0:
            internal_user, login_user, mail_user = "dovecot", "dovenull", "dovecot"
        else:
            internal_user = login_user = mail_user = pwd.getpwuid(os.geteuid()).pw_name
        mail_pw = pwd.getpwnam(mail_user)
        passwd = os.path.join(self.workdir, "passwd")
        with open(passwd, "w") as f:
            for user, password in self.users.items():
                f.write(f"{user}:{{PLAIN}}{password}\n")
        os.chmod(passwd, 0o644)
        homes = os.path.join(self.workdir, "home")
        os.makedirs(homes, exist_ok=True)
        for user in self.users:
            home = os.path.join(homes, user)
            os.makedirs(home, exist_ok=True)
            os.chown(home, mail_pw.pw_uid, mail_pw.pw_gid)
        self._config_template = f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.workdir}/run
state_dir = {self.workdir}/state
log_path = {self.log_path}
%SSL%
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = 100
mail_location = maildir:~/Maildir
# IDLE learns of new mail through inotify at once; where inotify is missing it re-checks the
# mailbox this often (default 30 s), which the tests' 2-second arrival bound needs.
mailbox_idle_check_interval = 1 secs
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid={mail_pw.pw_uid} gid={mail_pw.pw_gid} home={homes}/%u
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = %PORT%
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = %TLS_PORT%
  }}
}}
"""
        if self.cert_file:
            ssl = f"ssl = yes\nssl_cert = <{self.cert_file}\nssl_key = <{self._key_file}"
        else:
            ssl = "ssl = no"
        if self.capability is not None:
            ssl += f"\nimap_capability = {self.capability}"
        self._config_template = self._config_template.replace("%SSL%", ssl)

    def _start_on(self, port, tls_port):
        with open(self._conf_path, "w") as f:
            f.write(self._config_template.replace("%PORT%", str(port))
                    .replace("%TLS_PORT%", str(tls_port)))
        log_size = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        self._process = subprocess.Popen([DOVECOT, "-F", "-c", self._conf_path],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                stderr = self._process.stderr.read().decode(errors="replace")
                self._process = None
                raise MailServerError(f"dovecot exited on port {port}: {stderr.strip()} "
                                      f"{self._log_since(log_size)}")
            if _greets(port, b"* OK"):
                return
            time.sleep(0.05)
        self.kill()
        raise MailServerError(f"dovecot did not answer on port {port}: {self._log_since(log_size)}")

    def _log_since(self, offset):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode(errors="replace").strip()
        except FileNotFoundError:
            return ""

    def _wait_port_closed(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.port and _greets(self.port, b""):
            time.sleep(0.05)


class _LoggedIn:
    def __init__(self, imap):
        self.imap = imap

    def __enter__(self):
        return self.imap

    def __exit__(self, *exc):
        try:
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def _quote(folder):
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(typ, data, what):
    if typ != "OK":
        raise MailServerError(f"{what}: {typ} {data!r}")


def _greets(port, prefix):
    """True if something accepts on the port and its first bytes start with prefix."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            return s.recv(64).startswith(prefix) if prefix else True
    except OSError:
        return False


class SmtpSink(_Server):
    """An aiosmtpd server that keeps what it receives; it can refuse chosen recipients, require
    AUTH (PLAIN/LOGIN, one user) and offer STARTTLS with a self-signed certificate."""

    def __init__(self, workdir=None, user=None, password=None, starttls=False):
        try:
            from aiosmtpd.controller import Controller  # noqa: F401
        except ImportError as error:
            raise MailServerMissing(
                f"aiosmtpd missing for {sys.executable} ({error}): run scripts/install-deps.sh "
                "(Debian python3-aiosmtpd, importable by /usr/bin/python3)") from error
        self.workdir, self._owned_workdir = _work_dir(workdir, "og-smtp-")
        self.user, self.password = user, password
        self.cert_file, self._key_file = (make_certificate(self.workdir, "smtp") if starttls
                                          else (None, None))
        self.port = None
        self.messages = []  # (envelope_from, rcpt_tos, data)
        self._rejects = {}  # address -> (stage, code, text)
        self._lock = threading.Lock()
        self._controller = None

    def reject(self, address, code, text, stage="rcpt"):
        """Answer RCPT TO (stage "rcpt") or the end of DATA (stage "data") for this recipient
        with `code text`."""
        if stage not in ("rcpt", "data"):
            raise ValueError(f"stage must be rcpt or data, not {stage!r}")
        with self._lock:
            self._rejects[address.lower()] = (stage, int(code), text)

    def accept(self, address):
        """Stop refusing this recipient."""
        with self._lock:
            self._rejects.pop(address.lower(), None)

    def received(self):
        with self._lock:
            return list(self.messages)

    def start(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (self.user is not None and auth_data.login.decode() == self.user
                  and auth_data.password.decode() == self.password)
            # handled=False: aiosmtpd answers "535 5.7.8" itself (handled=True would stay silent)
            return AuthResult(success=ok, handled=False)

        kwargs = {}
        if self.user is not None:
            # AUTH without TLS is what a loopback test server wants: say so once, quietly.
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            logging.getLogger("mail.log").setLevel(logging.ERROR)
            kwargs.update(authenticator=authenticator, auth_required=True,
                          auth_require_tls=False)
        if self.cert_file:
            import ssl
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cert_file, self._key_file)
            # Required, so that a client which silently skipped STARTTLS cannot pass a test.
            kwargs.update(tls_context=context, require_starttls=True)
        last_error = None
        for _ in range(5):
            port = free_port()
            controller = Controller(_Handler(self), hostname="127.0.0.1", port=port, **kwargs)
            try:
                controller.start()
            except (OSError, RuntimeError) as error:  # the port was taken meanwhile
                last_error = error
                continue
            self._controller, self.port = controller, port
            return
        raise MailServerError(f"SMTP sink could not start: {last_error}")

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _store(self, envelope):
        entry = (envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
        with self._lock:
            self.messages.append(entry)

    def _rejection(self, address, stage):
        with self._lock:
            rule = self._rejects.get(address.lower())
        if rule and rule[0] == stage:
            return f"{rule[1]} {rule[2]}"
        return None


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.sink._rejection(address, "rcpt")
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            refusal = self.sink._rejection(address, "data")
            if refusal:
                return refusal
        self.sink._store(envelope)
        return "250 Message accepted for delivery"


# --- command line: one JSON request per stdin line ------------------------------------------
# dovecot: {"cmd": "append", "user", "raw" (base64), "folder"?, "flags"?} -> {}
#          {"cmd": "messages", "user", "folder"?} -> {"messages": [{"uid", "flags", "raw"}]}
#          {"cmd": "create_folder", "user", "folder"}        {"cmd": "uid_validity", "user"}
#          {"cmd": "set_uid_validity", "user", "value"}      {"cmd": "restart" | "stop" |
#          "start" | "kill"}
# smtp:    {"cmd": "messages"} -> {"messages": [{"from", "to", "data" (base64)}]}
#          {"cmd": "reject", "address", "code", "text", "stage"?} -> {}
# Every answer is {"ok": true, ...} or {"ok": false, "error": "..."}.
def _serve_dovecot(server, request):
    cmd = request["cmd"]
    if cmd == "append":
        server.append(request["user"], base64.b64decode(request["raw"]),
                      request.get("folder", "INBOX"), tuple(request.get("flags", ())))
        return {}
    if cmd == "messages":
        return {"messages": [{"uid": uid, "flags": flags, "raw": base64.b64encode(raw).decode()}
                             for uid, flags, raw in server.messages(
                                 request["user"], request.get("folder", "INBOX"))]}
    if cmd == "create_folder":
        server.create_folder(request["user"], request["folder"])
        return {}
    if cmd == "uid_validity":
        return {"uid_validity": server.uid_validity(request["user"],
                                                    request.get("folder", "INBOX"))}
    if cmd == "set_uid_validity":
        server.set_uid_validity(request["user"], request["value"], request.get("folder", "INBOX"))
        return {}
    if cmd in ("restart", "stop", "start", "kill"):
        getattr(server, cmd)()
        return {"port": server.port}
    raise ValueError(f"unknown command {cmd!r}")


def _serve_smtp(server, request):
    cmd = request["cmd"]
    if cmd == "messages":
        return {"messages": [{"from": sender, "to": rcpts,
                              "data": base64.b64encode(data).decode()}
                             for sender, rcpts, data in server.received()]}
    if cmd == "reject":
        server.reject(request["address"], request["code"], request["text"],
                      request.get("stage", "rcpt"))
        return {}
    raise ValueError(f"unknown command {cmd!r}")


def _serve(server, handler, hello):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = {"ok": True, **handler(server, json.loads(line))}
        except Exception as error:  # reported to the test, which fails with it
            answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)


def _user_pair(text):
    user, sep, password = text.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError("expected user:password")
    return user, password


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="server", required=True)
    imap = sub.add_parser("dovecot")
    imap.add_argument("--workdir")
    imap.add_argument("--user", type=_user_pair, action="append", required=True)
    imap.add_argument("--tls", action="store_true", help="STARTTLS on port, TLS on tls_port")
    imap.add_argument("--capability", help="the CAPABILITY list to announce instead")
    smtp = sub.add_parser("smtp")
    smtp.add_argument("--workdir")
    smtp.add_argument("--user", type=_user_pair)
    smtp.add_argument("--starttls", action="store_true")
    args = parser.parse_args(argv)
    if args.server == "dovecot":
        with Dovecot(dict(args.user), args.workdir, args.tls, args.capability) as server:
            _serve(server, _serve_dovecot, {"port": server.port, "tls_port": server.tls_port,
                                            "cert": server.cert_file,
                                            "workdir": server.workdir})
    else:
        user, password = args.user if args.user else (None, None)
        with SmtpSink(args.workdir, user, password, args.starttls) as server:
            _serve(server, _serve_smtp, {"port": server.port, "workdir": server.workdir,
                                         "cert": server.cert_file})


if __name__ == "__main__":
    main()
